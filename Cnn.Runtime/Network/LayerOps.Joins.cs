using System;
using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

public static partial class LayerOps
{
    /// <summary>Residual join forward: <c>y = a + b</c>.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="length">Values per sample.</param>
    /// <param name="a">The body's output slot.</param>
    /// <param name="b">The shortcut's output slot (or the residual's input).</param>
    /// <param name="y">Output slot.</param>
    public static void Add(NetworkContext context, int length, int a, int b, int y) =>
        TensorOps.Add(context.Activation(a, length), context.Activation(b, length), context.Activation(y, length));

    /// <summary>
    /// Residual join forward, <c>y = a′ + b′</c>, where a side whose BatchNorm runs here (its only reader is this join:
    /// <see cref="ConvBatchNormStatistics"/>) is that BatchNorm's map of its convolution's output, and any other side is its
    /// slot as it is: the same values as the BatchNorm's pass and <see cref="Add"/>, without writing the normalized tensor.
    /// </summary>
    /// <param name="context">The worker.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Values per channel per sample.</param>
    /// <param name="a">The body's slot: its BatchNorm's input when <paramref name="aGamma"/> ≥ 0, else its output.</param>
    /// <param name="aGamma">The body's BatchNorm γ offset, or -1 for none.</param>
    /// <param name="aBeta">Its β offset.</param>
    /// <param name="aRunningMean">Its running-mean offset.</param>
    /// <param name="aRunningVar">Its running-variance offset.</param>
    /// <param name="aState">Its saved-statistics offset.</param>
    /// <param name="aEps">Its ε.</param>
    /// <param name="b">The shortcut's slot, as <paramref name="a"/>.</param>
    /// <param name="bGamma">The shortcut's BatchNorm γ offset, or -1 for none.</param>
    /// <param name="bBeta">Its β offset.</param>
    /// <param name="bRunningMean">Its running-mean offset.</param>
    /// <param name="bRunningVar">Its running-variance offset.</param>
    /// <param name="bState">Its saved-statistics offset.</param>
    /// <param name="bEps">Its ε.</param>
    /// <param name="y">Output slot.</param>
    public static void NormalizedAdd(NetworkContext context, int channels, int plane, int a, int aGamma, int aBeta, int aRunningMean, int aRunningVar, int aState,
        float aEps, int b, int bGamma, int bBeta, int bRunningMean, int bRunningVar, int bState, float bEps, int y) =>
        Join(context, channels, plane, new JoinSide(a, aGamma, aBeta, aRunningMean, aRunningVar, aEps), aState,
            new JoinSide(b, bGamma, bBeta, bRunningMean, bRunningVar, bEps), bState, y, relu: false);

    /// <summary><see cref="NormalizedAdd(NetworkContext, int, int, int, int, int, int, int, int, float, int, int, int, int, int, int, float, int)"/> then ReLU.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Values per channel per sample.</param>
    /// <param name="a">The body's slot: its BatchNorm's input when <paramref name="aGamma"/> ≥ 0, else its output.</param>
    /// <param name="aGamma">The body's BatchNorm γ offset, or -1 for none.</param>
    /// <param name="aBeta">Its β offset.</param>
    /// <param name="aRunningMean">Its running-mean offset.</param>
    /// <param name="aRunningVar">Its running-variance offset.</param>
    /// <param name="aState">Its saved-statistics offset.</param>
    /// <param name="aEps">Its ε.</param>
    /// <param name="b">The shortcut's slot, as <paramref name="a"/>.</param>
    /// <param name="bGamma">The shortcut's BatchNorm γ offset, or -1 for none.</param>
    /// <param name="bBeta">Its β offset.</param>
    /// <param name="bRunningMean">Its running-mean offset.</param>
    /// <param name="bRunningVar">Its running-variance offset.</param>
    /// <param name="bState">Its saved-statistics offset.</param>
    /// <param name="bEps">Its ε.</param>
    /// <param name="y">Output slot (the ReLU's).</param>
    public static void NormalizedAddRelu(NetworkContext context, int channels, int plane, int a, int aGamma, int aBeta, int aRunningMean, int aRunningVar, int aState,
        float aEps, int b, int bGamma, int bBeta, int bRunningMean, int bRunningVar, int bState, float bEps, int y) =>
        Join(context, channels, plane, new JoinSide(a, aGamma, aBeta, aRunningMean, aRunningVar, aEps), aState,
            new JoinSide(b, bGamma, bBeta, bRunningMean, bRunningVar, bEps), bState, y, relu: true);

    /// <summary>
    /// A join of two sides, each mapped by its BatchNorm or not: split by rows with worker 1 in a one-sample pass that shares its
    /// convolutions, on a map <see cref="SharedWinograd"/> splits (<see cref="SharedJoinRows"/>), else whole on this thread.
    /// </summary>
    private static void Join(NetworkContext context, int channels, int plane, in JoinSide a, int aState, in JoinSide b, int bState, int y, bool relu)
    {
        if (!context.Training && context.TotalBatch == 1 && context.Shared is { } shared && plane >= SharedJoinRows.MinimumPlane && shared.SharesConvolutions())
        {
            shared.JoinRows.Forward(channels, plane, a, b, y, relu);
            return;
        }
        NormalizedSum(context, channels, plane, a.Slot, Map(context, channels, a, aState), b.Slot, Map(context, channels, b, bState), y, relu);
    }

