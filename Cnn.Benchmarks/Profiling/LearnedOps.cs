using System;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Model;
using Cnn.Runtime.Network;

namespace Cnn.Benchmarks.Profiling;

/// <summary>
/// A convolution: <see cref="LayerOps.Conv"/> and <see cref="LayerOps.ConvBackward"/>, or, when a BatchNorm reads its output next,
/// <see cref="LayerOps.ConvSummed"/>, whose training forward also sums the output per channel for it.
/// </summary>
internal sealed class ConvOp(string name, ConvGeometry geometry, bool bias, InputGradient mode, bool summed = false)
    : ProfileOp(name, "Conv", new TensorShape(geometry.InChannels, geometry.InHeight, geometry.InWidth), new TensorShape(geometry.OutChannels, geometry.OutHeight, geometry.OutWidth), mode)
{
    private readonly ConvGeometry _g = geometry;
    private float[] _x = [], _y = [], _dx = [], _dy = [], _weight = [], _bias = [], _dWeight = [], _dBias = [], _scratch = [];
    private readonly double[] _sums = new double[2 * geometry.OutChannels];

    /// <summary>The same convolution summing its output for the BatchNorm after it (<see cref="LayerOps.ConvSummed"/>).</summary>
    /// <returns>The summing op.</returns>
    public ConvOp Summed() => new(Name, _g, bias, Mode, summed: true);

    /// <inheritdoc/>
    public override long Parameters => _g.WeightLength + (bias ? _g.OutChannels : 0);

    /// <inheritdoc/>
    public override void Allocate(int batch, Random random)
    {
        _x = Values(batch * _g.InputLength, random);
        _dy = Values(batch * _g.OutputLength, random);
        _y = new float[_dy.Length];
        _dx = new float[_x.Length];
        _weight = Values(_g.WeightLength, random);
        _dWeight = new float[_weight.Length];
        _bias = bias ? Values(_g.OutChannels, random) : [];
        _dBias = new float[_bias.Length];
        _scratch = new float[Math.Max(LayerOps.ConvScratch(in _g, batch), LayerOps.ConvScratch(in _g, 1))];
    }

    /// <inheritdoc/>
    public override void Forward(int batch, bool training)
    {
        // As LayerOps.Conv: a one-sample batch takes the direct kernel where it applies.
        if (batch == 1 && DirectConv.Supports(in _g))
        {
            DirectConv.Forward(in _g, 1, _x.AsSpan(0, _g.InputLength), _weight, _bias, _y.AsSpan(0, _g.OutputLength), _scratch);
            if (summed && training)
            {
                BatchNorm2d.Sums(1, _g.OutChannels, _g.OutPlane, _y.AsSpan(0, _g.OutputLength), _sums.AsSpan(0, _g.OutChannels), _sums.AsSpan(_g.OutChannels), accumulate: false);
            }
            return;
        }
        if (summed && training)
        {
            Conv2d.ForwardSummed(in _g, batch, _x.AsSpan(0, batch * _g.InputLength), _weight, _bias, _y.AsSpan(0, batch * _g.OutputLength), _sums, _scratch, CpuPath.Auto);
            return;
        }
        Conv2d.Forward(in _g, batch, _x.AsSpan(0, batch * _g.InputLength), _weight, _bias, _y.AsSpan(0, batch * _g.OutputLength), _scratch);
    }

    /// <inheritdoc/>
    public override void Backward(int batch)
    {
        var dy = _dy.AsSpan(0, batch * _g.OutputLength);
        Conv2d.BackwardWeights(in _g, batch, _x.AsSpan(0, batch * _g.InputLength), dy, _dWeight, _dBias, accumulate: false, _scratch);
        if (Mode != InputGradient.None)
        {
            Conv2d.BackwardData(in _g, batch, dy, _weight, _dx.AsSpan(0, batch * _g.InputLength), Mode == InputGradient.Accumulate, _scratch);
        }
    }
}

