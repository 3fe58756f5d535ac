using System;
using System.Collections.Generic;
using Cnn.Runtime.Model;
using Cnn.Runtime.Optim.Kernels;

namespace Cnn.Runtime.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov look-ahead and L2 weight
/// decay, as torch.optim.SGD: d = g + λp; b = μb + (1 − dampening)·d (b = d on a tensor's first
/// step); d = nesterov ? d + μb : b; p = p − lr·d.
/// </summary>
public sealed class SGD : Optimizer
{
    private readonly float[] _momentumBuffer;

    /// <summary>Creates the optimizer over the trainable tensors of <paramref name="layout"/>.</summary>
    /// <param name="layout">The network's tensors (buffers are ignored).</param>
    /// <param name="learningRate">lr (≥ 0).</param>
    /// <param name="momentum">μ (≥ 0); 0 keeps no state.</param>
    /// <param name="dampening">Share of the new gradient withheld from the buffer (≥ 0).</param>
    /// <param name="nesterov">Nesterov momentum; needs μ &gt; 0 and no dampening, as in PyTorch.</param>
    /// <param name="weightDecay">L2 penalty λ (≥ 0), added to the gradient.</param>
    public SGD(IReadOnlyList<ParameterInfo> layout, double learningRate, double momentum = 0, double dampening = 0, bool nesterov = false, double weightDecay = 0)
        : base(layout, learningRate)
    {
        if (!(momentum >= 0) || !(dampening >= 0) || !(weightDecay >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), $"Momentum ({momentum}), dampening ({dampening}) and weight decay ({weightDecay}) must be non-negative.");
        }
        if (nesterov && (momentum <= 0 || dampening != 0))
        {
            throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening.", nameof(nesterov));
        }
        Momentum = momentum;
        Dampening = dampening;
        Nesterov = nesterov;
        WeightDecay = weightDecay;
        _momentumBuffer = momentum != 0 ? AddState("momentum_buffer") : [];
    }

    /// <summary>μ.</summary>
    public double Momentum { get; }

    /// <summary>Dampening.</summary>
    public double Dampening { get; }

    /// <summary>Whether the update uses Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <summary>L2 penalty λ.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc/>
    protected override bool IsElementwise => true;

    /// <inheritdoc/>
    protected override bool Update(ParameterInfo tensor, int offset, Span<float> parameters, ReadOnlySpan<float> gradients, long step)
    {
        var coefficients = new SgdCoefficients(
            NegativeLearningRate: (float)-LearningRate,
            WeightDecay: DecaysWeight(tensor) ? (float)WeightDecay : 0f,
            Momentum: (float)Momentum,
            Keep: (float)(1 - Dampening),
            FirstStep: step == 1,
            Nesterov: Nesterov);
        var buffer = Momentum != 0 ? _momentumBuffer.AsSpan(offset, parameters.Length) : Span<float>.Empty;
        return SgdKernel.Update(parameters, gradients, buffer, coefficients);
    }
}
