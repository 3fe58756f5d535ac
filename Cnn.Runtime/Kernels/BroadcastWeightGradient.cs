using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// The weight gradient of a convolution on AVX-512, <c>dWᵀ[r, oc] += Σ_q col[r, q] · dyᵀ[q, oc]</c>, with filters in
/// the vector lanes. col's values are broadcast straight from the <see cref="PaddedImage"/>'s shifted rows, so nothing
/// of col is packed or transposed; only dy (filters × positions) is transposed, once per sample. The GEMM
/// formulation (<c>dy · colᵀ</c>, positions contracted) would instead transpose all of col, which is as much work
/// as the 16-row multiply it feeds.
/// </summary>
/// <remarks>
/// Filters go in blocks of 4, 2 or 1 vectors (64, 32, 16 filters, padded with zero columns of dyᵀ), each against 6,
/// 12 or 12 rows of col: 24, 24 or 12 accumulators. Each position costs one broadcast per row and one load per
/// vector of dyᵀ, so the wider blocks do 24 FMAs per 10 or 14 loads, where 16 filters alone (12 FMAs per 13
/// loads) is bound by its loads.
/// </remarks>
[SkipLocalsInit]
internal static unsafe class BroadcastWeightGradient
{
    private const int Lanes = 16;

    /// <summary>Output positions per pass over the panels (whole rows): 512 rows of dyᵀ for 64 filters are 128 KB, so they stay in L2 however large the map (no difference measured up to the 1,024 positions of a 32×32 map).</summary>
    private const int Positions = 512;

    /// <summary>Columns of dyᵀ and dWᵀ: the filters rounded up to whole vectors.</summary>
    /// <param name="filters">Filters per group.</param>
    /// <returns>The padded width.</returns>
    internal static int Width(int filters) => (filters + Lanes - 1) / Lanes * Lanes;

    /// <summary>Floats for dyᵀ of one sample and every group's dWᵀ.</summary>
    /// <param name="plane">Output positions per channel.</param>
    /// <param name="groups">Groups.</param>
    /// <param name="patch">Rows of col per group.</param>
    /// <param name="filters">Filters per group.</param>
    /// <returns>The scratch length in floats.</returns>
    internal static int ScratchLength(int plane, int groups, int patch, int filters) => (plane + (groups * patch)) * Width(filters);

    /// <summary>
    /// dWᵀ [patch, <see cref="Width"/>] += col · dyᵀ for one sample: <paramref name="gradOut"/> is dy [filters, outHeight ·
    /// <paramref name="outWidth"/>], <paramref name="transposed"/> receives dyᵀ, <paramref name="gradWeightT"/> accumulates.
    /// Only real output positions are visited: the image's rows are <see cref="PaddedImage.Width"/> apart, of which the
    /// first <paramref name="outWidth"/> are outputs.
    /// </summary>
    internal static void Accumulate(in PaddedImage image, int outWidth, int patch, int filters, float* gradOut, float* transposed, float* gradWeightT)
    {
        var none = default(SamplePrefetch);
        Accumulate(image, outWidth, patch, filters, gradOut, transposed, gradWeightT, ref none);
    }

    /// <summary>
    /// <see cref="Accumulate(in PaddedImage, int, int, int, float*, float*, float*)"/>, stepping <paramref name="prefetch"/>
    /// after every panel (<see cref="Panels"/> of them).
    /// </summary>
    internal static void Accumulate(in PaddedImage image, int outWidth, int patch, int filters, float* gradOut, float* transposed, float* gradWeightT, ref SamplePrefetch prefetch)
    {
        var outHeight = image.Positions / image.Width;
        var width = Width(filters);
        Transpose(gradOut, filters, outHeight * outWidth, width, transposed);
        var rowsPerPass = Math.Max(1, Positions / outWidth);
        for (var row = 0; row < outHeight; row += rowsPerPass)
        {
            var span = new RowSpan(row, Math.Min(outHeight, row + rowsPerPass), outWidth, image.Width);
            var block = 0;
            for (; width - block >= 4 * Lanes; block += 4 * Lanes)
            {
                for (var r = 0; r < patch; r += 6)
                {
                    Panel6x4(image, r, Math.Min(6, patch - r), span, transposed + block, width, gradWeightT + (r * width) + block);
                    prefetch.Step();
                }
            }
            if (width - block >= 2 * Lanes)
            {
                for (var r = 0; r < patch; r += 12)
                {
                    Panel12x2(image, r, Math.Min(12, patch - r), span, transposed + block, width, gradWeightT + (r * width) + block);
                    prefetch.Step();
                }
                block += 2 * Lanes;
            }
            if (width > block)
            {
                for (var r = 0; r < patch; r += 12)
                {
                    Panel12x1(image, r, Math.Min(12, patch - r), span, transposed + block, width, gradWeightT + (r * width) + block);
                    prefetch.Step();
                }
            }
        }
    }

