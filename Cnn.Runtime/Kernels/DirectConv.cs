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
/// <para>The sample is first copied into a <see cref="PaddedImage"/> (zero-padded, split by stride phase), in
/// which every row (c, kh, kw) of the lowered matrix is one contiguous run at <c>Offsets[r] + q</c>, with
/// <c>q = oh·Ws + ow</c>: the output is computed as a 1-D convolution over q with the image width in the
/// vector lanes. Columns <c>ow ≥ OutWidth</c> of that extended output are computed and dropped (6–30 % extra
/// work on the planes the models use), which keeps every load unmasked and every row a single offset.</para>
/// <para>Register tile: 8 output channels × 2 vectors of q (16 accumulators); per row two loads of
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
    public static int ScratchLength(in ConvGeometry g) => PaddedImage.ScratchLength(g) + (Filters * Extended(g, WidestTile));

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
    public static unsafe void Forward(in ConvGeometry g, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, Span<float> scratch, CpuPath path = CpuPath.Auto)
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
        var tile = CpuPaths.Resolve(path) == CpuPath.Vector512 ? 2 * Vector512<float>.Count : 2 * Vector256<float>.Count;
        var extended = Extended(g, tile);
        fixed (float* xBase = x, work = scratch)
        {
            var image = new PaddedImage(g, work);
            var products = work + PaddedImage.ScratchLength(g);
            for (var s = 0; s < n; s++)
            {
                image.Fill(xBase + ((long)s * g.InputLength));
                var output = y.Slice(s * g.OutputLength, g.OutputLength);
                for (var first = 0; first < g.OutChannels; first += Filters)
                {
                    ComputeBlock(g, image, tile, extended, first, weight, products);
                    Compact(g, image.Width, extended, new ReadOnlySpan<float>(products, Filters * extended), bias, first, output);
                }
            }
        }
    }

    /// <summary>Extended output positions per filter, <c>(H′ − 1)·Ws + W′</c>, rounded up to whole tiles.</summary>
    private static int Extended(in ConvGeometry g, int tile)
    {
        var used = ((g.OutHeight - 1) * PaddedImage.PhaseWidth(g)) + g.OutWidth;
        return (used + tile - 1) / tile * tile;
    }

    /// <summary>Output channels <paramref name="first"/> … first + 7 of the sample in <paramref name="image"/>, over the extended positions.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ComputeBlock(in ConvGeometry g, in PaddedImage image, int tile, int extended, int first, ReadOnlySpan<float> weight, float* products)
    {
        var wide = tile == 2 * Vector512<float>.Count;
        var patch = g.PatchLength;
        var filters = stackalloc float*[Filters];
        fixed (float* weightBase = weight)
        {
            for (var r = 0; r < Filters; r++)
            {
                // Missing filters of the last block repeat the last real one; their outputs are dropped.
                filters[r] = weightBase + ((long)Math.Min(first + r, g.OutChannels - 1) * patch);
            }
            for (var q = 0; q < extended; q += tile)
            {
                if (wide)
                {
                    Tile512(image.Data + q, image.Offsets, patch, filters, products + q, extended);
                }
                else
                {
                    Tile256(image.Data + q, image.Offsets, patch, filters, products + q, extended);
                }
            }
        }
    }

    /// <summary>Keeps the real columns of the extended output rows of one filter block, adding the bias.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Compact(in ConvGeometry g, int rowPitch, int extendedLength, ReadOnlySpan<float> extended, ReadOnlySpan<float> bias, int first, Span<float> output)
    {
        int plane = g.OutHeight * g.OutWidth, width = g.OutWidth, filters = Math.Min(Filters, g.OutChannels - first);
        if (extended.Length < (filters - 1) * extendedLength + ((g.OutHeight - 1) * rowPitch) + width || output.Length < (first + filters) * plane)
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
                    var from = sourceBase + ((long)r * extendedLength) + ((long)oh * rowPitch);
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

    /// <summary>One 8-filter × 32-position tile summed over every row (c, kh, kw) of the lowered matrix; filter r's result goes to <c>target + r·stride</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Tile512(float* x, int* offsets, int rows, float** filters, float* target, int stride)
    {
        float* w0 = filters[0], w1 = filters[1], w2 = filters[2], w3 = filters[3], w4 = filters[4], w5 = filters[5], w6 = filters[6], w7 = filters[7];
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
        for (var t = 0; t < rows; t++)
        {
            var p = x + offsets[t];
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
    private static unsafe void Tile256(float* x, int* offsets, int rows, float** filters, float* target, int stride)
    {
        float* w0 = filters[0], w1 = filters[1], w2 = filters[2], w3 = filters[3], w4 = filters[4], w5 = filters[5], w6 = filters[6], w7 = filters[7];
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
        for (var t = 0; t < rows; t++)
        {
            var p = x + offsets[t];
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
}
