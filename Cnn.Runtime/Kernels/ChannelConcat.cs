using System;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Channel concatenation over NCHW (Inception's Concat): branch b of <c>branchChannels</c> channels fills
/// channels [channelOffset, channelOffset + branchChannels) of the <c>totalChannels</c>-channel output.
/// Called once per branch; the backward pass slices the gradient back out (split).
/// </summary>
public static class ChannelConcat
{
    /// <summary>Copies a branch's channels into their slot of the concatenated tensor.</summary>
    /// <param name="n">Batch size.</param>
    /// <param name="plane">Pixels per channel (H·W, equal across branches).</param>
    /// <param name="totalChannels">Channels of the concatenation.</param>
    /// <param name="channelOffset">First channel of this branch in the concatenation.</param>
    /// <param name="branchChannels">Channels of this branch.</param>
    /// <param name="branch">Branch output, [n, branchChannels, plane].</param>
    /// <param name="y">Concatenation, [n, totalChannels, plane].</param>
    public static void Forward(int n, int plane, int totalChannels, int channelOffset, int branchChannels, ReadOnlySpan<float> branch, Span<float> y)
    {
        Check(totalChannels, channelOffset, branchChannels);
        var run = branchChannels * plane;
        for (var s = 0; s < n; s++)
        {
            branch.Slice(s * run, run).CopyTo(y.Slice(((s * totalChannels) + channelOffset) * plane, run));
        }
    }

    /// <summary>Takes a branch's slice of the concatenation's gradient: <c>dBranch (+)= dy[:, offset..offset+channels]</c>.</summary>
    /// <param name="n">Batch size.</param>
    /// <param name="plane">Pixels per channel.</param>
    /// <param name="totalChannels">Channels of the concatenation.</param>
    /// <param name="channelOffset">First channel of this branch in the concatenation.</param>
    /// <param name="branchChannels">Channels of this branch.</param>
    /// <param name="dy">Concatenation gradient, [n, totalChannels, plane].</param>
    /// <param name="dBranch">Branch gradient, [n, branchChannels, plane].</param>
    /// <param name="accumulate">Add into dBranch rather than overwrite it.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void Backward(int n, int plane, int totalChannels, int channelOffset, int branchChannels, ReadOnlySpan<float> dy, Span<float> dBranch, bool accumulate, CpuPath path = CpuPath.Auto)
    {
        Check(totalChannels, channelOffset, branchChannels);
        var run = branchChannels * plane;
        for (var s = 0; s < n; s++)
        {
            var source = dy.Slice(((s * totalChannels) + channelOffset) * plane, run);
            var target = dBranch.Slice(s * run, run);
            if (accumulate)
            {
                TensorOps.AddInPlace(target, source, path);
            }
            else
            {
                source.CopyTo(target);
            }
        }
    }

    private static void Check(int totalChannels, int channelOffset, int branchChannels)
    {
        if (channelOffset < 0 || branchChannels <= 0 || channelOffset + branchChannels > totalChannels)
        {
            throw new ArgumentException($"Branch channels [{channelOffset}, {channelOffset + branchChannels}) do not fit {totalChannels} channels.");
        }
    }
}