    /// <summary>Panel calls of one <see cref="Accumulate(in PaddedImage, int, int, int, float*, float*, float*)"/>.</summary>
    internal static int Panels(in PaddedImage image, int outWidth, int patch, int filters)
    {
        var outHeight = image.Positions / image.Width;
        var rowsPerPass = Math.Max(1, Positions / outWidth);
        var passes = (outHeight + rowsPerPass - 1) / rowsPerPass;
        var width = Width(filters);
        var quads = width / (4 * Lanes);
        var rest = width - (quads * 4 * Lanes);
        var perPass = (quads * ((patch + 5) / 6)) + (rest >= 2 * Lanes ? (patch + 11) / 12 : 0) + (rest % (2 * Lanes) > 0 ? (patch + 11) / 12 : 0);
        return passes * perPass;
    }

    /// <summary>dW[oc, r] = (accumulate ? dW[oc, r] : 0) + dWᵀ[r, oc].</summary>
    internal static void Store(float* gradWeightT, int patch, int filters, float* gradWeight, bool accumulate)
    {
        var width = Width(filters);
        if (!accumulate && width == filters)
        {
            MatrixTranspose.Run(new ReadOnlySpan<float>(gradWeightT, patch * width), patch, width, new Span<float>(gradWeight, patch * width), CpuPath.Vector512);
            return;
        }
        for (var oc = 0; oc < filters; oc++)
        {
            for (var r = 0; r < patch; r++)
            {
                var value = gradWeightT[(r * width) + oc];
                gradWeight[(oc * patch) + r] = accumulate ? gradWeight[(oc * patch) + r] + value : value;
            }
        }
    }

    /// <summary>dyᵀ [positions, width] from dy [filters, positions], zero in the padding columns.</summary>
    private static void Transpose(float* gradOut, int filters, int positions, int width, float* transposed)
    {
        if (width == filters)
        {
            MatrixTranspose.Run(new ReadOnlySpan<float>(gradOut, filters * positions), filters, positions, new Span<float>(transposed, width * positions), CpuPath.Vector512);
            return;
        }
        for (var q = 0; q < positions; q++)
        {
            var row = transposed + (q * width);
            var oc = 0;
            for (; oc < filters; oc++)
            {
                row[oc] = gradOut[(oc * positions) + q];
            }
            for (; oc < width; oc++)
            {
                row[oc] = 0f;
            }
        }
    }

    /// <summary>Rows [first, first + count ≤ 6) of dWᵀ against 64 filters: 24 accumulators over every position.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Panel6x4(in PaddedImage image, int first, int count, RowSpan span, float* b, int width, float* target)
    {
        var data = image.Data;
        var offsets = image.Offsets;
        // Missing rows of the last panel read row `first` again; their sums are not stored.
        var r0 = data + offsets[first];
        var r1 = data + offsets[first + (count > 1 ? 1 : 0)];
        var r2 = data + offsets[first + (count > 2 ? 2 : 0)];
        var r3 = data + offsets[first + (count > 3 ? 3 : 0)];
        var r4 = data + offsets[first + (count > 4 ? 4 : 0)];
        var r5 = data + offsets[first + (count > 5 ? 5 : 0)];
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default;
        Vector512<float> c50 = default, c51 = default, c52 = default, c53 = default;
        b += span.First * span.OutWidth * width;
        for (var row = span.First; row < span.End; row++)
        {
            var start = row * span.Stride;
            for (var q = start; q < start + span.OutWidth; q++, b += width)
            {
                var b0 = Vector512.Load(b);
                var b1 = Vector512.Load(b + Lanes);
                var b2 = Vector512.Load(b + (2 * Lanes));
                var b3 = Vector512.Load(b + (3 * Lanes));
                var a = Vector512.Create(r0[q]);
                c00 = Vector512.FusedMultiplyAdd(a, b0, c00);
                c01 = Vector512.FusedMultiplyAdd(a, b1, c01);
                c02 = Vector512.FusedMultiplyAdd(a, b2, c02);
                c03 = Vector512.FusedMultiplyAdd(a, b3, c03);
                a = Vector512.Create(r1[q]);
                c10 = Vector512.FusedMultiplyAdd(a, b0, c10);
                c11 = Vector512.FusedMultiplyAdd(a, b1, c11);
                c12 = Vector512.FusedMultiplyAdd(a, b2, c12);
                c13 = Vector512.FusedMultiplyAdd(a, b3, c13);
                a = Vector512.Create(r2[q]);
                c20 = Vector512.FusedMultiplyAdd(a, b0, c20);
                c21 = Vector512.FusedMultiplyAdd(a, b1, c21);
                c22 = Vector512.FusedMultiplyAdd(a, b2, c22);
                c23 = Vector512.FusedMultiplyAdd(a, b3, c23);
                a = Vector512.Create(r3[q]);
                c30 = Vector512.FusedMultiplyAdd(a, b0, c30);
                c31 = Vector512.FusedMultiplyAdd(a, b1, c31);
                c32 = Vector512.FusedMultiplyAdd(a, b2, c32);
                c33 = Vector512.FusedMultiplyAdd(a, b3, c33);
                a = Vector512.Create(r4[q]);
                c40 = Vector512.FusedMultiplyAdd(a, b0, c40);
                c41 = Vector512.FusedMultiplyAdd(a, b1, c41);
                c42 = Vector512.FusedMultiplyAdd(a, b2, c42);
                c43 = Vector512.FusedMultiplyAdd(a, b3, c43);
                a = Vector512.Create(r5[q]);
                c50 = Vector512.FusedMultiplyAdd(a, b0, c50);
                c51 = Vector512.FusedMultiplyAdd(a, b1, c51);
                c52 = Vector512.FusedMultiplyAdd(a, b2, c52);
                c53 = Vector512.FusedMultiplyAdd(a, b3, c53);
            }
        }
        var sums = stackalloc Vector512<float>[24]
        {
            c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23,
            c30, c31, c32, c33, c40, c41, c42, c43, c50, c51, c52, c53,
        };
        AddRows(sums, count, 4, target, width);
    }

