using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Convolution forward computed directly, one sample at a time, for batch-1 inference: no im2col and no
/// packed GEMM, whose copies of a <c>kernel²</c>-times larger patch matrix dominate a single small image.
/// Ungrouped, undilated convolutions only (<see cref="Supports"/>); <see cref="Conv2d"/> does the rest.
/// </summary>
/// <remarks>
/// <para>The sample is first copied, zero-padded, into <c>stride²</c> phase planes per channel
/// (<c>P[a, b][i, j] = xpadded[stride·i + a, stride·j + b]</c>), each <c>Wq = ⌈(W + 2·pad) / stride⌉</c>
/// wide. Output (oh, ow) then reads phase plane (kh mod s, kw mod s) at flat index
/// <c>(oh + kh / s)·Wq + ow + kw / s</c>: every tap is one contiguous run of the flattened planes, so the
/// output is computed as a 1-D convolution over <c>q = oh·Wq + ow</c> with the image width in the vector
/// lanes. Columns <c>ow ≥ OutWidth</c> of that extended output are computed and dropped (6–30 % extra
/// work on the planes the models use), which keeps every load unmasked and every tap a single offset.</para>
/// <para>Register tile: 8 output channels × 2 vectors of q (16 accumulators); per tap two loads of
/// input, eight weight broadcasts straight from the eight filters' rows (packing the weights cost as much
/// as the arithmetic on these layer sizes), sixteen FMAs.</para>
/// <para>The hot methods are compiled fully optimized on first call (<c>AggressiveOptimization</c>): batch-1
/// inference is often the first and only use of this path, and tier-0 vector code runs about 10× slower
/// (measured: 486 µs instead of 47 µs per sample for 64 → 64 channels on 8×8 during the first 100 ms).</para>
/// </remarks>
[SkipLocalsInit]
public static class DirectConv
{
    private const int Filters = 8;
    private const int MaxKernel = 16;
    private const int WidestTile = 2 * 16;

    /// <summary>
    /// Whether this kernel computes <paramref name="g"/> on <paramref name="path"/>: one group, dilation 1, a
    /// kernel of 2 to 16, a vector path. 1×1 convolutions are left to <see cref="Conv2d"/>: with one tap per
    /// channel the phase copy costs more than it saves (resnet8's strided 1×1 shortcuts ran 3–4× slower here).
    /// </summary>
    /// <param name="g">The convolution.</param>
    /// <param name="path">The instruction set.</param>
    /// <returns>True when <see cref="Forward"/> accepts the arguments.</returns>
    public static bool Supports(in ConvGeometry g, CpuPath path = CpuPath.Auto) =>
        g.Groups == 1 && g.Dilation == 1 && g.Kernel is > 1 and <= MaxKernel && CpuPaths.Resolve(path) is CpuPath.Vector512 or CpuPath.Vector256;

    /// <summary>Floats of scratch <see cref="Forward"/> needs (any batch size: samples are done one at a time).</summary>
    /// <param name="g">The convolution.</param>
    /// <returns>The scratch length in floats.</returns>
    public static int ScratchLength(in ConvGeometry g)
    {
        var layout = new Layout(g, WidestTile);
        return layout.InputFloats + (Filters * layout.Extended);
    }