    private static void NormalizedSum(NetworkContext context, int channels, int plane, int a, scoped in BatchNorm2d.ChannelAffine aMap, int b,
        scoped in BatchNorm2d.ChannelAffine bMap, int y, bool relu)
    {
        var length = channels * plane;
        BatchNorm2d.NormalizedSum(context.Batch, channels, plane, context.Activation(a, length), aMap, context.Activation(b, length), bMap,
            context.Activation(y, length), relu, CpuPath.Auto);
    }

    /// <summary>A join side's BatchNorm map: the batch statistics (at <paramref name="state"/>) in training, the running ones in inference; none without a BatchNorm.</summary>
    private static BatchNorm2d.ChannelAffine Map(NetworkContext context, int channels, in JoinSide side, int state) =>
        side.Gamma >= 0 && context.Training
            ? BatchNorm2d.ChannelAffine.Training(context.Parameter(side.Gamma, channels), context.Parameter(side.Beta, channels), context.StateSlot(state, channels),
                context.StateSlot(state + channels, channels))
            : side.InferenceMap(context, channels);

    /// <summary>
    /// Backward of <see cref="NormalizedAdd(NetworkContext, int, int, int, int, int, int, int, int, float, int, int, int, int, int, int, float, int)"/>
    /// with the backward of each BatchNorm it applies (whose own statements emit nothing): <see cref="BatchNorm2d.NormalizedSumBackward"/>.
    /// </summary>
    /// <param name="context">The worker.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Values per channel per sample.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="a">The body's slot: its BatchNorm's input when <paramref name="aGamma"/> ≥ 0, else the side itself.</param>
    /// <param name="aGamma">The body's BatchNorm γ offset, or -1 for none.</param>
    /// <param name="aBeta">Its β offset.</param>
    /// <param name="aState">Its saved-statistics offset.</param>
    /// <param name="aTrains">Whether its γ and β train.</param>
    /// <param name="modeA">How to deliver <paramref name="a"/>'s gradient.</param>
    /// <param name="b">The shortcut's slot, as <paramref name="a"/>.</param>
    /// <param name="bGamma">The shortcut's BatchNorm γ offset, or -1 for none.</param>
    /// <param name="bBeta">Its β offset.</param>
    /// <param name="bState">Its saved-statistics offset.</param>
    /// <param name="bTrains">Whether its γ and β train.</param>
    /// <param name="modeB">How to deliver <paramref name="b"/>'s gradient.</param>
    public static void NormalizedAddBackward(NetworkContext context, int channels, int plane, int y, int a, int aGamma, int aBeta, int aState, bool aTrains,
        InputGradient modeA, int b, int bGamma, int bBeta, int bState, bool bTrains, InputGradient modeB) =>
        NormalizedSumBackward(context, channels, plane, y, a, aGamma, aBeta, aState, aTrains, modeA, b, bGamma, bBeta, bState, bTrains, modeB, relu: false);

    /// <summary>
    /// Backward of <see cref="NormalizedAddRelu"/>: <see cref="NormalizedAddBackward"/> with the gradient gated by the ReLU's output. The gated
    /// gradient is written once: into a plain side's gradient when that side is written, else into scratch.
    /// </summary>
    /// <param name="context">The worker.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Values per channel per sample.</param>
    /// <param name="y">Output slot (the ReLU's).</param>
    /// <param name="a">The body's slot: its BatchNorm's input when <paramref name="aGamma"/> ≥ 0, else the side itself.</param>
    /// <param name="aGamma">The body's BatchNorm γ offset, or -1 for none.</param>
    /// <param name="aBeta">Its β offset.</param>
    /// <param name="aState">Its saved-statistics offset.</param>
    /// <param name="aTrains">Whether its γ and β train.</param>
    /// <param name="modeA">How to deliver <paramref name="a"/>'s gradient.</param>
    /// <param name="b">The shortcut's slot, as <paramref name="a"/>.</param>
    /// <param name="bGamma">The shortcut's BatchNorm γ offset, or -1 for none.</param>
    /// <param name="bBeta">Its β offset.</param>
    /// <param name="bState">Its saved-statistics offset.</param>
    /// <param name="bTrains">Whether its γ and β train.</param>
    /// <param name="modeB">How to deliver <paramref name="b"/>'s gradient.</param>
    public static void NormalizedAddReluBackward(NetworkContext context, int channels, int plane, int y, int a, int aGamma, int aBeta, int aState, bool aTrains,
        InputGradient modeA, int b, int bGamma, int bBeta, int bState, bool bTrains, InputGradient modeB) =>
        NormalizedSumBackward(context, channels, plane, y, a, aGamma, aBeta, aState, aTrains, modeA, b, bGamma, bBeta, bState, bTrains, modeB, relu: true);

