using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// The dense layer's forward on the vector paths, <c>y[i, j] = b[j] + Σₚ x[i, p] · W[j, p]</c>, as dot
/// products of contiguous rows of x and W with no packing: the weight matrix is read once per call, in
/// blocks of 8 rows that stay in cache while every sample passes over them. At batch 1 this streams W
/// (8 MB for a 4096 → 512 layer) where <see cref="PackedGemm"/> would first copy it into panels.
/// </summary>
/// <remarks>
/// Every output is summed in the same order whatever the batch size and whichever block computes it: one
/// vector of lane sums over the whole vector steps of p, reduced by <c>Vector512.Sum</c> (or
/// <c>Vector256.Sum</c>), then the remaining products one by one in order, then the bias. So a sample's
/// output does not depend on which or how many other samples share its call, and splitting a batch
/// across workers changes no bit of it. The loops are compiled fully optimized on first call
/// (<c>AggressiveOptimization</c>), as batch-1 inference may be the first use of this path.
/// </remarks>
[SkipLocalsInit]
internal static class LinearRowDots
{
    private const int Rows = 4;
    /// <summary>Weight rows (output features) per block.</summary>
    private const int WeightRows = 8;

    /// <summary>
    /// How far ahead (floats) the one-sample kernel prefetches each of its 8 weight rows into L1: 4 lines. At batch 1
    /// it streams W once and the hardware prefetchers alone left it at ~45 GB/s: 4096 → 512 went from 175–200 to
    /// 135–147 µs and 3136 → 128 from 38 to 22–27 µs (same process, load 14–28); 1 line ahead gains little, 2–8 alike,
    /// into L2 only half as much, and 16 rows at once lose (their pointers spill).
    /// </summary>
    private const int StreamAhead = 64;

    /// <summary>Whether <paramref name="path"/> runs here (the scalar path uses <see cref="Gemm"/>).</summary>
    /// <param name="path">The requested path.</param>
    /// <returns>True for Vector512 and Vector256.</returns>
    internal static bool Supports(CpuPath path) => CpuPaths.Resolve(path) is CpuPath.Vector512 or CpuPath.Vector256;

    /// <summary><c>y[i, j] = bias[j] + Σₚ x[i·k + p] · w[j·k + p]</c> for i &lt; n, j &lt; outputs (no bias term when bias is empty).</summary>
    /// <param name="n">Samples.</param>
    /// <param name="k">Input features.</param>
    /// <param name="outputs">Output features.</param>
    /// <param name="x">Input, [n, k].</param>
    /// <param name="weight">Weight, [outputs, k].</param>
    /// <param name="bias">Bias, [outputs], or empty.</param>
    /// <param name="y">Output, [n, outputs] (overwritten).</param>
    /// <param name="path">Vector512 or Vector256 (see <see cref="Supports"/>).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Forward(int n, int k, int outputs, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, CpuPath path)
    {
        if (n < 0 || outputs < 0 || k < 0 || x.Length < (long)n * k || weight.Length < (long)outputs * k || y.Length < (long)n * outputs || (!bias.IsEmpty && bias.Length < outputs))
        {
            throw new ArgumentException($"Dense forward {n}×{k} → {outputs}: operands too short.");
        }
        if (n == 0 || outputs == 0)
        {
            return;
        }
        var wide = CpuPaths.Resolve(path) == CpuPath.Vector512;
        var sums = stackalloc float[Rows * WeightRows];
        var w = stackalloc float*[WeightRows];
        fixed (float* xBase = x, wBase = weight, bBase = bias, yBase = y)
        {
            for (var j = 0; j < outputs; j += WeightRows)
            {
                // Missing rows of the last block repeat the last real row; their sums are discarded.
                for (var r = 0; r < WeightRows; r++)
                {
                    w[r] = wBase + ((long)Math.Min(j + r, outputs - 1) * k);
                }
                var columns = Math.Min(WeightRows, outputs - j);
                var i = 0;
                for (; i + Rows <= n; i += Rows)
                {
                    var x0 = xBase + ((long)i * k);
                    var p = RowDotProducts.Dots4x4(wide, k, x0, x0 + k, x0 + (2 * k), x0 + (3 * k), w[0], w[1], w[2], w[3], sums);
                    if (columns > Rows)
                    {
                        _ = RowDotProducts.Dots4x4(wide, k, x0, x0 + k, x0 + (2 * k), x0 + (3 * k), w[4], w[5], w[6], w[7], sums + (Rows * Rows));
                    }
                    for (var row = 0; row < Rows; row++)
                    {
                        for (var c = 0; c < columns; c++)
                        {
                            // Block b = c / 4 holds rows × 4 sums: sums[b·16 + row·4 + c % 4].
                            var sum = sums[((c / Rows) * Rows * Rows) + (row * Rows) + (c % Rows)];
                            Finish(sum, p, k, x0 + ((long)row * k), w[c], bBase, j + c, yBase + ((long)(i + row) * outputs) + j + c, !bias.IsEmpty);
                        }
                    }
                }
                for (; i < n; i++)
                {
                    var xi = xBase + ((long)i * k);
                    var p = wide ? Row512(k, xi, w, sums) : Row256(k, xi, w, sums);
                    for (var c = 0; c < columns; c++)
                    {
                        Finish(sums[c], p, k, xi, w[c], bBase, j + c, yBase + ((long)i * outputs) + j + c, !bias.IsEmpty);
                    }
                }
            }
        }
    }