    /// <summary><c>y[n, oc, oh, ow] = bias[oc] + Σ w[oc, ic, i, j] · x[n, ic, oh·s − p + i, ow·s − p + j]</c>, as Conv2d.Forward computes it.</summary>
    /// <param name="g">The convolution (see <see cref="Supports"/>).</param>
    /// <param name="n">Batch size.</param>
    /// <param name="x">Input, [n, InChannels, InHeight, InWidth].</param>
    /// <param name="weight">Weight, [OutChannels, InChannels, Kernel, Kernel].</param>
    /// <param name="bias">Bias, [OutChannels], or empty for none.</param>
    /// <param name="y">Output, [n, OutChannels, OutHeight, OutWidth] (overwritten).</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats.</param>
    /// <param name="path">Vector512 or Vector256.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(in ConvGeometry g, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, Span<float> scratch, CpuPath path = CpuPath.Auto)
    {
        if (!Supports(g, path))
        {
            throw new ArgumentException($"Direct convolution needs one group, dilation 1, a kernel of 2 to {MaxKernel} and a vector path; got groups {g.Groups}, dilation {g.Dilation}, kernel {g.Kernel} on {CpuPaths.Resolve(path)}.");
        }
        if (n < 0 || x.Length < (long)n * g.InputLength || y.Length < (long)n * g.OutputLength || weight.Length < g.WeightLength
            || (!bias.IsEmpty && bias.Length < g.OutChannels) || scratch.Length < ScratchLength(g))
        {
            throw new ArgumentException($"Direct convolution of {n} samples: operands or scratch too short.");
        }
        var layout = new Layout(g, CpuPaths.Resolve(path) == CpuPath.Vector512 ? 2 * Vector512<float>.Count : 2 * Vector256<float>.Count);
        for (var s = 0; s < n; s++)
        {
            CopyPadded(g, layout, x.Slice(s * g.InputLength, g.InputLength), scratch[..layout.InputFloats]);
            var output = y.Slice(s * g.OutputLength, g.OutputLength);
            for (var first = 0; first < g.OutChannels; first += Filters)
            {
                ComputeBlock(g, layout, first, weight, bias, output, scratch, path);
            }
        }
    }

    /// <summary>Output channels <paramref name="first"/> … first + 7 of the sample in the scratch's phase planes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ComputeBlock(in ConvGeometry g, in Layout layout, int first, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, Span<float> scratch, CpuPath path)
    {
        var wide = CpuPaths.Resolve(path) == CpuPath.Vector512;
        var taps = g.Kernel * g.Kernel;
        var offsets = stackalloc int[taps];
        for (var kh = 0; kh < g.Kernel; kh++)
        {
            for (var kw = 0; kw < g.Kernel; kw++)
            {
                var phase = ((kh % g.Stride) * g.Stride) + (kw % g.Stride);
                offsets[(kh * g.Kernel) + kw] = (phase * layout.PhasePlane) + ((kh / g.Stride) * layout.PhaseWidth) + (kw / g.Stride);
            }
        }
        var extended = scratch.Slice(layout.InputFloats, Filters * layout.Extended);
        var perFilter = g.InChannels * taps;
        var filters = stackalloc float*[Filters];
        fixed (float* inputBase = scratch, extendedBase = extended, weightBase = weight)
        {
            for (var r = 0; r < Filters; r++)
            {
                // Missing filters of the last block repeat the last real one; their outputs are dropped.
                filters[r] = weightBase + ((long)Math.Min(first + r, g.OutChannels - 1) * perFilter);
            }
            for (var q = 0; q < layout.Extended; q += layout.Tile)
            {
                if (wide)
                {
                    Tile512(inputBase + q, layout.ChannelStride, g.InChannels, offsets, taps, filters, extendedBase + q, layout.Extended);
                }
                else
                {
                    Tile256(inputBase + q, layout.ChannelStride, g.InChannels, offsets, taps, filters, extendedBase + q, layout.Extended);
                }
            }
        }
        Compact(g, layout, extended, bias, first, output);
    }

