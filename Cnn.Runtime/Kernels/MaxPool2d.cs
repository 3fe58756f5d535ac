using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Max pooling over NCHW float32 (PyTorch's MaxPool2d, dilation 1): padding never wins, NaN propagates
/// (a value replaces the running maximum when it is greater or NaN, scanning the window row by row, as
/// PyTorch). The forward pass saves, per output value, the index of its maximum inside the sample's
/// input plane (<c>ih·W + iw</c>, PyTorch's indices); the backward pass routes each gradient there.
/// On Vector512 the forward pass is vectorized: 2×2 windows with stride 2 and no padding (LeNet, VGG) by the paired
/// kernels (one output row of up to 16 outputs per step, or two rows when outputs are at most 8 wide), every other
/// window size at strides 1 and 2 by <see cref="PoolScan"/>; both give exactly the scalar path's values and indices.
/// Larger strides, the other paths and the backward scatter are scalar.
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Forward(in PoolGeometry g, int n, ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, CpuPath path = CpuPath.Auto)
    {
        Check(g, n, x.Length, y.Length);
        if (!argmax.IsEmpty && argmax.Length < n * g.OutputLength)
        {
            throw new ArgumentException($"argmax holds {argmax.Length} indices, needs {n * g.OutputLength}.", nameof(argmax));
        }
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        fixed (float* xBase = x, yBase = y)
        fixed (int* indexBase = argmax)
        {
            if (Pairs(g, path))
            {
                if (indexBase == null)
                {
                    Paired<NoArgmax>(g, n, xBase, yBase, null);
                }
                else
                {
                    Paired<Argmax>(g, n, xBase, yBase, indexBase);
                }
                return;
            }
            if (PoolTap.Supports(g, path))
            {
                PoolScan.Run<MaxReduction>(g, n * g.Channels, xBase, yBase, indexBase);
                return;
            }
            for (var plane = 0; plane < n * g.Channels; plane++)
            {
                var input = xBase + ((long)plane * inPlane);
                var output = yBase + ((long)plane * outPlane);
                PlaneScalar(g, input, output, indexBase == null ? null : indexBase + ((long)plane * outPlane));
            }
        }
    }

    /// <summary>
    /// The paired kernels over every plane, recording argmax or not (<typeparamref name="T"/>, a constant to the compiler: without
    /// it the index arithmetic is not compiled at all: LeNet-5's inference poolings 6×28×28 0.72 → 0.59 µs and 16×10×10 0.41 → 0.32 µs,
    /// thread CPU time, medians of 15 × 2000 calls, 3 alternated pairs).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Paired<T>(in PoolGeometry g, int n, float* xBase, float* yBase, int* indexBase)
        where T : struct, IArgmaxMode
    {
        if (g.OutWidth <= 8)
        {
            PairTwoRows<T>(xBase, yBase, indexBase, n * g.Channels, g.InHeight, g.InWidth, g.OutHeight, g.OutWidth);
            return;
        }
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        for (var plane = 0; plane < n * g.Channels; plane++)
        {
            PairRows<T>(xBase + ((long)plane * inPlane), g.InWidth, g.OutHeight, g.OutWidth, yBase + ((long)plane * outPlane), T.Records ? indexBase + ((long)plane * outPlane) : null);
        }
    }

    /// <summary>Whether the paired kernels record argmax: a type argument, so each choice is compiled on its own.</summary>
    private interface IArgmaxMode
    {
        /// <summary>True to compute and store each output's argmax.</summary>
        static abstract bool Records { get; }
    }

    /// <summary>Training: argmax recorded.</summary>
    private struct Argmax : IArgmaxMode
    {
        public static bool Records => true;
    }

    /// <summary>Inference: values only.</summary>
    private struct NoArgmax : IArgmaxMode
    {
        public static bool Records => false;
    }

    /// <summary>2×2 windows, stride 2, no padding, every window inside the input (ceil mode can add one hanging past it): the paired kernels.</summary>
    private static bool Pairs(in PoolGeometry g, CpuPath path) =>
        g.Size == 2 && g.Stride == 2 && g.Pad == 0 && 2 * g.OutHeight <= g.InHeight && 2 * g.OutWidth <= g.InWidth
        && CpuPaths.Resolve(path) == CpuPath.Vector512 && Avx512F.IsSupported;

    /// <summary>One plane, one output at a time: the reference the vector path must match exactly.</summary>
    private static unsafe void PlaneScalar(in PoolGeometry g, float* input, float* output, int* indices)
    {
        int inHeight = g.InHeight, inWidth = g.InWidth, outWidth = g.OutWidth, size = g.Size, stride = g.Stride, pad = g.Pad;
        for (var oh = 0; oh < g.OutHeight; oh++)
        {
            var h0 = (oh * stride) - pad;
            int hs = Math.Max(h0, 0), he = Math.Min(h0 + size, inHeight);
            for (var ow = 0; ow < outWidth; ow++)
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

    /// <summary><c>dx[n, c, argmax] (+)= dy[n, c, oh, ow]</c>.</summary>
    /// <param name="g">The pooling.</param>
    /// <param name="n">Batch size.</param>
    /// <param name="dy">Output gradient, [n, Channels, OutHeight, OutWidth].</param>
    /// <param name="argmax">The indices the forward pass saved.</param>
    /// <param name="dx">Input gradient, [n, Channels, InHeight, InWidth].</param>
    /// <param name="accumulate">Add into dx rather than overwrite it.</param>
    /// <param name="path">The instruction set (the scatter is scalar on every path: gathering each input's gradient
    /// in vectors, as average pooling does, measured 2–5× slower at batch 1, since only one input in four receives anything).</param>
    public static void Backward(in PoolGeometry g, int n, ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx, bool accumulate, CpuPath path = CpuPath.Auto)
    {
        Check(g, n, dx.Length, dy.Length);
        if (argmax.Length < (long)n * g.OutputLength)
        {
            throw new ArgumentException($"argmax holds {argmax.Length} indices, needs {n * g.OutputLength}.", nameof(argmax));
        }
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


    /// <summary>
    /// 2×2/2 pooling of every output row of one plane, 16 outputs per step: two 16-float loads per input row are split into
    /// even and odd columns, and the four candidates are compared in PyTorch's scan order (top-left, top-right, bottom-left,
    /// bottom-right). The last 1–15 outputs of a row take masked loads and stores, their masks made once per plane.
    /// </summary>
    /// <remarks>
    /// One call per plane rather than per row: the per-row calls rebuilt the permute indices and the tail's masks for
    /// every row of 14 outputs (LeNet-5's and bn2conv's first poolings, one masked step per row). Thread CPU time in
    /// <c>--kernels</c>, 3 alternated pairs: 6×28×28 0.70–0.94 → 0.56–0.58 µs, 32×28×28 3.6–4.8 → 2.8–2.9 µs.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PairRows<T>(float* input, int width, int outHeight, int outWidth, float* output, int* indices)
        where T : struct, IArgmaxMode
    {
        var evenLanes = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var oddLanes = evenLanes + Vector512<int>.One;
        var whole = outWidth / 16 * 16;
        var remaining = outWidth - whole;
        // The last 1..15 outputs: masked loads of the 2·remaining inputs per row (masked-off lanes
        // neither read memory nor fault) and masked stores of the results.
        var lanes = Vector512.CreateSequence(0, 1);
        var first = Vector512.LessThan(lanes, Vector512.Create(2 * remaining)).AsSingle();
        var second = Vector512.LessThan(lanes, Vector512.Create((2 * remaining) - 16)).AsSingle();
        var store = Vector512.LessThan(lanes, Vector512.Create(remaining));
        for (var oh = 0; oh < outHeight; oh++, output += outWidth, indices = T.Records ? indices + outWidth : null)
        {
            var top = input + (2 * oh * width);
            var bottom = top + width;
            for (var ow = 0; ow < whole; ow += 16)
            {
                var (best, index) = Window<T>(
                    Vector512.Load(top + (2 * ow)), Vector512.Load(top + (2 * ow) + 16), Vector512.Load(bottom + (2 * ow)), Vector512.Load(bottom + (2 * ow) + 16),
                    evenLanes, oddLanes, TopLeft<T>(evenLanes, (2 * oh * width) + (2 * ow)), width);
                best.Store(output + ow);
                if (T.Records)
                {
                    index.Store(indices + ow);
                }
            }
            if (remaining > 0)
            {
                var zero = Vector512<float>.Zero;
                var (best, index) = Window<T>(
                    Avx512F.MaskLoad(top + (2 * whole), first, zero), Avx512F.MaskLoad(top + (2 * whole) + 16, second, zero),
                    Avx512F.MaskLoad(bottom + (2 * whole), first, zero), Avx512F.MaskLoad(bottom + (2 * whole) + 16, second, zero),
                    evenLanes, oddLanes, TopLeft<T>(evenLanes, (2 * oh * width) + (2 * whole)), width);
                Avx512F.MaskStore(output + whole, store.AsSingle(), best);
                if (T.Records)
                {
                    Avx512F.MaskStore(indices + whole, store, index);
                }
            }
        }
    }

    /// <summary>
    /// 16 windows of 2×2/2 pooling (<see cref="PairRows"/>, <see cref="PairTwoRows"/>): each lane's four candidates picked by
    /// two-source permutes from the top row's values (<paramref name="t0"/>, <paramref name="t1"/>) and the bottom row's
    /// (<paramref name="b0"/>, <paramref name="b1"/>), <paramref name="left"/> and <paramref name="right"/> the lanes' left and
    /// right columns; the maximum in PyTorch's scan order and, when recorded, its index, lane l's top-left corner at
    /// <paramref name="topLeft"/>[l] in an input plane <paramref name="width"/> wide.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float> Best, Vector512<int> Index) Window<T>(Vector512<float> t0, Vector512<float> t1, Vector512<float> b0, Vector512<float> b1,
        Vector512<int> left, Vector512<int> right, Vector512<int> topLeft, int width)
        where T : struct, IArgmaxMode
    {
        var bottomLeft = T.Records ? topLeft + Vector512.Create(width) : default;
        var (best, index) = Replace<T>(Avx512F.PermuteVar16x32x2(t0, left, t1), topLeft, Avx512F.PermuteVar16x32x2(t0, right, t1), topLeft + Vector512<int>.One);
        (best, index) = Replace<T>(best, index, Avx512F.PermuteVar16x32x2(b0, left, b1), bottomLeft);
        return Replace<T>(best, index, Avx512F.PermuteVar16x32x2(b0, right, b1), bottomLeft + Vector512<int>.One);
    }

    /// <summary>The top-left input index of 16 consecutive windows from <paramref name="corner"/> (when indices are recorded).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> TopLeft<T>(Vector512<int> evenLanes, int corner)
        where T : struct, IArgmaxMode =>
        T.Records ? evenLanes + Vector512.Create(corner) : default;

    /// <summary>Takes the candidate where it is greater than the running maximum or NaN (PyTorch's rule).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float> Best, Vector512<int> Index) Replace<T>(Vector512<float> best, Vector512<int> index, Vector512<float> candidate, Vector512<int> candidateIndex)
        where T : struct, IArgmaxMode
    {
        var take = Vector512.GreaterThan(candidate, best) | ~Vector512.Equals(candidate, candidate);
        return (Vector512.ConditionalSelect(take, candidate, best), T.Records ? Vector512.ConditionalSelect(take.AsInt32(), candidateIndex, index) : index);
    }

    /// <summary>
    /// 2×2/2 pooling of <paramref name="planes"/> planes whose outputs are at most 8 wide, two output rows per step (the last
    /// alone when the rows are odd): lanes [0, W′) are row oh, [W′, 2W′) row oh + 1. Each of the four input rows is one masked
    /// load of its 2W′ values;
    /// one two-source permute per window corner gathers the corner's values of both output rows, compared in PyTorch's scan
    /// order as in <see cref="PairRows"/>. The permute indices and masks are made once per call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PairTwoRows<T>(float* x, float* y, int* argmax, int planes, int height, int width, int outHeight, int outWidth)
        where T : struct, IArgmaxMode
    {
        var lanes = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        var span = Vector512.Create(outWidth);
        var second = Vector512.GreaterThanOrEqual(lanes, span);
        var column = lanes - (second & span);
        // Left corners: value 2·column of the lane's top (or bottom) row, the second output row's from the second source.
        var left = (column * 2) + (second & Vector512.Create(16));
        var right = left + Vector512<int>.One;
        var corners = (column * 2) + (second & Vector512.Create(2 * width));
        var both = Vector512.LessThan(lanes, Vector512.Create(2 * outWidth));
        var read = both.AsSingle();
        var one = Vector512.LessThan(lanes, span);
        var zero = Vector512<float>.Zero;
        for (var plane = 0; plane < planes; plane++)
        {
            var input = x + ((long)plane * height * width);
            var output = y + ((long)plane * outHeight * outWidth);
            var indices = T.Records ? argmax + ((long)plane * outHeight * outWidth) : null;
            for (var oh = 0; oh < outHeight; oh += 2)
            {
                var pair = oh + 1 < outHeight;
                var r0 = input + (2 * oh * width);
                var t0 = Avx512F.MaskLoad(r0, read, zero);
                var b0 = Avx512F.MaskLoad(r0 + width, read, zero);
                var t1 = pair ? Avx512F.MaskLoad(r0 + (2 * width), read, zero) : t0;
                var b1 = pair ? Avx512F.MaskLoad(r0 + (3 * width), read, zero) : b0;
                var (best, index) = Window<T>(t0, t1, b0, b1, left, right, T.Records ? corners + Vector512.Create(2 * oh * width) : default, width);
                var store = pair ? both : one;
                Avx512F.MaskStore(output + (oh * outWidth), store.AsSingle(), best);
                if (T.Records)
                {
                    Avx512F.MaskStore(indices + (oh * outWidth), store, index);
                }
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
}
