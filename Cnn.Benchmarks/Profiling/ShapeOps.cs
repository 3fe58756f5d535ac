using System;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Model;
using Cnn.Runtime.Network;

namespace Cnn.Benchmarks.Profiling;

/// <summary>Values in, values out, nothing learned: the buffers every unlearned op needs.</summary>
internal abstract class UnlearnedOp(string name, string kind, TensorShape input, TensorShape output, InputGradient mode, string? fusedRelu = null)
    : ProfileOp(name, kind, input, output, mode, fusedRelu)
{
    /// <summary>Input values.</summary>
    protected float[] X { get; private set; } = [];

    /// <summary>Output values.</summary>
    protected float[] Y { get; private set; } = [];

    /// <summary>Input gradient.</summary>
    protected float[] DX { get; private set; } = [];

    /// <summary>Output gradient.</summary>
    protected float[] DY { get; private set; } = [];

    /// <summary>Scratch for an accumulating elementwise backward, as <see cref="LayerOps"/> uses.</summary>
    protected float[] Scratch { get; private set; } = [];

    /// <inheritdoc/>
    public override void Allocate(int batch, Random random)
    {
        X = Values(batch * Input.Elements, random);
        Y = new float[batch * Output.Elements];
        DX = new float[X.Length];
        DY = Values(Y.Length, random);
        Scratch = Mode == InputGradient.Accumulate ? new float[X.Length] : [];
    }

    /// <summary>Writes an elementwise input gradient through <paramref name="write"/>, adding it to <see cref="DX"/> when the mode accumulates.</summary>
    /// <param name="length">Values.</param>
    /// <param name="write">Writes the gradient into its argument.</param>
    protected void DeliverElementwise(int length, SpanWriter write)
    {
        if (Mode == InputGradient.Accumulate)
        {
            write(Scratch.AsSpan(0, length));
            TensorOps.AddInPlace(DX.AsSpan(0, length), Scratch.AsSpan(0, length));
        }
        else if (Mode == InputGradient.Write)
        {
            write(DX.AsSpan(0, length));
        }
    }

    /// <summary>Writes values into a span.</summary>
    /// <param name="target">The span.</param>
    protected delegate void SpanWriter(Span<float> target);
}

/// <summary>ReLU: <see cref="LayerOps.Relu"/> and <see cref="LayerOps.ReluBackward"/>.</summary>
internal sealed class ReluOp(string name, TensorShape shape, InputGradient mode) : UnlearnedOp(name, "Relu", shape, shape, mode)
{
    /// <inheritdoc/>
    public override void Forward(int batch, bool training) =>
        Activations.Relu(X.AsSpan(0, batch * Input.Elements), Y.AsSpan(0, batch * Input.Elements));

    /// <inheritdoc/>
    public override void Backward(int batch)
    {
        var length = batch * Input.Elements;
        DeliverElementwise(length, target => Activations.ReluBackward(Y.AsSpan(0, length), DY.AsSpan(0, length), target));
    }
}

/// <summary>
/// Max pooling: <see cref="LayerOps.MaxPool"/> and <see cref="LayerOps.MaxPoolBackward"/>, or with the ReLU before it fused
/// (<see cref="LayerOps.MaxPoolRelu"/>: pooled, then rectified, and the gradient gated before the scatter).
/// </summary>
internal sealed class MaxPoolOp(string name, PoolGeometry geometry, InputGradient mode, string? fusedRelu = null)
    : UnlearnedOp(name, "MaxPool", new TensorShape(geometry.Channels, geometry.InHeight, geometry.InWidth), new TensorShape(geometry.Channels, geometry.OutHeight, geometry.OutWidth), mode, fusedRelu)
{
    private readonly PoolGeometry _g = geometry;
    private int[] _argmax = [];
    private float[] _gated = [];

    /// <inheritdoc/>
    public override void Allocate(int batch, Random random)
    {
        base.Allocate(batch, random);
        _argmax = new int[batch * _g.OutputLength];
        _gated = FusedRelu is null ? [] : new float[batch * _g.OutputLength];
    }

    /// <inheritdoc/>
    public override void Forward(int batch, bool training)
    {
        var y = Y.AsSpan(0, batch * _g.OutputLength);
        MaxPool2d.Forward(in _g, batch, X.AsSpan(0, batch * _g.InputLength), y, training ? _argmax.AsSpan(0, batch * _g.OutputLength) : []);
        if (FusedRelu is not null)
        {
            Activations.Relu(y, y);
        }
    }

    /// <inheritdoc/>
    public override void Backward(int batch)
    {
        var dy = DY.AsSpan(0, batch * _g.OutputLength);
        if (FusedRelu is not null)
        {
            Activations.ReluBackward(Y.AsSpan(0, dy.Length), dy, _gated.AsSpan(0, dy.Length));
            dy = _gated.AsSpan(0, dy.Length);
        }
        MaxPool2d.Backward(in _g, batch, dy, _argmax.AsSpan(0, batch * _g.OutputLength), DX.AsSpan(0, batch * _g.InputLength), Mode == InputGradient.Accumulate);
    }
}