    private static void NormalizedSumBackward(NetworkContext context, int channels, int plane, int y, int a, int aGamma, int aBeta, int aState, bool aTrains,
        InputGradient modeA, int b, int bGamma, int bBeta, int bState, bool bTrains, InputGradient modeB, bool relu)
    {
        var length = channels * plane;
        // A plain side that is written receives the gated gradient where it is computed, and delivers nothing more.
        var gatedInA = relu && aGamma < 0 && modeA == InputGradient.Write;
        var gatedInB = relu && !gatedInA && bGamma < 0 && modeB == InputGradient.Write;
        var gated = !relu ? Span<float>.Empty
            : gatedInA ? context.ActivationGradient(a, length)
            : gatedInB ? context.ActivationGradient(b, length)
            : context.Scratch.Slice(0, length * context.Batch);
        var sums = context.Doubles(4 * channels);
        var sideA = Side(context, channels, length, a, aGamma, aBeta, aState, aTrains, gatedInA ? InputGradient.None : modeA, sums[..(2 * channels)]);
        var sideB = Side(context, channels, length, b, bGamma, bBeta, bState, bTrains, gatedInB ? InputGradient.None : modeB, sums.Slice(2 * channels, 2 * channels));
        BatchNorm2d.NormalizedSumBackward(context.Batch, channels, plane, relu ? context.Activation(y, length) : ReadOnlySpan<float>.Empty,
            context.ActivationGradient(y, length), gated, sideA, sideB, CpuPath.Auto);
    }

    /// <summary>One side of a join's backward: its BatchNorm's (γ offset ≥ 0) or its own.</summary>
    private static BatchNorm2d.JoinSideGradient Side(NetworkContext context, int channels, int length, int slot, int gamma, int beta, int state, bool trains,
        InputGradient mode, Span<double> sums)
    {
        var target = mode == InputGradient.None ? Span<float>.Empty : context.ActivationGradient(slot, length);
        var accumulate = mode == InputGradient.Accumulate;
        if (gamma < 0)
        {
            return target.IsEmpty ? BatchNorm2d.JoinSideGradient.None : BatchNorm2d.JoinSideGradient.Plain(target, accumulate);
        }
        return BatchNorm2d.JoinSideGradient.Normalized(context.Activation(slot, length), context.Parameter(gamma, channels), context.StateSlot(state, channels),
            context.StateSlot(state + channels, channels), sums, trains ? context.Gradient(gamma, channels) : Span<float>.Empty,
            trains ? context.Gradient(beta, channels) : Span<float>.Empty, target, accumulate);
    }

    /// <summary>Residual join backward: the output's gradient flows unchanged to both sides.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="length">Values per sample.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="a">The body's output slot.</param>
    /// <param name="modeA">How to deliver <paramref name="a"/>'s gradient.</param>
    /// <param name="b">The shortcut's output slot.</param>
    /// <param name="modeB">How to deliver <paramref name="b"/>'s gradient.</param>
    public static void AddBackward(NetworkContext context, int length, int y, int a, InputGradient modeA, int b, InputGradient modeB)
    {
        var dy = context.ActivationGradient(y, length);
        Deliver(dy, context.ActivationGradient(a, length), modeA);
        Deliver(dy, context.ActivationGradient(b, length), modeB);
    }

    /// <summary>Concat forward for one branch: copies its channels into the output at <paramref name="channelOffset"/>, sample by sample.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="plane">H·W.</param>
    /// <param name="totalChannels">The output's channels.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="channelOffset">The branch's first channel in the output.</param>
    /// <param name="x">The branch's output slot.</param>
    /// <param name="channels">The branch's channels.</param>
    public static void ConcatBranch(NetworkContext context, int plane, int totalChannels, int y, int channelOffset, int x, int channels)
        => ChannelConcat.Forward(context.Batch, plane, totalChannels, channelOffset, channels, context.Activation(x, channels * plane), context.Activation(y, totalChannels * plane));

    /// <summary>Concat backward for one branch: its channels of the output's gradient.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="plane">H·W.</param>
    /// <param name="totalChannels">The output's channels.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="channelOffset">The branch's first channel in the output.</param>
    /// <param name="x">The branch's output slot.</param>
    /// <param name="channels">The branch's channels.</param>
    /// <param name="mode">How to deliver the branch's gradient.</param>
    public static void ConcatBranchBackward(NetworkContext context, int plane, int totalChannels, int y, int channelOffset, int x, int channels, InputGradient mode)
    {
        if (mode != InputGradient.None)
        {
            ChannelConcat.Backward(context.Batch, plane, totalChannels, channelOffset, channels, context.ActivationGradient(y, totalChannels * plane),
                context.ActivationGradient(x, channels * plane), mode == InputGradient.Accumulate);
        }
    }

    private static void Deliver(System.ReadOnlySpan<float> gradient, System.Span<float> target, InputGradient mode)
    {
        switch (mode)
        {
            case InputGradient.Write:
                gradient.CopyTo(target);
                break;
            case InputGradient.Accumulate:
                TensorOps.AddInPlace(target, gradient);
                break;
        }
    }
}
