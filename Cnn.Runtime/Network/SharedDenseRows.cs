using System;
using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

/// <summary>
/// A one-sample inference pass's large dense layers, split by blocks of weight rows between the calling thread and
/// worker 1 of the network's pool (<see cref="WorkerPool.Share"/>). At batch 1 such a layer reads each weight once,
/// so it is bound by one core's memory bandwidth, which a second core adds to. Every output feature is computed by
/// <see cref="DenseMatVec.ForwardRowBlocks"/> exactly as the one-thread call computes it, so results are bit-identical
/// with or without sharing. One instance per network (<see cref="SharedInference"/>), pointed at each layer in turn: a pass allocates nothing.
/// </summary>
internal sealed class SharedDenseRows(NetworkContext context, SharedInference owner) : IPartedWork
{
    /// <summary>
    /// Weight bytes from which a layer is shared: 1 MiB, ~12 µs on one core, ~9 µs on two. At 512 KiB (~6 µs) the second
    /// core gained nothing (kernel A/B with worker 1 awake, other vCPU idle).
    /// </summary>
    internal const long MinimumWeightBytes = 1 << 20;

    /// <summary>Weight bytes per claimed part (whole row blocks): 256 KiB measured as fast as 512 KiB and faster than 64–128 KiB.</summary>
    private const long PartWeightBytes = 256 << 10;

    private int _inputs, _outputs, _x, _y, _weight, _bias, _blocksPerPart;

    /// <summary>Whether a layer of this size is shared (the paths <see cref="DenseMatVec"/> runs).</summary>
    /// <param name="inputs">Input features.</param>
    /// <param name="outputs">Output features.</param>
    /// <returns>True when its weights are at least <see cref="MinimumWeightBytes"/> and it has two row blocks or more.</returns>
    internal static bool Shares(int inputs, int outputs) =>
        (long)inputs * outputs * sizeof(float) >= MinimumWeightBytes && DenseMatVec.RowBlocks(outputs) > 1 && DenseMatVec.Supports(CpuPath.Auto);

    /// <summary>Computes one sample's <c>y = x·Wᵀ + b</c> on this thread and worker 1.</summary>
    /// <param name="inputs">Input features.</param>
    /// <param name="outputs">Output features.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="weight">Weight offset ([out, in]).</param>
    /// <param name="bias">Bias offset, or -1.</param>
    internal void Forward(int inputs, int outputs, int x, int y, int weight, int bias)
    {
        var blocks = DenseMatVec.RowBlocks(outputs);
        var rowBlockBytes = (long)DenseMatVec.WeightRows * inputs * sizeof(float);
        var blocksPerPart = (int)Math.Clamp(PartWeightBytes / rowBlockBytes, 1, blocks);
        (_inputs, _outputs, _x, _y, _weight, _bias, _blocksPerPart) = (inputs, outputs, x, y, weight, bias, blocksPerPart);
        owner.Run(this, (blocks + blocksPerPart - 1) / blocksPerPart);
    }

    /// <inheritdoc/>
    public void RunPart(int part, int worker) =>
        DenseMatVec.ForwardRowBlocks(_inputs, _outputs, context.Activation(_x, _inputs), context.Parameter(_weight, _inputs * _outputs),
            _bias < 0 ? ReadOnlySpan<float>.Empty : context.Parameter(_bias, _outputs), context.Activation(_y, _outputs), CpuPath.Auto,
            part * _blocksPerPart, _blocksPerPart);
}