    /// <summary>Rows [first, first + count ≤ 12) of dWᵀ against 32 filters: 24 accumulators over every position.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Panel12x2(in PaddedImage image, int first, int count, RowSpan span, float* b, int width, float* target)
    {
        var data = image.Data;
        var offsets = image.Offsets;
        var r0 = data + offsets[first];
        var r1 = data + offsets[first + (count > 1 ? 1 : 0)];
        var r2 = data + offsets[first + (count > 2 ? 2 : 0)];
        var r3 = data + offsets[first + (count > 3 ? 3 : 0)];
        var r4 = data + offsets[first + (count > 4 ? 4 : 0)];
        var r5 = data + offsets[first + (count > 5 ? 5 : 0)];
        var r6 = data + offsets[first + (count > 6 ? 6 : 0)];
        var r7 = data + offsets[first + (count > 7 ? 7 : 0)];
        var r8 = data + offsets[first + (count > 8 ? 8 : 0)];
        var r9 = data + offsets[first + (count > 9 ? 9 : 0)];
        var r10 = data + offsets[first + (count > 10 ? 10 : 0)];
        var r11 = data + offsets[first + (count > 11 ? 11 : 0)];
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default;
        Vector512<float> c90 = default, c91 = default, ca0 = default, ca1 = default, cb0 = default, cb1 = default;
        b += span.First * span.OutWidth * width;
        for (var row = span.First; row < span.End; row++)
        {
            var start = row * span.Stride;
            for (var q = start; q < start + span.OutWidth; q++, b += width)
            {
                var b0 = Vector512.Load(b);
                var b1 = Vector512.Load(b + Lanes);
                var a = Vector512.Create(r0[q]);
                c00 = Vector512.FusedMultiplyAdd(a, b0, c00);
                c01 = Vector512.FusedMultiplyAdd(a, b1, c01);
                a = Vector512.Create(r1[q]);
                c10 = Vector512.FusedMultiplyAdd(a, b0, c10);
                c11 = Vector512.FusedMultiplyAdd(a, b1, c11);
                a = Vector512.Create(r2[q]);
                c20 = Vector512.FusedMultiplyAdd(a, b0, c20);
                c21 = Vector512.FusedMultiplyAdd(a, b1, c21);
                a = Vector512.Create(r3[q]);
                c30 = Vector512.FusedMultiplyAdd(a, b0, c30);
                c31 = Vector512.FusedMultiplyAdd(a, b1, c31);
                a = Vector512.Create(r4[q]);
                c40 = Vector512.FusedMultiplyAdd(a, b0, c40);
                c41 = Vector512.FusedMultiplyAdd(a, b1, c41);
                a = Vector512.Create(r5[q]);
                c50 = Vector512.FusedMultiplyAdd(a, b0, c50);
                c51 = Vector512.FusedMultiplyAdd(a, b1, c51);
                a = Vector512.Create(r6[q]);
                c60 = Vector512.FusedMultiplyAdd(a, b0, c60);
                c61 = Vector512.FusedMultiplyAdd(a, b1, c61);
                a = Vector512.Create(r7[q]);
                c70 = Vector512.FusedMultiplyAdd(a, b0, c70);
                c71 = Vector512.FusedMultiplyAdd(a, b1, c71);
                a = Vector512.Create(r8[q]);
                c80 = Vector512.FusedMultiplyAdd(a, b0, c80);
                c81 = Vector512.FusedMultiplyAdd(a, b1, c81);
                a = Vector512.Create(r9[q]);
                c90 = Vector512.FusedMultiplyAdd(a, b0, c90);
                c91 = Vector512.FusedMultiplyAdd(a, b1, c91);
                a = Vector512.Create(r10[q]);
                ca0 = Vector512.FusedMultiplyAdd(a, b0, ca0);
                ca1 = Vector512.FusedMultiplyAdd(a, b1, ca1);
                a = Vector512.Create(r11[q]);
                cb0 = Vector512.FusedMultiplyAdd(a, b0, cb0);
                cb1 = Vector512.FusedMultiplyAdd(a, b1, cb1);
            }
        }
        var sums = stackalloc Vector512<float>[24]
        {
            c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51,
            c60, c61, c70, c71, c80, c81, c90, c91, ca0, ca1, cb0, cb1,
        };
        AddRows(sums, count, 2, target, width);
    }

