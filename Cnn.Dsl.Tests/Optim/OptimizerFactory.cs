using System;
using System.Collections.Generic;
using Cnn.Runtime.Model;
using Cnn.Runtime.Optim;

namespace Cnn.Dsl.Tests.Optim;

/// <summary>The optimizer configurations of make_torch_reference.py, by the same names.</summary>
internal static class OptimizerFactory
{
    public static readonly Dictionary<string, Func<IReadOnlyList<ParameterInfo>, Optimizer>> Configurations = new()
    {
        ["sgd_plain"] = l => new SGD(l, 0.1),
        ["sgd_momentum"] = l => new SGD(l, 0.05, momentum: 0.9),
        ["sgd_dampening_decay"] = l => new SGD(l, 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 0.01),
        ["sgd_nesterov_decay"] = l => new SGD(l, 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3),
        ["adam_default"] = l => new Adam(l, 0.01),
        ["adam_decay"] = l => new Adam(l, 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1),
        ["adam_amsgrad"] = l => new Adam(l, 0.01, amsGrad: true),
        ["adamw_decay"] = l => new AdamW(l, 0.01, weightDecay: 0.05),
        ["adamw_amsgrad"] = l => new AdamW(l, 0.02, weightDecay: 0.1, amsGrad: true),
    };

    public static Optimizer Create(string name) => Configurations[name](TestLayout.Tensors);

    public static Optimizer Create(string name, IReadOnlyList<ParameterInfo> layout) => Configurations[name](layout);

    public static TheoryData<string> Names()
    {
        var names = new TheoryData<string>();
        foreach (var name in Configurations.Keys)
        {
            names.Add(name);
        }
        return names;
    }
}
