using System;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// A BatchNorm (without ReLU) whose only reader is a residual join, applied inside the join: <c>y = [relu](a′ + b′)</c> where each
/// side is its tensor or that tensor's BatchNorm map, so the normalized tensor is never written and read back (resnet8's
/// second BatchNorm of each block and its projection shortcut's: 2 MB a worker in the first block). The maps and the sum are the
/// separate passes' own instructions per channel plane, so the output is the same bit for bit on finite values.
/// </summary>
public static partial class BatchNorm2d
{
    /// <summary><c>y = a′ + b′</c>, then ReLU when <paramref name="relu"/>, each side mapped per channel by its <see cref="ChannelAffine"/> (or not).</summary>
    /// <param name="n">Samples.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Pixels per channel.</param>
    /// <param name="a">First side, [n, channels, plane].</param>
    /// <param name="aMap">Its map.</param>
    /// <param name="b">Second side.</param>
    /// <param name="bMap">Its map.</param>
    /// <param name="y">Output.</param>
    /// <param name="relu">Whether a ReLU follows the sum.</param>
    /// <param name="path">The instruction set to use.</param>
    internal static void NormalizedSum(int n, int channels, int plane, ReadOnlySpan<float> a, scoped in ChannelAffine aMap, ReadOnlySpan<float> b,
        scoped in ChannelAffine bMap, Span<float> y, bool relu, CpuPath path)
    {
        for (var s = 0; s < n; s++)
        {
            var sample = s * channels * plane;
            NormalizedSumRuns(channels, plane, 0, plane, a[sample..], aMap, b[sample..], bMap, y[sample..], relu, path);
        }
    }

    /// <summary>
    /// <see cref="NormalizedSum"/> of one sample over <paramref name="length"/> values from <paramref name="first"/> of each channel's
    /// plane (rows of a map shared between threads: <see cref="Network.SharedJoinRows"/>), each value the same bit for bit.
    /// </summary>
    internal static void NormalizedSumRuns(int channels, int plane, int first, int length, ReadOnlySpan<float> a, scoped in ChannelAffine aMap, ReadOnlySpan<float> b,
        scoped in ChannelAffine bMap, Span<float> y, bool relu, CpuPath path)
    {
        for (var c = 0; c < channels; c++)
        {
            var (aScale, aShift) = aMap.IsNone ? (1f, 0f) : aMap.Of(c);
            var (bScale, bShift) = bMap.IsNone ? (1f, 0f) : bMap.Of(c);
            var offset = (c * plane) + first;
            Elementwise.Map(new NormalizedSumOp(aScale, aShift, !aMap.IsNone, bScale, bShift, !bMap.IsNone, relu),
                a.Slice(offset, length), b.Slice(offset, length), y.Slice(offset, length), path);
        }
    }

    /// <summary>
    /// One plane of <see cref="NormalizedSum"/>: each mapped side as <see cref="AffineOp"/> computes it, then the sum as
    /// <see cref="AddOp"/> or <see cref="AddReluOp"/> does.
    /// </summary>
    private readonly struct NormalizedSumOp(float aScale, float aShift, bool mapsA, float bScale, float bShift, bool mapsB, bool relu) : IBinaryKernel
    {
        public float Invoke(float u, float v)
        {
            var sum = (mapsA ? MathF.FusedMultiplyAdd(u, aScale, aShift) : u) + (mapsB ? MathF.FusedMultiplyAdd(v, bScale, bShift) : v);
            return !relu ? sum : sum > 0f ? sum : 0f;
        }

        public Vector256<float> Invoke(Vector256<float> u, Vector256<float> v)
        {
            var sum = (mapsA ? Vector256.FusedMultiplyAdd(u, Vector256.Create(aScale), Vector256.Create(aShift)) : u)
                + (mapsB ? Vector256.FusedMultiplyAdd(v, Vector256.Create(bScale), Vector256.Create(bShift)) : v);
            return relu ? Vector256.Max(sum, Vector256<float>.Zero) : sum;
        }

        public Vector512<float> Invoke(Vector512<float> u, Vector512<float> v)
        {
            var sum = (mapsA ? Vector512.FusedMultiplyAdd(u, Vector512.Create(aScale), Vector512.Create(aShift)) : u)
                + (mapsB ? Vector512.FusedMultiplyAdd(v, Vector512.Create(bScale), Vector512.Create(bShift)) : v);
            return relu ? Vector512.Max(sum, Vector512<float>.Zero) : sum;
        }
    }
}