/// <summary>A dense layer: <see cref="LayerOps.Dense"/> (at batch 1 its matrix–vector kernel) and <see cref="LayerOps.DenseBackward"/>.</summary>
internal sealed class DenseOp(string name, int inputs, int outputs, InputGradient mode)
    : ProfileOp(name, "Dense", new TensorShape(inputs, 1, 1, true), new TensorShape(outputs, 1, 1, true), mode)
{
    private float[] _x = [], _y = [], _dx = [], _dy = [], _weight = [], _bias = [], _dWeight = [], _dBias = [], _scratch = [];

    /// <inheritdoc/>
    public override long Parameters => ((long)inputs * outputs) + outputs;

    /// <inheritdoc/>
    public override void Allocate(int batch, Random random)
    {
        _x = Values(batch * inputs, random);
        _dy = Values(batch * outputs, random);
        _y = new float[_dy.Length];
        _dx = new float[_x.Length];
        _weight = Values(inputs * outputs, random);
        _dWeight = new float[_weight.Length];
        _bias = Values(outputs, random);
        _dBias = new float[outputs];
        _scratch = new float[Linear.ScratchLength(batch, inputs, outputs)];
    }

    /// <inheritdoc/>
    public override void Forward(int batch, bool training)
    {
        if (batch == 1 && DenseMatVec.Supports(CpuPath.Auto))
        {
            DenseMatVec.Forward(inputs, outputs, _x.AsSpan(0, inputs), _weight, _bias, _y.AsSpan(0, outputs), CpuPath.Auto);
            return;
        }
        Linear.Forward(batch, inputs, outputs, _x.AsSpan(0, batch * inputs), _weight, _bias, _y.AsSpan(0, batch * outputs), _scratch);
    }

    /// <inheritdoc/>
    public override void Backward(int batch)
    {
        var dy = _dy.AsSpan(0, batch * outputs);
        Linear.BackwardWeights(batch, inputs, outputs, _x.AsSpan(0, batch * inputs), dy, _dWeight, _dBias, accumulate: false, _scratch);
        if (Mode != InputGradient.None)
        {
            Linear.BackwardData(batch, inputs, outputs, dy, _weight, _dx.AsSpan(0, batch * inputs), Mode == InputGradient.Accumulate, _scratch);
        }
    }
}

