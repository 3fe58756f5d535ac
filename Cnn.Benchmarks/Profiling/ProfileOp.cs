using System;
using Cnn.Benchmarks.Measurement;
using Cnn.Runtime.Model;
using Cnn.Runtime.Network;

namespace Cnn.Benchmarks.Profiling;

/// <summary>
/// One generated layer statement as its kernel calls, on buffers of its own: what
/// <see cref="LayerOps"/> would do with the same geometry, minus the arena bookkeeping. Every
/// buffer is sized for the largest batch the profiler passes.
/// </summary>
internal abstract class ProfileOp
{
    /// <summary>Creates the op.</summary>
    /// <param name="name">The layer's dotted name in the generated summary.</param>
    /// <param name="kind">What it is (Conv, BatchNorm…).</param>
    /// <param name="input">Per-sample input shape.</param>
    /// <param name="output">Per-sample output shape.</param>
    /// <param name="mode">How the generated backward delivers the input gradient.</param>
    /// <param name="fusedRelu">The name of a ReLU the generator fuses into this layer, or null.</param>
    protected ProfileOp(string name, string kind, TensorShape input, TensorShape output, InputGradient mode, string? fusedRelu = null)
    {
        Name = name;
        FusedRelu = fusedRelu;
        Kind = fusedRelu is null ? kind : kind + " + Relu";
        Input = input;
        Output = output;
        Mode = mode;
    }

    /// <summary>The layer's dotted name.</summary>
    public string Name { get; }

    /// <summary>The ReLU fused into this layer (after a BatchNorm or join, before a MaxPool), or null.</summary>
    public string? FusedRelu { get; }

    /// <summary>What it is.</summary>
    public string Kind { get; }

    /// <summary>Per-sample input shape.</summary>
    public TensorShape Input { get; }

    /// <summary>Per-sample output shape.</summary>
    public TensorShape Output { get; }

    /// <summary>How the backward pass delivers the input gradient.</summary>
    public InputGradient Mode { get; }

    /// <summary>Learned values, as the generated summary counts them.</summary>
    public virtual long Parameters => 0;

    /// <summary>Allocates the buffers for up to <paramref name="batch"/> samples and fills them with normal values.</summary>
    /// <param name="batch">The largest batch.</param>
    /// <param name="random">The source of values.</param>
    public abstract void Allocate(int batch, Random random);

    /// <summary>The forward statement for <paramref name="batch"/> samples.</summary>
    /// <param name="batch">Samples.</param>
    /// <param name="training">Training mode (batch statistics, dropout).</param>
    public abstract void Forward(int batch, bool training);

    /// <summary>The backward statement (after a training forward of the same batch).</summary>
    /// <param name="batch">Samples.</param>
    public abstract void Backward(int batch);

    /// <summary>A buffer of normal values.</summary>
    /// <param name="length">Values.</param>
    /// <param name="random">The source.</param>
    /// <returns>The buffer.</returns>
    protected static float[] Values(int length, Random random) => SyntheticBatch.Gaussian(length, random);
}
