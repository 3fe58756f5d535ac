using System;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Single-precision matrix multiply on row-major matrices:
/// <c>C[m,n] = β·C + op(A)[m,k] · op(B)[k,n]</c> with β = 0 or 1 (<c>accumulate</c>), where op is the
/// identity or the transpose. BLIS-style: panels of A and B are packed into <c>scratch</c>, then a
/// register-blocked micro-kernel (Vector512, Vector256 or scalar) computes C tile by tile.
/// </summary>
public static class Gemm
{
    /// <summary>Floats of scratch that <see cref="Multiply"/> needs for these sizes (on any path).</summary>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">The inner dimension.</param>
    /// <returns>The scratch length in floats.</returns>
    public static int ScratchLength(int m, int n, int k) => PackedGemm.ScratchLength(m, n, k);

    /// <summary>
    /// <c>C = (accumulate ? C : 0) + op(A)·op(B)</c>. Without transpose A is stored [m, lda ≥ k]; transposed
    /// it is stored [k, lda ≥ m]. Likewise B is [k, ldb ≥ n], or [n, ldb ≥ k] when transposed. C is [m, ldc ≥ n].
    /// Allocates nothing.
    /// </summary>
    /// <param name="transposeA">Whether A is stored transposed (use Aᵀ).</param>
    /// <param name="transposeB">Whether B is stored transposed (use Bᵀ).</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">The inner dimension.</param>
    /// <param name="a">A's storage.</param>
    /// <param name="lda">A's row stride.</param>
    /// <param name="b">B's storage.</param>
    /// <param name="ldb">B's row stride.</param>
    /// <param name="c">C's storage.</param>
    /// <param name="ldc">C's row stride.</param>
    /// <param name="accumulate">Add to C (β = 1) rather than overwrite it (β = 0).</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/>(m, n, k) floats.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate, Span<float> scratch, CpuPath path = CpuPath.Auto)
    {
        if (m <= 0 || n <= 0)
        {
            return;
        }
        CheckOperand(a, transposeA ? k : m, transposeA ? m : k, lda, nameof(a));
        CheckOperand(b, transposeB ? n : k, transposeB ? k : n, ldb, nameof(b));
        CheckOperand(c, m, n, ldc, nameof(c));
        if (scratch.Length < ScratchLength(m, n, k))
        {
            throw new ArgumentException($"GEMM {m}×{n}×{k} needs {ScratchLength(m, n, k)} floats of scratch, got {scratch.Length}.", nameof(scratch));
        }
        if (k <= 0)
        {
            if (!accumulate)
            {
                for (var i = 0; i < m; i++)
                {
                    c.Slice(i * ldc, n).Clear();
                }
            }
            return;
        }
        PackedGemm.Run(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, scratch, CpuPaths.Resolve(path));
    }

    /// <summary><c>C = β·C + A·B</c>: A [m,k], B [k,n], C [m,n], all dense (leading dimension = columns).</summary>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">The inner dimension.</param>
    /// <param name="a">A, [m, k].</param>
    /// <param name="b">B, [k, n].</param>
    /// <param name="c">C, [m, n].</param>
    /// <param name="accumulate">β = 1 when true.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/>(m, n, k) floats.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void AB(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate, Span<float> scratch, CpuPath path = CpuPath.Auto)
        => Multiply(false, false, m, n, k, a, k, b, n, c, n, accumulate, scratch, path);

    /// <summary><c>C = β·C + A·Bᵀ</c>: A [m,k], B stored [n,k], C [m,n].</summary>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">The inner dimension.</param>
    /// <param name="a">A, [m, k].</param>
    /// <param name="b">B, stored [n, k].</param>
    /// <param name="c">C, [m, n].</param>
    /// <param name="accumulate">β = 1 when true.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/>(m, n, k) floats.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void ABt(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate, Span<float> scratch, CpuPath path = CpuPath.Auto)
        => Multiply(false, true, m, n, k, a, k, b, k, c, n, accumulate, scratch, path);

    /// <summary><c>C = β·C + Aᵀ·B</c>: A stored [k,m], B [k,n], C [m,n].</summary>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">The inner dimension.</param>
    /// <param name="a">A, stored [k, m].</param>
    /// <param name="b">B, [k, n].</param>
    /// <param name="c">C, [m, n].</param>
    /// <param name="accumulate">β = 1 when true.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/>(m, n, k) floats.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void AtB(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate, Span<float> scratch, CpuPath path = CpuPath.Auto)
        => Multiply(true, false, m, n, k, a, m, b, n, c, n, accumulate, scratch, path);

    private static void CheckOperand(ReadOnlySpan<float> storage, int rows, int columns, int stride, string name)
    {
        if (stride < columns || (rows > 0 && columns > 0 && storage.Length < ((long)(rows - 1) * stride) + columns))
        {
            throw new ArgumentException($"Operand {name} of {rows}×{columns} with stride {stride} does not fit in {storage.Length} floats.", name);
        }
    }
}