    /// <summary>Zero-padded copy of one sample into its stride² phase planes per channel, plus a zero tail the last tile may read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyPadded(in ConvGeometry g, in Layout layout, ReadOnlySpan<float> x, Span<float> input)
    {
        input.Clear();
        int s = g.Stride, pad = g.Pad;
        for (var c = 0; c < g.InChannels; c++)
        {
            var channel = input.Slice(c * layout.ChannelStride, layout.ChannelStride);
            for (var ih = 0; ih < g.InHeight; ih++)
            {
                var source = x.Slice(((c * g.InHeight) + ih) * g.InWidth, g.InWidth);
                var row = ih + pad;
                if (s == 1)
                {
                    source.CopyTo(channel.Slice((row * layout.PhaseWidth) + pad, g.InWidth));
                    continue;
                }
                // Column c = iw + pad goes to phase plane (row mod s, c mod s), column c / s: one pass per column phase.
                var rowStart = ((row % s) * s * layout.PhasePlane) + ((row / s) * layout.PhaseWidth);
                if (s == 2 && Vector512.IsHardwareAccelerated)
                {
                    SplitColumnPhases(source, channel[rowStart..], layout.PhasePlane, pad);
                    continue;
                }
                for (var b = 0; b < s; b++)
                {
                    var first = ((b - pad) % s + s) % s;
                    var target = channel[(rowStart + (b * layout.PhasePlane))..];
                    for (int iw = first, j = (first + pad) / s; iw < g.InWidth; iw += s, j++)
                    {
                        target[j] = source[iw];
                    }
                }
            }
        }
    }

