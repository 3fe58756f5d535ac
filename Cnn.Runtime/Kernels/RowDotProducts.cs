using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// <c>C[m,n] (+)= A[m,k] · B[n,k]ᵀ</c> where both A and B are row-major along k, computed as dot products of
/// contiguous rows in 4×4 register blocks, with no packing. This is the shape of a convolution's weight
/// gradient (<c>dy[oc, plane] · col[patch, plane]ᵀ</c>: small m and n, long k) and of a dense layer's
/// forward at small batch (<c>x[n, in] · W[out, in]ᵀ</c>), where <see cref="PackedGemm"/> would spend
/// more time transposing B into panels than multiplying.
/// </summary>
[SkipLocalsInit]
internal static class RowDotProducts
{
    private const int Block = 4;

    /// <summary>Whether <paramref name="path"/> has a vector kernel here (the scalar path uses <see cref="Gemm"/>).</summary>
    internal static bool Supports(CpuPath path) => CpuPaths.Resolve(path) is CpuPath.Vector512 or CpuPath.Vector256;

    /// <summary><c>c[i·ldc + j] = (accumulate ? c[i·ldc + j] : 0) + Σₚ a[i·lda + p] · b[j·ldb + p]</c>.</summary>
    internal static unsafe void Multiply(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate, CpuPath path)
    {
        if (m <= 0 || n <= 0)
        {
            return;
        }
        if (k < 0 || a.Length < ((long)(m - 1) * lda) + k || b.Length < ((long)(n - 1) * ldb) + k || c.Length < ((long)(m - 1) * ldc) + n)
        {
            throw new ArgumentException($"Row dot products {m}×{n}×{k}: operands too short.");
        }
        fixed (float* aBase = a, bBase = b, cBase = c)
        {
            Run(m, n, k, aBase, lda, new StridedRows(bBase, ldb), cBase, ldc, accumulate, CpuPaths.Resolve(path) == CpuPath.Vector512);
        }
    }

    /// <summary>
    /// <see cref="Multiply"/> with row j of B at <c>origin + offsets[j]</c>: the shifted slices of a convolution's
    /// <see cref="PaddedImage"/>, so its weight gradient needs no lowered matrix at all.
    /// </summary>
    internal static unsafe void MultiplyShifted(int m, int n, int k, float* a, int lda, float* origin, int* offsets, float* c, int ldc, bool accumulate, CpuPath path) =>
        Run(m, n, k, a, lda, new OffsetRows(origin, offsets), c, ldc, accumulate, CpuPaths.Resolve(path) == CpuPath.Vector512);

    private static unsafe void Run<TRows>(int m, int n, int k, float* aBase, int lda, TRows b, float* cBase, int ldc, bool accumulate, bool wide)
        where TRows : struct, IRows
    {
        var sums = stackalloc float[Block * Block];
        for (var i = 0; i < m; i += Block)
        {
            for (var j = 0; j < n; j += Block)
            {
                // Missing rows of a partial block repeat the last real row; their sums are discarded.
                var a0 = aBase + ((long)i * lda);
                var a1 = aBase + ((long)Math.Min(i + 1, m - 1) * lda);
                var a2 = aBase + ((long)Math.Min(i + 2, m - 1) * lda);
                var a3 = aBase + ((long)Math.Min(i + 3, m - 1) * lda);
                var b0 = b.Row(j);
                var b1 = b.Row(Math.Min(j + 1, n - 1));
                var b2 = b.Row(Math.Min(j + 2, n - 1));
                var b3 = b.Row(Math.Min(j + 3, n - 1));
                var p = Dots4x4(wide, k, a0, a1, a2, a3, b0, b1, b2, b3, sums);
                for (; p < k; p++)
                {
                    float x0 = a0[p], x1 = a1[p], x2 = a2[p], x3 = a3[p], y0 = b0[p], y1 = b1[p], y2 = b2[p], y3 = b3[p];
                    sums[0] += x0 * y0; sums[1] += x0 * y1; sums[2] += x0 * y2; sums[3] += x0 * y3;
                    sums[4] += x1 * y0; sums[5] += x1 * y1; sums[6] += x1 * y2; sums[7] += x1 * y3;
                    sums[8] += x2 * y0; sums[9] += x2 * y1; sums[10] += x2 * y2; sums[11] += x2 * y3;
                    sums[12] += x3 * y0; sums[13] += x3 * y1; sums[14] += x3 * y2; sums[15] += x3 * y3;
                }
                var rows = Math.Min(Block, m - i);
                var cols = Math.Min(Block, n - j);
                for (var r = 0; r < rows; r++)
                {
                    var target = cBase + ((long)(i + r) * ldc) + j;
                    for (var q = 0; q < cols; q++)
                    {
                        target[q] = accumulate ? target[q] + sums[(r * Block) + q] : sums[(r * Block) + q];
                    }
                }
            }
        }
    }

