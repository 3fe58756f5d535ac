using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

/// <summary>
/// A one-sample inference pass's residual join on a large map (<see cref="LayerOps.NormalizedAddRelu"/> and its kin) split between the
/// calling thread and worker 1 by halves of each channel's plane, top and bottom as <see cref="SharedWinograd"/> gives them to each
/// thread (<see cref="RowHalves"/>): each thread joins the rows it computed, so neither reads the other's (a line the other core wrote
/// costs about 12 ns on this VM). Every value is the one the whole join gives (<see cref="BatchNorm2d.NormalizedSumRuns"/>). One
/// instance per network (<see cref="SharedInference"/>): a pass allocates nothing.
/// </summary>
internal sealed class SharedJoinRows(NetworkContext context, SharedInference owner) : IPartedWork
{
    /// <summary>
    /// Values per channel from which a join is split: a 32×32 map. resnet8's 16×16 join, whose shortcut side worker 0 computes alone,
    /// measured no faster split (batch-1 medians 121–159 µs split against 118–146 µs not, three pairs of processes).
    /// </summary>
    internal const int MinimumPlane = 1024;

    private int _channels;
    private int _plane;
    private JoinSide _a;
    private JoinSide _b;
    private int _y;
    private bool _relu;
    private RowHalves _halves;

    /// <summary>Joins one sample's two sides into <paramref name="y"/> by halves on this thread and worker 1.</summary>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Values per channel, at least <see cref="MinimumPlane"/>.</param>
    /// <param name="a">The first side.</param>
    /// <param name="b">The second side.</param>
    /// <param name="y">The output slot.</param>
    /// <param name="relu">Whether a ReLU follows the sum.</param>
    internal void Forward(int channels, int plane, in JoinSide a, in JoinSide b, int y, bool relu)
    {
        (_channels, _plane, _a, _b, _y, _relu, _halves) = (channels, plane, a, b, y, relu, default);
        owner.Run(this, 2);
    }

    /// <summary>
    /// Joins a half of every channel's plane, the top one (its length rounded down to whole 16-float vectors) on the caller and the
    /// bottom one on worker 1, or both on the caller when it claims both parts (<see cref="RowHalves"/>).
    /// </summary>
    /// <param name="part">The part claimed (either claim joins one half).</param>
    /// <param name="worker">0 for the caller, 1 for worker 1.</param>
    public void RunPart(int part, int worker)
    {
        var half = _halves.Take(worker);
        var middle = _plane / 2 / 16 * 16;
        var first = half == 0 ? 0 : middle;
        var length = half == 0 ? middle : _plane - middle;
        var total = _channels * _plane;
        BatchNorm2d.NormalizedSumRuns(_channels, _plane, first, length, context.Activation(_a.Slot, total), _a.InferenceMap(context, _channels),
            context.Activation(_b.Slot, total), _b.InferenceMap(context, _channels), context.Activation(_y, total), _relu, CpuPath.Auto);
    }
}

/// <summary>One side of a residual join: its slot, and the BatchNorm the join applies to it (γ offset ≥ 0) or none (-1).</summary>
/// <param name="Slot">The side's activation slot.</param>
/// <param name="Gamma">Its BatchNorm's γ offset, or -1.</param>
/// <param name="Beta">β offset.</param>
/// <param name="RunningMean">Running-mean offset in the buffer arena.</param>
/// <param name="RunningVar">Running-variance offset in the buffer arena.</param>
/// <param name="Eps">ε.</param>
internal readonly record struct JoinSide(int Slot, int Gamma, int Beta, int RunningMean, int RunningVar, float Eps)
{
    /// <summary>The side's map in inference: its BatchNorm's with the running statistics, or none.</summary>
    /// <param name="context">The pass's context.</param>
    /// <param name="channels">Channels.</param>
    /// <returns>The map.</returns>
    internal BatchNorm2d.ChannelAffine InferenceMap(NetworkContext context, int channels) =>
        Gamma < 0 ? BatchNorm2d.ChannelAffine.None
        : context.InferenceMap(channels, Gamma, Beta, RunningMean, RunningVar, Eps);
}
