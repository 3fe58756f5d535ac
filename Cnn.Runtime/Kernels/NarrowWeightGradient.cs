using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// The weight gradient of a convolution with at most 16 filters per group, on AVX-512:
/// <c>dWᵀ[r, oc] += Σ_q col[r, q] · dyᵀ[q, oc]</c>, with the 16 filters in one vector. col's values are broadcast
/// straight from the <see cref="PaddedImage"/>'s shifted rows (12 rows at a time), so nothing of col is packed or
/// transposed; only dy (16 × positions) is transposed once per sample. The GEMM formulation instead transposes
/// all of col, which for 16 filters costs as much as the multiply.
/// </summary>
[SkipLocalsInit]
internal static unsafe class NarrowWeightGradient
{
    /// <summary>Filters in the vector.</summary>
    internal const int Lanes = 16;

    private const int Rows = 12;

    /// <summary>
    /// dWᵀ [patch, 16] (+)= col · dyᵀ for one sample: <paramref name="gradOut"/> is dy [filters, positions] (zeros in
    /// the discarded columns), <paramref name="transposed"/> receives dyᵀ, <paramref name="gradWeightT"/> accumulates.
    /// </summary>
    internal static void Accumulate(in PaddedImage image, int patch, int filters, float* gradOut, float* transposed, float* gradWeightT)
    {
        var positions = image.Positions;
        if (filters == Lanes)
        {
            MatrixTranspose.Run(new ReadOnlySpan<float>(gradOut, Lanes * positions), Lanes, positions, new Span<float>(transposed, Lanes * positions), CpuPath.Vector512);
        }
        for (var q = 0; filters < Lanes && q < positions; q++)
        {
            var row = transposed + (q * Lanes);
            var oc = 0;
            for (; oc < filters; oc++)
            {
                row[oc] = gradOut[(oc * positions) + q];
            }
            for (; oc < Lanes; oc++)
            {
                row[oc] = 0f;
            }
        }
        for (var r = 0; r < patch; r += Rows)
        {
            Panel(image, r, Math.Min(Rows, patch - r), transposed, gradWeightT + (r * Lanes));
        }
    }

    /// <summary>dW[oc, r] = (accumulate ? dW[oc, r] : 0) + dWᵀ[r, oc].</summary>
    internal static void Store(float* gradWeightT, int patch, int filters, float* gradWeight, bool accumulate)
    {
        for (var oc = 0; oc < filters; oc++)
        {
            for (var r = 0; r < patch; r++)
            {
                var value = gradWeightT[(r * Lanes) + oc];
                gradWeight[(oc * patch) + r] = accumulate ? gradWeight[(oc * patch) + r] + value : value;
            }
        }
    }

    /// <summary>Rows [first, first + count) of dWᵀ, 12 accumulators of 16 filters over every position.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Panel(in PaddedImage image, int first, int count, float* transposed, float* target)
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
        var r6 = data + offsets[first + (count > 6 ? 6 : 0)];
        var r7 = data + offsets[first + (count > 7 ? 7 : 0)];
        var r8 = data + offsets[first + (count > 8 ? 8 : 0)];
        var r9 = data + offsets[first + (count > 9 ? 9 : 0)];
        var r10 = data + offsets[first + (count > 10 ? 10 : 0)];
        var r11 = data + offsets[first + (count > 11 ? 11 : 0)];
        var c0 = Vector512<float>.Zero;
        var c1 = Vector512<float>.Zero;
        var c2 = Vector512<float>.Zero;
        var c3 = Vector512<float>.Zero;
        var c4 = Vector512<float>.Zero;
        var c5 = Vector512<float>.Zero;
        var c6 = Vector512<float>.Zero;
        var c7 = Vector512<float>.Zero;
        var c8 = Vector512<float>.Zero;
        var c9 = Vector512<float>.Zero;
        var c10 = Vector512<float>.Zero;
        var c11 = Vector512<float>.Zero;
        var positions = image.Positions;
        for (var q = 0; q < positions; q++)
        {
            var b = Vector512.Load(transposed + (q * Lanes));
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(r0[q]), b, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(r1[q]), b, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(r2[q]), b, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(r3[q]), b, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(r4[q]), b, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(r5[q]), b, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(r6[q]), b, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(r7[q]), b, c7);
            c8 = Vector512.FusedMultiplyAdd(Vector512.Create(r8[q]), b, c8);
            c9 = Vector512.FusedMultiplyAdd(Vector512.Create(r9[q]), b, c9);
            c10 = Vector512.FusedMultiplyAdd(Vector512.Create(r10[q]), b, c10);
            c11 = Vector512.FusedMultiplyAdd(Vector512.Create(r11[q]), b, c11);
        }
        var sums = stackalloc Vector512<float>[Rows] { c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11 };
        for (var i = 0; i < count; i++)
        {
            (Vector512.Load(target + (i * Lanes)) + sums[i]).Store(target + (i * Lanes));
        }
    }
}