    /// <summary>Rows [first, first + count ≤ 12) of dWᵀ against 16 filters: 12 accumulators over every position.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Panel12x1(in PaddedImage image, int first, int count, RowSpan span, float* b, int width, float* target)
    {
        var data = image.Data;
        var offsets = image.Offsets;
        var r0 = data + offsets[first];
        var r1 = data + offsets[first + (count > 1 ? 1 : 0)];
        var r2 = data + offsets[first + (count > 2 ? 2 : 0)];
        var r3 = data + offsets[first + (count > 3 ? 3 : 0)];
        var r4 = data + offsets[first + (count > 4 ? 4 : 0)];
        var r5 = data + offsets[first + (count > 5 ? 5 : 0)];
        var r6 = data + offsets[first + (count > 6 ? 6 : 0)];
        var r7 = data + offsets[first + (count > 7 ? 7 : 0)];
        var r8 = data + offsets[first + (count > 8 ? 8 : 0)];
        var r9 = data + offsets[first + (count > 9 ? 9 : 0)];
        var r10 = data + offsets[first + (count > 10 ? 10 : 0)];
        var r11 = data + offsets[first + (count > 11 ? 11 : 0)];
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector512<float> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        b += span.First * span.OutWidth * width;
        for (var row = span.First; row < span.End; row++)
        {
            var start = row * span.Stride;
            for (var q = start; q < start + span.OutWidth; q++, b += width)
            {
                var v = Vector512.Load(b);
                c0 = Vector512.FusedMultiplyAdd(Vector512.Create(r0[q]), v, c0);
                c1 = Vector512.FusedMultiplyAdd(Vector512.Create(r1[q]), v, c1);
                c2 = Vector512.FusedMultiplyAdd(Vector512.Create(r2[q]), v, c2);
                c3 = Vector512.FusedMultiplyAdd(Vector512.Create(r3[q]), v, c3);
                c4 = Vector512.FusedMultiplyAdd(Vector512.Create(r4[q]), v, c4);
                c5 = Vector512.FusedMultiplyAdd(Vector512.Create(r5[q]), v, c5);
                c6 = Vector512.FusedMultiplyAdd(Vector512.Create(r6[q]), v, c6);
                c7 = Vector512.FusedMultiplyAdd(Vector512.Create(r7[q]), v, c7);
                c8 = Vector512.FusedMultiplyAdd(Vector512.Create(r8[q]), v, c8);
                c9 = Vector512.FusedMultiplyAdd(Vector512.Create(r9[q]), v, c9);
                c10 = Vector512.FusedMultiplyAdd(Vector512.Create(r10[q]), v, c10);
                c11 = Vector512.FusedMultiplyAdd(Vector512.Create(r11[q]), v, c11);
            }
        }
        var sums = stackalloc Vector512<float>[12] { c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11 };
        AddRows(sums, count, 1, target, width);
    }

    /// <summary>Adds the first <paramref name="count"/> rows of <paramref name="vectors"/> vectors each into the target rows.</summary>
    private static void AddRows(Vector512<float>* sums, int count, int vectors, float* target, int width)
    {
        for (var i = 0; i < count; i++)
        {
            for (var v = 0; v < vectors; v++)
            {
                var at = target + (i * width) + (v * Lanes);
                (Vector512.Load(at) + sums[(i * vectors) + v]).Store(at);
            }
        }
    }

    /// <summary>Output rows [First, End) of one pass; each row's outputs start <c>Stride</c> positions after the last's.</summary>
    private readonly record struct RowSpan(int First, int End, int OutWidth, int Stride);
}