/// <summary>
/// BatchNorm: <see cref="LayerOps.BatchNorm"/> and <see cref="LayerOps.BatchNormBackward"/>, or with the ReLU after it fused
/// (<see cref="LayerOps.BatchNormRelu"/> and <see cref="LayerOps.BatchNormReluBackward"/>); <paramref name="summed"/> when the
/// convolution before it sums its input (<see cref="LayerOps.ConvBatchNorm"/>: training's forward skips that pass); <paramref name="inJoin"/>
/// when the residual join after it applies it (<see cref="LayerOps.ConvBatchNormStatistics"/>: its forward is the batch statistics alone).
/// </summary>
internal sealed class BatchNormOp(string name, TensorShape shape, InputGradient mode, string? fusedRelu = null, bool summed = false, bool inJoin = false)
    : ProfileOp(name, "BatchNorm", shape, shape, mode, fusedRelu)
{
    /// <summary>Whether the convolution before it sums its input.</summary>
    public bool IsSummed => summed;

    /// <summary>The same BatchNorm applied by the residual join after it, which reads it alone.</summary>
    /// <returns>The op.</returns>
    public BatchNormOp InJoin() => new(Name, Input, Mode, FusedRelu, summed, inJoin: true);

    private readonly int _channels = shape.C;
    private readonly int _plane = shape.H * shape.W;
    private float[] _x = [], _y = [], _dx = [], _dy = [], _gamma = [], _beta = [], _dGamma = [], _dBeta = [];
    private float[] _mean = [], _invStd = [], _runningMean = [], _runningVar = [];
    private double[] _sums = [];

    /// <inheritdoc/>
    public override long Parameters => 2 * _channels;

    /// <inheritdoc/>
    public override void Allocate(int batch, Random random)
    {
        var length = batch * _channels * _plane;
        _x = Values(length, random);
        _dy = Values(length, random);
        _y = new float[length];
        _dx = new float[length];
        _gamma = Values(_channels, random);
        _beta = Values(_channels, random);
        _dGamma = new float[_channels];
        _dBeta = new float[_channels];
        _mean = new float[_channels];
        _invStd = new float[_channels];
        _runningMean = new float[_channels];
        _runningVar = new float[_channels];
        Array.Fill(_runningVar, 1f);
        _sums = new double[2 * _channels];
    }

    /// <inheritdoc/>
    public override void Forward(int batch, bool training)
    {
        var length = batch * _channels * _plane;
        var x = _x.AsSpan(0, length);
        var y = _y.AsSpan(0, length);
        if (!training)
        {
            if (inJoin)
            {
                return;
            }
            if (FusedRelu is null)
            {
                BatchNorm2d.ForwardInference(batch, _channels, _plane, x, _gamma, _beta, _runningMean, _runningVar, 1e-5f, y);
            }
            else
            {
                BatchNorm2d.ForwardInferenceRelu(batch, _channels, _plane, x, _gamma, _beta, _runningMean, _runningVar, 1e-5f, y);
            }
            return;
        }
        var sum = _sums.AsSpan(0, _channels);
        var sumSquares = _sums.AsSpan(_channels, _channels);
        if (!summed)
        {
            BatchNorm2d.Sums(batch, _channels, _plane, x, sum, sumSquares, accumulate: false);
        }
        BatchNorm2d.Statistics((long)batch * _plane, sum, sumSquares, 1e-5f, 0.1f, _mean, _invStd, _runningMean, _runningVar);
        if (inJoin)
        {
            return;
        }
        BatchNorm2d.Normalized(batch, _channels, _plane, x, _gamma, _beta, _mean, _invStd, y, FusedRelu is not null, CpuPath.Auto);
    }

    /// <inheritdoc/>
    /// <remarks>As LayerOps.BatchNormBackward: where dx is written, a fused ReLU's gate is recomputed from x, not read from y.</remarks>
    public override void Backward(int batch)
    {
        var length = batch * _channels * _plane;
        var x = _x.AsSpan(0, length);
        var dy = _dy.AsSpan(0, length);
        var dx = _dx.AsSpan(0, length);
        var sumDy = _sums.AsSpan(0, _channels);
        var sumDyXhat = _sums.AsSpan(_channels, _channels);
        var count = (long)batch * _plane;
        var recomputesGate = FusedRelu is not null && Mode != InputGradient.Accumulate;
        var gate = FusedRelu is not null && !recomputesGate ? _y.AsSpan(0, length) : Span<float>.Empty;
        if (recomputesGate)
        {
            BatchNorm2d.InputGatedGradientSums(batch, _channels, _plane, x, dy, _gamma, _beta, _mean, _invStd, sumDy, sumDyXhat, CpuPath.Auto);
        }
        else
        {
            BatchNorm2d.GatedGradientSums(batch, _channels, _plane, x, gate, dy, _mean, _invStd, sumDy, sumDyXhat, accumulate: false, CpuPath.Auto);
        }
        BatchNorm2d.ParameterGradients(sumDy, sumDyXhat, _dGamma, _dBeta, accumulate: false);
        if (recomputesGate && Mode == InputGradient.Write)
        {
            BatchNorm2d.InputGatedBackwardData(batch, _channels, _plane, x, dy, _gamma, _beta, _mean, _invStd, count, sumDy, sumDyXhat, dx, CpuPath.Auto);
        }
        else if (Mode != InputGradient.None)
        {
            BatchNorm2d.GatedBackwardData(batch, _channels, _plane, x, gate, dy, _gamma, _mean, _invStd, count, sumDy, sumDyXhat, dx, Mode == InputGradient.Accumulate, CpuPath.Auto);
        }
    }
}