    /// <summary>
    /// Lane sums of 4 rows of A × 4 rows of B over whole vector steps of k, each reduced by <c>Vector.Sum</c> into
    /// <paramref name="sums"/> (row-major 4×4); returns the first p not summed. Every sum's order depends only on
    /// k, never on which block computes it (the dense layer's forward relies on that: <see cref="LinearRowDots"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe int Dots4x4(bool wide, int k, float* a0, float* a1, float* a2, float* a3, float* b0, float* b1, float* b2, float* b3, float* sums) =>
        wide ? Block512(k, a0, a1, a2, a3, b0, b1, b2, b3, sums) : Block256(k, a0, a1, a2, a3, b0, b1, b2, b3, sums);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int Block512(int k, float* a0, float* a1, float* a2, float* a3, float* b0, float* b1, float* b2, float* b3, float* sums)
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        var p = 0;
        for (; p <= k - Vector512<float>.Count; p += Vector512<float>.Count)
        {
            var y0 = Vector512.Load(b0 + p);
            var y1 = Vector512.Load(b1 + p);
            var y2 = Vector512.Load(b2 + p);
            var y3 = Vector512.Load(b3 + p);
            var x = Vector512.Load(a0 + p);
            c00 = Vector512.FusedMultiplyAdd(x, y0, c00); c01 = Vector512.FusedMultiplyAdd(x, y1, c01);
            c02 = Vector512.FusedMultiplyAdd(x, y2, c02); c03 = Vector512.FusedMultiplyAdd(x, y3, c03);
            x = Vector512.Load(a1 + p);
            c10 = Vector512.FusedMultiplyAdd(x, y0, c10); c11 = Vector512.FusedMultiplyAdd(x, y1, c11);
            c12 = Vector512.FusedMultiplyAdd(x, y2, c12); c13 = Vector512.FusedMultiplyAdd(x, y3, c13);
            x = Vector512.Load(a2 + p);
            c20 = Vector512.FusedMultiplyAdd(x, y0, c20); c21 = Vector512.FusedMultiplyAdd(x, y1, c21);
            c22 = Vector512.FusedMultiplyAdd(x, y2, c22); c23 = Vector512.FusedMultiplyAdd(x, y3, c23);
            x = Vector512.Load(a3 + p);
            c30 = Vector512.FusedMultiplyAdd(x, y0, c30); c31 = Vector512.FusedMultiplyAdd(x, y1, c31);
            c32 = Vector512.FusedMultiplyAdd(x, y2, c32); c33 = Vector512.FusedMultiplyAdd(x, y3, c33);
        }
        sums[0] = Vector512.Sum(c00); sums[1] = Vector512.Sum(c01); sums[2] = Vector512.Sum(c02); sums[3] = Vector512.Sum(c03);
        sums[4] = Vector512.Sum(c10); sums[5] = Vector512.Sum(c11); sums[6] = Vector512.Sum(c12); sums[7] = Vector512.Sum(c13);
        sums[8] = Vector512.Sum(c20); sums[9] = Vector512.Sum(c21); sums[10] = Vector512.Sum(c22); sums[11] = Vector512.Sum(c23);
        sums[12] = Vector512.Sum(c30); sums[13] = Vector512.Sum(c31); sums[14] = Vector512.Sum(c32); sums[15] = Vector512.Sum(c33);
        return p;
    }

    /// <summary>As <see cref="Block512"/> in 8-float steps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int Block256(int k, float* a0, float* a1, float* a2, float* a3, float* b0, float* b1, float* b2, float* b3, float* sums)
    {
        Vector256<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector256<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector256<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector256<float> c30 = default, c31 = default, c32 = default, c33 = default;
        var p = 0;
        for (; p <= k - Vector256<float>.Count; p += Vector256<float>.Count)
        {
            var y0 = Vector256.Load(b0 + p);
            var y1 = Vector256.Load(b1 + p);
            var y2 = Vector256.Load(b2 + p);
            var y3 = Vector256.Load(b3 + p);
            var x = Vector256.Load(a0 + p);
            c00 = Vector256.FusedMultiplyAdd(x, y0, c00); c01 = Vector256.FusedMultiplyAdd(x, y1, c01);
            c02 = Vector256.FusedMultiplyAdd(x, y2, c02); c03 = Vector256.FusedMultiplyAdd(x, y3, c03);
            x = Vector256.Load(a1 + p);
            c10 = Vector256.FusedMultiplyAdd(x, y0, c10); c11 = Vector256.FusedMultiplyAdd(x, y1, c11);
            c12 = Vector256.FusedMultiplyAdd(x, y2, c12); c13 = Vector256.FusedMultiplyAdd(x, y3, c13);
            x = Vector256.Load(a2 + p);
            c20 = Vector256.FusedMultiplyAdd(x, y0, c20); c21 = Vector256.FusedMultiplyAdd(x, y1, c21);
            c22 = Vector256.FusedMultiplyAdd(x, y2, c22); c23 = Vector256.FusedMultiplyAdd(x, y3, c23);
            x = Vector256.Load(a3 + p);
            c30 = Vector256.FusedMultiplyAdd(x, y0, c30); c31 = Vector256.FusedMultiplyAdd(x, y1, c31);
            c32 = Vector256.FusedMultiplyAdd(x, y2, c32); c33 = Vector256.FusedMultiplyAdd(x, y3, c33);
        }
        sums[0] = Vector256.Sum(c00); sums[1] = Vector256.Sum(c01); sums[2] = Vector256.Sum(c02); sums[3] = Vector256.Sum(c03);
        sums[4] = Vector256.Sum(c10); sums[5] = Vector256.Sum(c11); sums[6] = Vector256.Sum(c12); sums[7] = Vector256.Sum(c13);
        sums[8] = Vector256.Sum(c20); sums[9] = Vector256.Sum(c21); sums[10] = Vector256.Sum(c22); sums[11] = Vector256.Sum(c23);
        sums[12] = Vector256.Sum(c30); sums[13] = Vector256.Sum(c31); sums[14] = Vector256.Sum(c32); sums[15] = Vector256.Sum(c33);
        return p;
    }

    /// <summary>Where row j of B starts.</summary>
    private unsafe interface IRows
    {
        float* Row(int j);
    }

    private readonly unsafe struct StridedRows(float* b, int ldb) : IRows
    {
        public float* Row(int j) => b + ((long)j * ldb);
    }

    private readonly unsafe struct OffsetRows(float* origin, int* offsets) : IRows
    {
        public float* Row(int j) => origin + offsets[j];
    }
}
