using System;
using System.Numerics;

namespace Cnn.Runtime.Kernels.Reference;

/// <summary>The definition of <see cref="Gemm.Multiply"/> as a triple loop, in any floating-point type.</summary>
public static class ReferenceGemm
{
    /// <summary><c>C = (accumulate ? C : 0) + op(A)·op(B)</c>, row-major with leading dimensions, as <see cref="Gemm.Multiply"/>.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="transposeA">A stored [k, lda].</param>
    /// <param name="transposeB">B stored [n, ldb].</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">Inner dimension.</param>
    /// <param name="a">A.</param>
    /// <param name="lda">A's row stride.</param>
    /// <param name="b">B.</param>
    /// <param name="ldb">B's row stride.</param>
    /// <param name="c">C.</param>
    /// <param name="ldc">C's row stride.</param>
    /// <param name="accumulate">β = 1.</param>
    public static void Multiply<T>(bool transposeA, bool transposeB, int m, int n, int k, ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc, bool accumulate)
        where T : IFloatingPointIeee754<T>
    {
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var sum = T.Zero;
                for (var p = 0; p < k; p++)
                {
                    var av = transposeA ? a[(p * lda) + i] : a[(i * lda) + p];
                    var bv = transposeB ? b[(j * ldb) + p] : b[(p * ldb) + j];
                    sum += av * bv;
                }
                c[(i * ldc) + j] = accumulate ? c[(i * ldc) + j] + sum : sum;
            }
        }
    }
}