    /// <summary>
    /// Stride 2: input columns iw go to column (iw + pad) / 2 of phase plane (iw + pad) mod 2 (the second plane
    /// starts <paramref name="phasePlane"/> floats after the first), 16 columns per step: one permute gathers
    /// the 8 even and one the 8 odd columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SplitColumnPhases(ReadOnlySpan<float> source, Span<float> target, int phasePlane, int pad)
    {
        var width = source.Length;
        if (target.Length < phasePlane + ((width + pad + 1) / 2))
        {
            throw new ArgumentException("Direct convolution: phase plane too short.");
        }
        var evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 0, 0, 0, 0, 0, 0, 0, 0);
        var odds = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 0, 0, 0, 0, 0, 0, 0, 0);
        // Even iw (relative to an even start) land in phase pad mod 2, odd iw in the other one.
        var evenPlane = (pad & 1) * phasePlane;
        var oddPlane = ((pad + 1) & 1) * phasePlane;
        fixed (float* from = source, to = target)
        {
            var iw = 0;
            for (; iw <= width - Vector512<float>.Count; iw += Vector512<float>.Count)
            {
                var values = Vector512.Load(from + iw);
                Vector512.Shuffle(values, evens).GetLower().Store(to + evenPlane + ((iw + pad) >> 1));
                Vector512.Shuffle(values, odds).GetLower().Store(to + oddPlane + ((iw + pad + 1) >> 1));
            }
            for (; iw < width; iw++)
            {
                to[(((iw + pad) & 1) * phasePlane) + ((iw + pad) >> 1)] = from[iw];
            }
        }
    }

    /// <summary>Keeps the real columns of the extended output rows of one filter block, adding the bias.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Compact(in ConvGeometry g, in Layout layout, ReadOnlySpan<float> extended, ReadOnlySpan<float> bias, int first, Span<float> output)
    {
        int plane = g.OutHeight * g.OutWidth, width = g.OutWidth, filters = Math.Min(Filters, g.OutChannels - first);
        if (extended.Length < (filters - 1) * layout.Extended + ((g.OutHeight - 1) * layout.PhaseWidth) + width || output.Length < (first + filters) * plane)
        {
            throw new ArgumentException("Direct convolution: extended output or output too short.");
        }
        fixed (float* sourceBase = extended, targetBase = output)
        {
            for (var r = 0; r < filters; r++)
            {
                var b = Vector256.Create(bias.IsEmpty ? 0f : bias[first + r]);
                for (var oh = 0; oh < g.OutHeight; oh++)
                {
                    // Rows are 8–32 values: whole 8-float vectors, then one last vector ending at the row's end.
                    var from = sourceBase + ((long)r * layout.Extended) + ((long)oh * layout.PhaseWidth);
                    var to = targetBase + ((long)(first + r) * plane) + ((long)oh * width);
                    var ow = 0;
                    for (; ow <= width - Vector256<float>.Count; ow += Vector256<float>.Count)
                    {
                        (Vector256.Load(from + ow) + b).Store(to + ow);
                    }
                    if (ow < width)
                    {
                        if (width >= Vector256<float>.Count)
                        {
                            var last = width - Vector256<float>.Count;
                            (Vector256.Load(from + last) + b).Store(to + last);
                        }
                        else
                        {
                            for (; ow < width; ow++)
                            {
                                to[ow] = from[ow] + b.GetElement(0);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>One 8-filter × 32-position tile summed over every input channel and tap; row r of the result goes to <c>target + r·stride</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Tile512(float* x, int channelStride, int channels, int* offsets, int taps, float** filters, float* target, int stride)
    {
        float* w0 = filters[0], w1 = filters[1], w2 = filters[2], w3 = filters[3], w4 = filters[4], w5 = filters[5], w6 = filters[6], w7 = filters[7];
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
        for (var c = 0; c < channels; c++)
        {
            var xc = x + ((long)c * channelStride);
            for (var t = 0; t < taps; t++)
            {
                var p = xc + offsets[t];
                var u = Vector512.Load(p);
                var v = Vector512.Load(p + Vector512<float>.Count);
                var f = Vector512.Create(w0[t]); a0 = Vector512.FusedMultiplyAdd(u, f, a0); b0 = Vector512.FusedMultiplyAdd(v, f, b0);
                f = Vector512.Create(w1[t]); a1 = Vector512.FusedMultiplyAdd(u, f, a1); b1 = Vector512.FusedMultiplyAdd(v, f, b1);
                f = Vector512.Create(w2[t]); a2 = Vector512.FusedMultiplyAdd(u, f, a2); b2 = Vector512.FusedMultiplyAdd(v, f, b2);
                f = Vector512.Create(w3[t]); a3 = Vector512.FusedMultiplyAdd(u, f, a3); b3 = Vector512.FusedMultiplyAdd(v, f, b3);
                f = Vector512.Create(w4[t]); a4 = Vector512.FusedMultiplyAdd(u, f, a4); b4 = Vector512.FusedMultiplyAdd(v, f, b4);
                f = Vector512.Create(w5[t]); a5 = Vector512.FusedMultiplyAdd(u, f, a5); b5 = Vector512.FusedMultiplyAdd(v, f, b5);
                f = Vector512.Create(w6[t]); a6 = Vector512.FusedMultiplyAdd(u, f, a6); b6 = Vector512.FusedMultiplyAdd(v, f, b6);
                f = Vector512.Create(w7[t]); a7 = Vector512.FusedMultiplyAdd(u, f, a7); b7 = Vector512.FusedMultiplyAdd(v, f, b7);
            }
            w0 += taps; w1 += taps; w2 += taps; w3 += taps; w4 += taps; w5 += taps; w6 += taps; w7 += taps;
        }
        const int V = 16;
        a0.Store(target); b0.Store(target + V); target += stride;
        a1.Store(target); b1.Store(target + V); target += stride;
        a2.Store(target); b2.Store(target + V); target += stride;
        a3.Store(target); b3.Store(target + V); target += stride;
        a4.Store(target); b4.Store(target + V); target += stride;
        a5.Store(target); b5.Store(target + V); target += stride;
        a6.Store(target); b6.Store(target + V); target += stride;
        a7.Store(target); b7.Store(target + V);
    }

    /// <summary>As <see cref="Tile512"/> with 8-float vectors (an 8 × 16 tile).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Tile256(float* x, int channelStride, int channels, int* offsets, int taps, float** filters, float* target, int stride)
    {
        float* w0 = filters[0], w1 = filters[1], w2 = filters[2], w3 = filters[3], w4 = filters[4], w5 = filters[5], w6 = filters[6], w7 = filters[7];
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
        for (var c = 0; c < channels; c++)
        {
            var xc = x + ((long)c * channelStride);
            for (var t = 0; t < taps; t++)
            {
                var p = xc + offsets[t];
                var u = Vector256.Load(p);
                var v = Vector256.Load(p + Vector256<float>.Count);
                var f = Vector256.Create(w0[t]); a0 = Vector256.FusedMultiplyAdd(u, f, a0); b0 = Vector256.FusedMultiplyAdd(v, f, b0);
                f = Vector256.Create(w1[t]); a1 = Vector256.FusedMultiplyAdd(u, f, a1); b1 = Vector256.FusedMultiplyAdd(v, f, b1);
                f = Vector256.Create(w2[t]); a2 = Vector256.FusedMultiplyAdd(u, f, a2); b2 = Vector256.FusedMultiplyAdd(v, f, b2);
                f = Vector256.Create(w3[t]); a3 = Vector256.FusedMultiplyAdd(u, f, a3); b3 = Vector256.FusedMultiplyAdd(v, f, b3);
                f = Vector256.Create(w4[t]); a4 = Vector256.FusedMultiplyAdd(u, f, a4); b4 = Vector256.FusedMultiplyAdd(v, f, b4);
                f = Vector256.Create(w5[t]); a5 = Vector256.FusedMultiplyAdd(u, f, a5); b5 = Vector256.FusedMultiplyAdd(v, f, b5);
                f = Vector256.Create(w6[t]); a6 = Vector256.FusedMultiplyAdd(u, f, a6); b6 = Vector256.FusedMultiplyAdd(v, f, b6);
                f = Vector256.Create(w7[t]); a7 = Vector256.FusedMultiplyAdd(u, f, a7); b7 = Vector256.FusedMultiplyAdd(v, f, b7);
            }
            w0 += taps; w1 += taps; w2 += taps; w3 += taps; w4 += taps; w5 += taps; w6 += taps; w7 += taps;
        }
        const int V = 8;
        a0.Store(target); b0.Store(target + V); target += stride;
        a1.Store(target); b1.Store(target + V); target += stride;
        a2.Store(target); b2.Store(target + V); target += stride;
        a3.Store(target); b3.Store(target + V); target += stride;
        a4.Store(target); b4.Store(target + V); target += stride;
        a5.Store(target); b5.Store(target + V); target += stride;
        a6.Store(target); b6.Store(target + V); target += stride;
        a7.Store(target); b7.Store(target + V);
    }

    /// <summary>Sizes of the phase planes, the extended output and the scratch regions for a tile of <c>tile</c> positions.</summary>
    private readonly struct Layout
    {
        public Layout(in ConvGeometry g, int tile)
        {
            int s = g.Stride, paddedHeight = g.InHeight + (2 * g.Pad), paddedWidth = g.InWidth + (2 * g.Pad);
            Tile = tile;
            PhaseWidth = (paddedWidth + s - 1) / s;
            PhasePlane = ((paddedHeight + s - 1) / s) * PhaseWidth;
            ChannelStride = s * s * PhasePlane;
            var used = ((g.OutHeight - 1) * PhaseWidth) + g.OutWidth;
            Extended = (used + tile - 1) / tile * tile;
            // The last tile reads up to one tile past the last plane's end.
            InputFloats = checked((g.InChannels * ChannelStride) + WidestTile);
        }

        /// <summary>Output positions per register tile (two vectors).</summary>
        public int Tile { get; }

        /// <summary>Width of a phase plane, and the row pitch of the extended output.</summary>
        public int PhaseWidth { get; }

        /// <summary>Floats per phase plane.</summary>
        public int PhasePlane { get; }

        /// <summary>Floats per input channel (its stride² phase planes).</summary>
        public int ChannelStride { get; }

        /// <summary>Extended output positions per filter, rounded up to whole tiles.</summary>
        public int Extended { get; }

        /// <summary>Floats of the padded input copy.</summary>
        public int InputFloats { get; }
    }
}
