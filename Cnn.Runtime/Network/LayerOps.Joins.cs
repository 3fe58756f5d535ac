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
