using System;
using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

/// <summary>
/// What a convolution shared by blocks of output channels (<see cref="SharedWinograd"/>) does to each block's channels right
/// after computing them, on the thread that computed them: an inference BatchNorm's map (and ReLU) into its output slot, then a max
/// pooling and the ReLU after it. Each is the per-channel computation of the layer's own pass, so the values are those of the passes
/// run after the whole convolution; the other thread then reads only the block's final values, not the convolution's output.
/// </summary>
/// <param name="Maps">Whether a BatchNorm maps the convolution's output.</param>
/// <param name="Gamma">γ offset.</param>
/// <param name="Beta">β offset.</param>
/// <param name="RunningMean">Running-mean offset in the buffer arena.</param>
/// <param name="RunningVar">Running-variance offset in the buffer arena.</param>
/// <param name="Eps">ε.</param>
/// <param name="Normalized">The BatchNorm's output slot.</param>
/// <param name="Relu">Whether a ReLU follows the BatchNorm (not the pooling).</param>
/// <param name="Pools">Whether a max pooling, then a ReLU, reads the convolution's (or the BatchNorm's) output.</param>
/// <param name="Pool">The pooling's geometry (of all channels).</param>
/// <param name="Pooled">The pooling's output slot.</param>
internal readonly record struct BlockEpilogue(bool Maps, int Gamma, int Beta, int RunningMean, int RunningVar, float Eps, int Normalized, bool Relu,
    bool Pools, PoolGeometry Pool, int Pooled)
{
    /// <summary>Nothing after the convolution.</summary>
    internal static BlockEpilogue None => default;

    /// <summary>A BatchNorm with its running statistics, and a ReLU when <paramref name="relu"/>.</summary>
    internal static BlockEpilogue Normalizing(int gamma, int beta, int runningMean, int runningVar, float eps, int normalized, bool relu) =>
        new(true, gamma, beta, runningMean, runningVar, eps, normalized, relu, false, default, -1);

    /// <summary>A max pooling of the convolution's output, then a ReLU.</summary>
    internal static BlockEpilogue Pooling(in PoolGeometry pool, int pooled) => new(false, -1, -1, -1, -1, 0f, -1, false, true, pool, pooled);

    /// <summary>A BatchNorm with its running statistics, then a max pooling of its output and a ReLU.</summary>
    internal static BlockEpilogue NormalizingPooling(int gamma, int beta, int runningMean, int runningVar, float eps, int normalized, in PoolGeometry pool, int pooled) =>
        new(true, gamma, beta, runningMean, runningVar, eps, normalized, false, true, pool, pooled);

    /// <summary>Applies the epilogue to channels <paramref name="first"/> … + <paramref name="count"/> of one sample.</summary>
    /// <param name="context">Worker 0's context (whose slots the pass uses).</param>
    /// <param name="g">The convolution.</param>
    /// <param name="y">The convolution's output slot.</param>
    /// <param name="first">First channel.</param>
    /// <param name="count">Channels.</param>
    internal void Apply(NetworkContext context, in ConvGeometry g, int y, int first, int count)
    {
        var plane = g.OutPlane;
        var source = context.Activation(y, g.OutputLength).Slice(first * plane, count * plane);
        if (Maps)
        {
            var channels = g.OutChannels;
            var map = context.InferenceMap(channels, Gamma, Beta, RunningMean, RunningVar, Eps).From(first);
            var normalized = context.Activation(Normalized, g.OutputLength).Slice(first * plane, count * plane);
            BatchNorm2d.Mapped(1, count, plane, source, map, normalized, Relu, CpuPath.Auto);
            source = normalized;
        }
        if (Pools)
        {
            var pool = new PoolGeometry(count, Pool.InHeight, Pool.InWidth, Pool.Size, Pool.Stride, Pool.Pad, Pool.CeilMode);
            var pooledPlane = Pool.OutHeight * Pool.OutWidth;
            LayerOps.PooledRelu(in pool, 1, source, context.Activation(Pooled, Pool.OutputLength).Slice(first * pooledPlane, count * pooledPlane), []);
        }
    }

    /// <summary>
    /// The BatchNorm map (and ReLU) on output rows [<paramref name="firstRow"/>, <paramref name="endRow"/>) of every channel of
    /// <paramref name="g"/>'s output, on the thread that computed them (<see cref="SharedWinograd"/>): the values <see cref="Apply"/>
    /// gives them. An epilogue that pools takes whole channels, never rows.
    /// </summary>
    /// <param name="context">Worker 0's context (the pass's).</param>
    /// <param name="g">The convolution.</param>
    /// <param name="y">Its output slot.</param>
    /// <param name="firstRow">The first row.</param>
    /// <param name="endRow">The row past the last.</param>
    internal void ApplyRows(NetworkContext context, in ConvGeometry g, int y, int firstRow, int endRow)
    {
        if (Pools)
        {
            throw new InvalidOperationException("A pooling epilogue applies to whole channels, not to rows.");
        }
        if (!Maps || endRow <= firstRow)
        {
            return;
        }
        int channels = g.OutChannels, plane = g.OutPlane, offset = firstRow * g.OutWidth;
        var map = context.InferenceMap(channels, Gamma, Beta, RunningMean, RunningVar, Eps);
        BatchNorm2d.MappedRuns(channels, context.Activation(y, g.OutputLength), offset, plane, map, context.Activation(Normalized, g.OutputLength), offset, plane,
            (endRow - firstRow) * g.OutWidth, Relu, CpuPath.Auto);
    }
}
