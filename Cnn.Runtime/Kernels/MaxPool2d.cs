using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Max pooling over NCHW float32 (PyTorch's MaxPool2d, dilation 1): padding never wins, NaN propagates
/// (a value replaces the running maximum when it is greater or NaN, scanning the window row by row, as
/// PyTorch). The forward pass saves, per output value, the index of its maximum inside the sample's
/// input plane (<c>ih·W + iw</c>, PyTorch's indices); the backward pass routes each gradient there.
/// 2×2 windows with stride 2 and no padding (LeNet, VGG) run 16 outputs at a time on Vector512.
/// </summary>
public static class MaxPool2d
{
    /// <summary><c>y[n, c, oh, ow] = max over the window</c>, recording argmax when <paramref name="argmax"/> is not empty.</summary>
    /// <param name="g">The pooling.</param>
    /// <param name="n">Batch size.</param>
    /// <param name="x">Input, [n, Channels, InHeight, InWidth].</param>
    /// <param name="y">Output, [n, Channels, OutHeight, OutWidth].</param>
    /// <param name="argmax">Same length as y (training) or empty (inference).</param>
    /// <param name="path">The instruction set to use.</param>
    public static unsafe void Forward(in PoolGeometry g, int n, ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, CpuPath path = CpuPath.Auto)
    {
        Check(g, n, x.Length, y.Length);
        if (!argmax.IsEmpty && argmax.Length < n * g.OutputLength)
        {
            throw new ArgumentException($"argmax holds {argmax.Length} indices, needs {n * g.OutputLength}.", nameof(argmax));
        }
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        int inHeight = g.InHeight, inWidth = g.InWidth, outHeight = g.OutHeight, outWidth = g.OutWidth, size = g.Size, stride = g.Stride, pad = g.Pad;
        // Ceil mode can add a last window hanging past the input: the paired path needs every window inside.
        var pairs = g.Size == 2 && g.Stride == 2 && g.Pad == 0 && 2 * g.OutHeight <= g.InHeight && 2 * g.OutWidth <= g.InWidth
            && CpuPaths.Resolve(path) == CpuPath.Vector512 && Avx512F.IsSupported;
        fixed (float* xBase = x, yBase = y)
        fixed (int* indexBase = argmax)
        {
            for (var plane = 0; plane < n * g.Channels; plane++)
            {
                var input = xBase + ((long)plane * inPlane);
                var output = yBase + ((long)plane * outPlane);
                var indices = indexBase == null ? null : indexBase + ((long)plane * outPlane);
                for (var oh = 0; oh < outHeight; oh++)
                {
                    var ow = pairs ? PairRow(input, inWidth, oh, outWidth, output + (oh * outWidth), indices == null ? null : indices + (oh * outWidth)) : 0;
                    var h0 = (oh * stride) - pad;
                    int hs = Math.Max(h0, 0), he = Math.Min(h0 + size, inHeight);
                    for (; ow < outWidth; ow++)
                    {
                        var w0 = (ow * stride) - pad;
                        int ws = Math.Max(w0, 0), we = Math.Min(w0 + size, inWidth);
                        var best = float.NegativeInfinity;
                        var bestIndex = (hs * inWidth) + ws;
                        for (var ih = hs; ih < he; ih++)
                        {
                            var row = input + (ih * inWidth);
                            for (var iw = ws; iw < we; iw++)
                            {
                                var v = row[iw];
                                if (v > best || float.IsNaN(v))
                                {
                                    best = v;
                                    bestIndex = (ih * inWidth) + iw;
                                }
                            }
                        }
                        output[(oh * outWidth) + ow] = best;
                        if (indices != null)
                        {
                            indices[(oh * outWidth) + ow] = bestIndex;
                        }
                    }
                }
            }
        }
    }

    /// <summary><c>dx[n, c, argmax] (+)= dy[n, c, oh, ow]</c>.</summary>
    /// <param name="g">The pooling.</param>
    /// <param name="n">Batch size.</param>
    /// <param name="dy">Output gradient, [n, Channels, OutHeight, OutWidth].</param>
    /// <param name="argmax">The indices the forward pass saved.</param>
    /// <param name="dx">Input gradient, [n, Channels, InHeight, InWidth].</param>
    /// <param name="accumulate">Add into dx rather than overwrite it.</param>
    /// <param name="path">The instruction set to use (the scatter is scalar on every path).</param>
    public static void Backward(in PoolGeometry g, int n, ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx, bool accumulate, CpuPath path = CpuPath.Auto)
    {
        Check(g, n, dx.Length, dy.Length);
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        if (!accumulate)
        {
            dx[..(n * g.InputLength)].Clear();
        }
        for (var plane = 0; plane < n * g.Channels; plane++)
        {
            var gradIn = dx.Slice(plane * inPlane, inPlane);
            var gradOut = dy.Slice(plane * outPlane, outPlane);
            var indices = argmax.Slice(plane * outPlane, outPlane);
            for (var o = 0; o < outPlane; o++)
            {
                gradIn[indices[o]] += gradOut[o];
            }
        }
    }

    internal static void Check(in PoolGeometry g, int n, int inputLength, int outputLength)
    {
        if (n < 0 || inputLength < (long)n * g.InputLength || outputLength < (long)n * g.OutputLength)
        {
            throw new ArgumentException($"Pooling tensors too short for batch {n}: input {inputLength} (needs {n * g.InputLength}), output {outputLength} (needs {n * g.OutputLength}).");
        }
    }

    /// <summary>
    /// 2×2/2 pooling of output row <paramref name="oh"/>, 16 outputs per step: two 16-float loads per input
    /// row are split into even and odd columns, and the four candidates are compared in PyTorch's scan
    /// order (top-left, top-right, bottom-left, bottom-right). Returns how many outputs it wrote.
    /// </summary>
    private static unsafe int PairRow(float* input, int width, int oh, int outWidth, float* output, int* indices)
    {
        var evenLanes = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var oddLanes = evenLanes + Vector512<int>.One;
        var top = input + (2 * oh * width);
        var bottom = top + width;
        var ow = 0;
        for (; ow + 16 <= outWidth; ow += 16)
        {
            var t0 = Vector512.Load(top + (2 * ow));
            var t1 = Vector512.Load(top + (2 * ow) + 16);
            var b0 = Vector512.Load(bottom + (2 * ow));
            var b1 = Vector512.Load(bottom + (2 * ow) + 16);
            var best = Avx512F.PermuteVar16x32x2(t0, evenLanes, t1);
            var topLeft = evenLanes + Vector512.Create((2 * oh * width) + (2 * ow));
            var bottomLeft = topLeft + Vector512.Create(width);
            var index = topLeft;
            (best, index) = Replace(best, index, Avx512F.PermuteVar16x32x2(t0, oddLanes, t1), topLeft + Vector512<int>.One);
            (best, index) = Replace(best, index, Avx512F.PermuteVar16x32x2(b0, evenLanes, b1), bottomLeft);
            (best, index) = Replace(best, index, Avx512F.PermuteVar16x32x2(b0, oddLanes, b1), bottomLeft + Vector512<int>.One);
            best.Store(output + ow);
            if (indices != null)
            {
                index.Store(indices + ow);
            }
        }
        var remaining = outWidth - ow;
        if (remaining > 0)
        {
            // The last 1..15 outputs: masked loads of the 2·remaining inputs per row (masked-off lanes
            // neither read memory nor fault) and masked stores of the results.
            var lanes = Vector512.CreateSequence(0, 1);
            var first = Vector512.LessThan(lanes, Vector512.Create(2 * remaining)).AsSingle();
            var second = Vector512.LessThan(lanes, Vector512.Create((2 * remaining) - 16)).AsSingle();
            var t0 = Avx512F.MaskLoad(top + (2 * ow), first, Vector512<float>.Zero);
            var t1 = Avx512F.MaskLoad(top + (2 * ow) + 16, second, Vector512<float>.Zero);
            var b0 = Avx512F.MaskLoad(bottom + (2 * ow), first, Vector512<float>.Zero);
            var b1 = Avx512F.MaskLoad(bottom + (2 * ow) + 16, second, Vector512<float>.Zero);
            var best = Avx512F.PermuteVar16x32x2(t0, evenLanes, t1);
            var topLeft = evenLanes + Vector512.Create((2 * oh * width) + (2 * ow));
            var bottomLeft = topLeft + Vector512.Create(width);
            var index = topLeft;
            (best, index) = Replace(best, index, Avx512F.PermuteVar16x32x2(t0, oddLanes, t1), topLeft + Vector512<int>.One);
            (best, index) = Replace(best, index, Avx512F.PermuteVar16x32x2(b0, evenLanes, b1), bottomLeft);
            (best, index) = Replace(best, index, Avx512F.PermuteVar16x32x2(b0, oddLanes, b1), bottomLeft + Vector512<int>.One);
            var store = Vector512.LessThan(lanes, Vector512.Create(remaining));
            Avx512F.MaskStore(output + ow, store.AsSingle(), best);
            if (indices != null)
            {
                Avx512F.MaskStore(indices + ow, store, index);
            }
            ow = outWidth;
        }
        return ow;
    }

    /// <summary>Takes the candidate where it is greater than the running maximum or NaN (PyTorch's rule).</summary>
    private static (Vector512<float> Best, Vector512<int> Index) Replace(Vector512<float> best, Vector512<int> index, Vector512<float> candidate, Vector512<int> candidateIndex)
    {
        var take = Vector512.GreaterThan(candidate, best) | ~Vector512.Equals(candidate, candidate);
        return (Vector512.ConditionalSelect(take, candidate, best), Vector512.ConditionalSelect(take.AsInt32(), candidateIndex, index));
    }
}
