using System;
using System.Collections.Generic;
using Cnn.Runtime.Model;
using Cnn.Runtime.Optim.Kernels;

namespace Cnn.Runtime.Optim;

/// <summary>
/// Adam with L2 weight decay added to the gradient, as torch.optim.Adam (optionally AMSGrad):
/// d = g + λp; m = β₁m + (1 − β₁)d; v = β₂v + (1 − β₂)d²; p = p − lr·m̂ / (√v̂ + ε), bias-corrected
/// per tensor by the number of steps that tensor has taken. For decoupled decay use <see cref="AdamW"/>.
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly AdamHyperparameters _settings;
    private readonly float[] _expAvg;
    private readonly float[] _expAvgSq;
    private readonly float[] _maxExpAvgSq;

    /// <summary>Creates the optimizer over the trainable tensors of <paramref name="layout"/>.</summary>
    /// <param name="layout">The network's tensors (buffers are ignored).</param>
    /// <param name="learningRate">lr (≥ 0); PyTorch's default is 1e-3.</param>
    /// <param name="beta1">β₁ in [0, 1).</param>
    /// <param name="beta2">β₂ in [0, 1).</param>
    /// <param name="epsilon">ε (≥ 0).</param>
    /// <param name="weightDecay">L2 penalty λ (≥ 0).</param>
    /// <param name="amsGrad">Normalize by the running maximum of v (AMSGrad).</param>
    public Adam(IReadOnlyList<ParameterInfo> layout, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0, bool amsGrad = false)
        : base(layout, learningRate)
    {
        _settings = new AdamHyperparameters(beta1, beta2, epsilon, weightDecay, amsGrad);
        _settings.Validate();
        _expAvg = AddState("exp_avg");
        _expAvgSq = AddState("exp_avg_sq");
        _maxExpAvgSq = amsGrad ? AddState("max_exp_avg_sq") : [];
    }

    /// <summary>β₁.</summary>
    public double Beta1 => _settings.Beta1;

    /// <summary>β₂.</summary>
    public double Beta2 => _settings.Beta2;

    /// <summary>ε.</summary>
    public double Epsilon => _settings.Epsilon;

    /// <summary>L2 penalty λ.</summary>
    public double WeightDecay => _settings.WeightDecay;

    /// <summary>Whether AMSGrad is on.</summary>
    public bool AmsGrad => _settings.AmsGrad;

    /// <inheritdoc/>
    protected override bool IsElementwise => true;

    /// <inheritdoc/>
    protected override bool Update(ParameterInfo tensor, int offset, Span<float> parameters, ReadOnlySpan<float> gradients, long step)
    {
        var l2 = DecaysWeight(tensor) ? WeightDecay : 0;
        var coefficients = _settings.Coefficients(LearningRate, step, l2, decoupledDecay: 0);
        return AdamKernel.Update(
            parameters,
            gradients,
            _expAvg.AsSpan(offset, parameters.Length),
            _expAvgSq.AsSpan(offset, parameters.Length),
            AmsGrad ? _maxExpAvgSq.AsSpan(offset, parameters.Length) : Span<float>.Empty,
            coefficients);
    }
}