/// <summary>Global average pooling: <see cref="LayerOps.GlobalAvgPool"/> and its backward.</summary>
internal sealed class GlobalAvgPoolOp(string name, TensorShape input, InputGradient mode)
    : UnlearnedOp(name, "GlobalAvgPool", input, new TensorShape(input.C, 1, 1), mode)
{
    /// <inheritdoc/>
    public override void Forward(int batch, bool training) =>
        GlobalAvgPool2d.Forward(batch, Input.C, Input.H * Input.W, X.AsSpan(0, batch * Input.Elements), Y.AsSpan(0, batch * Input.C));

    /// <inheritdoc/>
    public override void Backward(int batch) =>
        GlobalAvgPool2d.Backward(batch, Input.C, Input.H * Input.W, DY.AsSpan(0, batch * Input.C), DX.AsSpan(0, batch * Input.Elements), Mode == InputGradient.Accumulate);
}

/// <summary>
/// A residual join <c>y = body + shortcut</c>: <see cref="LayerOps.Add"/> and <see cref="LayerOps.AddBackward"/> (both gradients
/// written), or with the ReLU after it fused (<see cref="LayerOps.AddRelu"/>: the gated gradient written once and copied); with
/// <paramref name="mappedSides"/> BatchNorms that it applies (<see cref="LayerOps.NormalizedAdd"/>; one side costs the same whichever it is).
/// </summary>
internal sealed class ResidualJoinOp(string name, TensorShape shape, string? fusedRelu = null, int mappedSides = 0)
    : UnlearnedOp(name, "Residual join", shape, shape, InputGradient.Write, fusedRelu)
{
    private float[] _shortcut = [], _dShortcut = [], _gamma = [], _beta = [], _mean = [], _spread = [];

    /// <summary>The same join with <paramref name="relu"/> fused (or none).</summary>
    /// <param name="relu">The ReLU's name, or null.</param>
    /// <returns>The op.</returns>
    public ResidualJoinOp WithRelu(string? relu) => new(Name, Input, relu, mappedSides);

    /// <inheritdoc/>
    public override void Allocate(int batch, Random random)
    {
        base.Allocate(batch, random);
        _shortcut = Values(X.Length, random);
        _dShortcut = new float[X.Length];
        _gamma = Values(Input.C, random);
        _beta = Values(Input.C, random);
        _mean = Values(Input.C, random);
        _spread = Array.ConvertAll(Values(Input.C, random), v => 0.5f + Math.Abs(v));
    }

    /// <inheritdoc/>
    public override void Forward(int batch, bool training)
    {
        var length = batch * Input.Elements;
        if (mappedSides > 0)
        {
            var map = training ? BatchNorm2d.ChannelAffine.Training(_gamma, _beta, _mean, _spread)
                : BatchNorm2d.ChannelAffine.Inference(_gamma, _beta, _mean, _spread, 1e-5f);
            BatchNorm2d.NormalizedSum(batch, Input.C, Input.H * Input.W, X.AsSpan(0, length), map, _shortcut.AsSpan(0, length),
                mappedSides == 2 ? map : BatchNorm2d.ChannelAffine.None, Y.AsSpan(0, length), FusedRelu is not null, CpuPath.Auto);
            return;
        }
        if (FusedRelu is null)
        {
            TensorOps.Add(X.AsSpan(0, length), _shortcut.AsSpan(0, length), Y.AsSpan(0, length));
        }
        else
        {
            TensorOps.AddRelu(X.AsSpan(0, length), _shortcut.AsSpan(0, length), Y.AsSpan(0, length));
        }
    }

    /// <inheritdoc/>
    public override void Backward(int batch)
    {
        var length = batch * Input.Elements;
        var dx = DX.AsSpan(0, length);
        if (FusedRelu is null)
        {
            DY.AsSpan(0, length).CopyTo(dx);
        }
        else
        {
            Activations.ReluBackward(Y.AsSpan(0, length), DY.AsSpan(0, length), dx);
        }
        dx.CopyTo(_dShortcut);
    }
}

/// <summary>Inverted dropout: <see cref="LayerOps.Dropout"/> (a copy in inference) and <see cref="LayerOps.DropoutBackward"/>.</summary>
internal sealed class DropoutOp(string name, TensorShape shape, float rate, InputGradient mode) : UnlearnedOp(name, "Dropout", shape, shape, mode)
{
    private float[] _mask = [];
    private long _step;

    /// <inheritdoc/>
    public override void Allocate(int batch, Random random)
    {
        base.Allocate(batch, random);
        _mask = new float[X.Length];
    }

    /// <inheritdoc/>
    public override void Forward(int batch, bool training)
    {
        var length = batch * Input.Elements;
        if (!training)
        {
            X.AsSpan(0, length).CopyTo(Y);
            return;
        }
        InvertedDropout.Forward(batch, Input.Elements, X.AsSpan(0, length), Y.AsSpan(0, length), _mask.AsSpan(0, length), rate, seed: 0, _step++, firstSample: 0);
    }

    /// <inheritdoc/>
    public override void Backward(int batch)
    {
        var length = batch * Input.Elements;
        DeliverElementwise(length, target => InvertedDropout.Backward(DY.AsSpan(0, length), _mask.AsSpan(0, length), target));
    }
}
