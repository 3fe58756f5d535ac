using System;
using System.Collections.Generic;
using System.Linq;
using Cnn.Runtime.Model;
using Cnn.Runtime.Optim;

namespace Cnn.Dsl.Tests.Network;

/// <summary>
/// Three training steps of each optimizer PyTorch ran for the golden files (make_golden.py's
/// OPTIMIZERS) on the generated network must land on PyTorch's parameters.
/// </summary>
/// <remarks>
/// Values whose exact gradient is zero (a bias feeding a BatchNorm, directly or through a Relu
/// that passes every value: PyTorch's gradient there is below 1e-15) are left out of the comparison: their float32 gradient is rounding noise of about
/// 1e-8, which Adam's normalization turns into steps of up to the learning rate. For those the test
/// checks only that the optimizer moved them by at most three learning rates (plus decay). SGD's
/// results are compared like gradients (relative 1e-4); Adam's as described at <see cref="AdamStepTolerance"/>.
/// </remarks>
public sealed class GoldenOptimizerTests
{
    private const int Steps = 3;

    /// <summary>
    /// Adam moves each value by about the learning rate whatever its gradient's size, so a value
    /// whose gradient is small (and so only relatively accurate in float32) still moves a full step:
    /// its error is compared with the total movement, 1% of three steps of 0.01 (a wrong sign costs 200%).
    /// </summary>
    private const double AdamStepTolerance = 1e-2 * Steps * 0.01;

    public static TheoryData<string, string> Cases
    {
        get
        {
            var cases = new TheoryData<string, string>();
            foreach (var name in GoldenFile.All)
            {
                foreach (var optimizer in new[] { "sgd", "nesterov", "sgd_wd", "adam", "adamw" })
                {
                    cases.Add(name, optimizer);
                }
            }
            return cases;
        }
    }

    private static Optimizer Create(string kind, IReadOnlyList<ParameterInfo> layout) => kind switch
    {
        "sgd" => new SGD(layout, 0.05, momentum: 0.9),
        "nesterov" => new SGD(layout, 0.05, momentum: 0.9, nesterov: true),
        "sgd_wd" => new SGD(layout, 0.05, momentum: 0.9, weightDecay: 0.1),
        "adam" => new Adam(layout, 0.01, 0.9, 0.999, 1e-8),
        "adamw" => new AdamW(layout, 0.01, 0.9, 0.999, 1e-8, weightDecay: 0.1),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Three_steps_land_on_PyTorchs_parameters(string name, string kind)
    {
        using var golden = new GoldenFile(name);
        if (golden.EvalOnly)
        {
            return;
        }
        using var network = golden.CreateNetwork(seed: 1);
        golden.LoadInitialState(network);
        var initial = network.Parameters.ToArray();
        var optimizer = Create(kind, network.Layout);
        for (var step = 0; step < Steps; step++)
        {
            network.ForwardBackward(golden.Input, golden.Labels, golden.Batch);
            optimizer.Step(network.Parameters, network.Gradients);
        }
        foreach (var info in network.Layout.Where(i => !i.IsBuffer))
        {
            var expected = golden.Floats($"{kind}.{info.Name}");
            var gradient = golden.Floats("grad." + info.Name);
            var actual = network.Parameter(info.Name);
            var adam = kind.StartsWith("adam", StringComparison.Ordinal);
            for (var i = 0; i < actual.Length; i++)
            {
                if (Math.Abs(gradient[i]) < 1e-10f)
                {
                    Assert.InRange(Math.Abs(actual[i] - initial[info.Offset + i]), 0, Steps * 0.05 * (1 + Math.Abs(initial[info.Offset + i])));
                    expected[i] = actual[i];
                }
                else if (adam)
                {
                    var tolerance = 1e-4 * Math.Abs(expected[i]) + AdamStepTolerance;
                    Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance, $"{kind}.{info.Name}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
                }
            }
            if (!adam)
            {
                NumericAssert.Close(expected, actual, 1e-4, $"{kind}.{info.Name}");
            }
        }
    }
}