    /// <summary>Adds the products from <paramref name="p"/> on one by one, then the bias, and stores the output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Finish(float sum, int p, int k, float* x, float* w, float* bias, int column, float* target, bool hasBias)
    {
        for (; p < k; p++)
        {
            sum += x[p] * w[p];
        }
        *target = hasBias ? sum + bias[column] : sum;
    }

    /// <summary>
    /// Lane sums of one sample × 8 weight rows over whole 16-float steps into <paramref name="sums"/>; returns the first p
    /// not summed. Prefetches each row <see cref="StreamAhead"/> floats ahead (past a row's end that is the next row, or
    /// nothing: a prefetch never faults).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int Row512(int k, float* a, float** w, float* sums)
    {
        float* b0 = w[0], b1 = w[1], b2 = w[2], b3 = w[3], b4 = w[4], b5 = w[5], b6 = w[6], b7 = w[7];
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        var p = 0;
        for (; p <= k - Vector512<float>.Count; p += Vector512<float>.Count)
        {
            if (Sse.IsSupported)
            {
                Sse.Prefetch0(b0 + p + StreamAhead); Sse.Prefetch0(b1 + p + StreamAhead); Sse.Prefetch0(b2 + p + StreamAhead); Sse.Prefetch0(b3 + p + StreamAhead);
                Sse.Prefetch0(b4 + p + StreamAhead); Sse.Prefetch0(b5 + p + StreamAhead); Sse.Prefetch0(b6 + p + StreamAhead); Sse.Prefetch0(b7 + p + StreamAhead);
            }
            var x = Vector512.Load(a + p);
            c0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b0 + p), c0);
            c1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b1 + p), c1);
            c2 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b2 + p), c2);
            c3 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b3 + p), c3);
            c4 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b4 + p), c4);
            c5 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b5 + p), c5);
            c6 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b6 + p), c6);
            c7 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b7 + p), c7);
        }
        sums[0] = Vector512.Sum(c0); sums[1] = Vector512.Sum(c1); sums[2] = Vector512.Sum(c2); sums[3] = Vector512.Sum(c3);
        sums[4] = Vector512.Sum(c4); sums[5] = Vector512.Sum(c5); sums[6] = Vector512.Sum(c6); sums[7] = Vector512.Sum(c7);
        return p;
    }

    /// <summary>As <see cref="Row512"/> in 8-float steps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int Row256(int k, float* a, float** w, float* sums)
    {
        float* b0 = w[0], b1 = w[1], b2 = w[2], b3 = w[3], b4 = w[4], b5 = w[5], b6 = w[6], b7 = w[7];
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        var p = 0;
        for (; p <= k - Vector256<float>.Count; p += Vector256<float>.Count)
        {
            var x = Vector256.Load(a + p);
            c0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b0 + p), c0);
            c1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b1 + p), c1);
            c2 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b2 + p), c2);
            c3 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b3 + p), c3);
            c4 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b4 + p), c4);
            c5 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b5 + p), c5);
            c6 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b6 + p), c6);
            c7 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b7 + p), c7);
        }
        sums[0] = Vector256.Sum(c0); sums[1] = Vector256.Sum(c1); sums[2] = Vector256.Sum(c2); sums[3] = Vector256.Sum(c3);
        sums[4] = Vector256.Sum(c4); sums[5] = Vector256.Sum(c5); sums[6] = Vector256.Sum(c6); sums[7] = Vector256.Sum(c7);
        return p;
    }
}
