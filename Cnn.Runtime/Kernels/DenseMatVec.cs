using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// The dense layer's forward for one sample, <c>y[j] = b[j] + Σₚ x[p] · W[j, p]</c>, as a matrix–vector product over blocks of
/// 8 weight rows: 8 vector accumulators over the whole row, the row's last partial vector by masked loads (no scalar tail), the
/// 8 lane sums reduced together into one vector of 8 outputs, the bias added and the 8 outputs stored at once. Batch-1
/// inference takes it (<see cref="Network.LayerOps.Dense"/>): against <see cref="LinearRowDots"/>'s one-sample kernel it drops
/// the products summed one by one after the last whole vector (8 per output on LeNet-5's 120 → 84, 4 on 84 → 10) and the 8
/// separate horizontal sums per block. Called in a loop, fastest of 9 rounds of 20,000 calls (one core, weights in L2, load 3): 400 → 120 2.1–2.4 → 1.8–1.9 µs,
/// 120 → 84 0.84 → 0.30 µs, 84 → 10 0.12 → 0.05 µs.
/// </summary>
/// <remarks>
/// Each output is summed in one fixed order (lane sums over whole and masked vectors, then a fixed reduction tree, then the
/// bias) whichever row blocks a call covers, so any split of a layer into block ranges (<see cref="Network.SharedDenseRows"/>) gives
/// the same bits. The order differs from <see cref="LinearRowDots"/>'s, so a sample's batch-1 output may differ from its
/// batched output in the last bits (as the batch-1 convolutions' do). Layers of <see cref="StreamingWeightBytes"/> or more,
/// which do not stay in L2 between passes, prefetch each row ahead as <see cref="LinearRowDots"/> does.
/// </remarks>
[SkipLocalsInit]
internal static class DenseMatVec
{
    /// <summary>Weight rows (output features) per block: the unit of <see cref="ForwardRowBlocks"/>.</summary>
    internal const int WeightRows = 8;

    /// <summary>Weight bytes from which each row is prefetched <see cref="StreamAhead"/> floats ahead into L1: 1 MiB, the L2 of one core.</summary>
    internal const long StreamingWeightBytes = 1 << 20;

    /// <summary>How far ahead (floats, 4 lines) a streaming layer prefetches each row (as <see cref="LinearRowDots"/>).</summary>
    private const int StreamAhead = 64;

    /// <summary>Whether <paramref name="path"/> runs here: Vector512 with AVX-512F, Vector256 with AVX and FMA (masked loads).</summary>
    /// <param name="path">The requested path.</param>
    /// <returns>True when this kernel runs the path.</returns>
    internal static bool Supports(CpuPath path) => CpuPaths.Resolve(path) switch
    {
        CpuPath.Vector512 => Avx512F.IsSupported,
        CpuPath.Vector256 => Avx.IsSupported && Fma.IsSupported,
        _ => false,
    };

    /// <summary>Blocks of <see cref="WeightRows"/> output features (the last one may be partial).</summary>
    /// <param name="outputs">Output features.</param>
    /// <returns>⌈outputs / 8⌉.</returns>
    internal static int RowBlocks(int outputs) => (outputs + WeightRows - 1) / WeightRows;

    /// <summary><c>y[j] = bias[j] + Σₚ x[p] · w[j·k + p]</c> for j &lt; outputs (no bias term when bias is empty).</summary>
    /// <param name="k">Input features.</param>
    /// <param name="outputs">Output features.</param>
    /// <param name="x">Input, [k].</param>
    /// <param name="weight">Weight, [outputs, k].</param>
    /// <param name="bias">Bias, [outputs], or empty.</param>
    /// <param name="y">Output, [outputs] (overwritten).</param>
    /// <param name="path">A path <see cref="Supports"/> accepts.</param>
    internal static void Forward(int k, int outputs, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, CpuPath path) =>
        ForwardRowBlocks(k, outputs, x, weight, bias, y, path, 0, RowBlocks(outputs));

    /// <summary>
    /// <see cref="Forward"/> for the outputs of row blocks <paramref name="firstBlock"/> … <paramref name="firstBlock"/> +
    /// <paramref name="blocks"/> − 1 only (outputs 8·firstBlock onwards; the others untouched), each computed as in a whole call.
    /// </summary>
    /// <param name="k">Input features.</param>
    /// <param name="outputs">Output features (of the whole layer).</param>
    /// <param name="x">Input, [k].</param>
    /// <param name="weight">Weight, [outputs, k].</param>
    /// <param name="bias">Bias, [outputs], or empty.</param>
    /// <param name="y">Output, [outputs] (the range's features overwritten).</param>
    /// <param name="path">A path <see cref="Supports"/> accepts.</param>
    /// <param name="firstBlock">First row block.</param>
    /// <param name="blocks">Row blocks (clipped to the last one).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void ForwardRowBlocks(int k, int outputs, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, CpuPath path, int firstBlock, int blocks)
    {
        if (outputs < 0 || k < 0 || x.Length < k || weight.Length < (long)outputs * k || y.Length < outputs || (!bias.IsEmpty && bias.Length < outputs))
        {
            throw new ArgumentException($"Dense forward of one sample {k} → {outputs}: operands too short.");
        }
        if (firstBlock < 0 || blocks < 0 || firstBlock > RowBlocks(outputs))
        {
            throw new ArgumentOutOfRangeException(nameof(firstBlock), $"Row blocks {firstBlock} + {blocks} of a dense layer with {outputs} outputs.");
        }
        if (!Supports(path))
        {
            throw new ArgumentException($"DenseMatVec does not run {path} here.", nameof(path));
        }
        var end = (int)Math.Min(outputs, ((long)firstBlock + blocks) * WeightRows);
        var wide = CpuPaths.Resolve(path) == CpuPath.Vector512;
        var stream = (long)outputs * k * sizeof(float) >= StreamingWeightBytes;
        var sums = stackalloc float[WeightRows];
        fixed (float* xBase = x, wBase = weight, bBase = bias, yBase = y)
        {
            for (var j = firstBlock * WeightRows; j < end; j += WeightRows)
            {
                var rows = Math.Min(WeightRows, outputs - j);
                var block = wide ? Block512(k, xBase, wBase + ((long)j * k), rows, stream) : Block256(k, xBase, wBase + ((long)j * k), rows, stream);
                if (rows == WeightRows)
                {
                    if (!bias.IsEmpty)
                    {
                        block += Vector256.Load(bBase + j);
                    }
                    block.Store(yBase + j);
                    continue;
                }
                block.Store(sums);
                for (var r = 0; r < rows; r++)
                {
                    yBase[j + r] = bias.IsEmpty ? sums[r] : sums[r] + bBase[j + r];
                }
            }
        }
    }

    /// <summary>The 8 sums of one block in 16-float steps, the last partial step masked; missing rows of a partial block repeat its first row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe Vector256<float> Block512(int k, float* x, float* w, int rows, bool stream)
    {
        float* b0 = w, b1 = rows > 1 ? w + k : w, b2 = rows > 2 ? w + (2 * k) : w, b3 = rows > 3 ? w + (3 * k) : w;
        float* b4 = rows > 4 ? w + (4 * k) : w, b5 = rows > 5 ? w + (5 * k) : w, b6 = rows > 6 ? w + (6 * k) : w, b7 = rows > 7 ? w + (7 * k) : w;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        var p = 0;
        for (; p <= k - Vector512<float>.Count; p += Vector512<float>.Count)
        {
            if (stream)
            {
                Sse.Prefetch0(b0 + p + StreamAhead); Sse.Prefetch0(b1 + p + StreamAhead); Sse.Prefetch0(b2 + p + StreamAhead); Sse.Prefetch0(b3 + p + StreamAhead);
                Sse.Prefetch0(b4 + p + StreamAhead); Sse.Prefetch0(b5 + p + StreamAhead); Sse.Prefetch0(b6 + p + StreamAhead); Sse.Prefetch0(b7 + p + StreamAhead);
            }
            var v = Vector512.Load(x + p);
            c0 = Vector512.FusedMultiplyAdd(v, Vector512.Load(b0 + p), c0);
            c1 = Vector512.FusedMultiplyAdd(v, Vector512.Load(b1 + p), c1);
            c2 = Vector512.FusedMultiplyAdd(v, Vector512.Load(b2 + p), c2);
            c3 = Vector512.FusedMultiplyAdd(v, Vector512.Load(b3 + p), c3);
            c4 = Vector512.FusedMultiplyAdd(v, Vector512.Load(b4 + p), c4);
            c5 = Vector512.FusedMultiplyAdd(v, Vector512.Load(b5 + p), c5);
            c6 = Vector512.FusedMultiplyAdd(v, Vector512.Load(b6 + p), c6);
            c7 = Vector512.FusedMultiplyAdd(v, Vector512.Load(b7 + p), c7);
        }
        if (p < k)
        {
            // Masked loads read nothing past the row's end (no fault, no stray NaN); the masked lanes are zero.
            var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(k - p)).AsSingle();
            var zero = Vector512<float>.Zero;
            var v = Avx512F.MaskLoad(x + p, mask, zero);
            c0 = Vector512.FusedMultiplyAdd(v, Avx512F.MaskLoad(b0 + p, mask, zero), c0);
            c1 = Vector512.FusedMultiplyAdd(v, Avx512F.MaskLoad(b1 + p, mask, zero), c1);
            c2 = Vector512.FusedMultiplyAdd(v, Avx512F.MaskLoad(b2 + p, mask, zero), c2);
            c3 = Vector512.FusedMultiplyAdd(v, Avx512F.MaskLoad(b3 + p, mask, zero), c3);
            c4 = Vector512.FusedMultiplyAdd(v, Avx512F.MaskLoad(b4 + p, mask, zero), c4);
            c5 = Vector512.FusedMultiplyAdd(v, Avx512F.MaskLoad(b5 + p, mask, zero), c5);
            c6 = Vector512.FusedMultiplyAdd(v, Avx512F.MaskLoad(b6 + p, mask, zero), c6);
            c7 = Vector512.FusedMultiplyAdd(v, Avx512F.MaskLoad(b7 + p, mask, zero), c7);
        }
        return Reduce(Fold(c0), Fold(c1), Fold(c2), Fold(c3), Fold(c4), Fold(c5), Fold(c6), Fold(c7));
    }

    /// <summary>As <see cref="Block512"/> in 8-float steps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe Vector256<float> Block256(int k, float* x, float* w, int rows, bool stream)
    {
        float* b0 = w, b1 = rows > 1 ? w + k : w, b2 = rows > 2 ? w + (2 * k) : w, b3 = rows > 3 ? w + (3 * k) : w;
        float* b4 = rows > 4 ? w + (4 * k) : w, b5 = rows > 5 ? w + (5 * k) : w, b6 = rows > 6 ? w + (6 * k) : w, b7 = rows > 7 ? w + (7 * k) : w;
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        var p = 0;
        for (; p <= k - Vector256<float>.Count; p += Vector256<float>.Count)
        {
            if (stream && (p & 15) == 0)
            {
                Sse.Prefetch0(b0 + p + StreamAhead); Sse.Prefetch0(b1 + p + StreamAhead); Sse.Prefetch0(b2 + p + StreamAhead); Sse.Prefetch0(b3 + p + StreamAhead);
                Sse.Prefetch0(b4 + p + StreamAhead); Sse.Prefetch0(b5 + p + StreamAhead); Sse.Prefetch0(b6 + p + StreamAhead); Sse.Prefetch0(b7 + p + StreamAhead);
            }
            var v = Vector256.Load(x + p);
            c0 = Vector256.FusedMultiplyAdd(v, Vector256.Load(b0 + p), c0);
            c1 = Vector256.FusedMultiplyAdd(v, Vector256.Load(b1 + p), c1);
            c2 = Vector256.FusedMultiplyAdd(v, Vector256.Load(b2 + p), c2);
            c3 = Vector256.FusedMultiplyAdd(v, Vector256.Load(b3 + p), c3);
            c4 = Vector256.FusedMultiplyAdd(v, Vector256.Load(b4 + p), c4);
            c5 = Vector256.FusedMultiplyAdd(v, Vector256.Load(b5 + p), c5);
            c6 = Vector256.FusedMultiplyAdd(v, Vector256.Load(b6 + p), c6);
            c7 = Vector256.FusedMultiplyAdd(v, Vector256.Load(b7 + p), c7);
        }
        if (p < k)
        {
            var mask = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(k - p)).AsSingle();
            var v = Avx.MaskLoad(x + p, mask);
            c0 = Vector256.FusedMultiplyAdd(v, Avx.MaskLoad(b0 + p, mask), c0);
            c1 = Vector256.FusedMultiplyAdd(v, Avx.MaskLoad(b1 + p, mask), c1);
            c2 = Vector256.FusedMultiplyAdd(v, Avx.MaskLoad(b2 + p, mask), c2);
            c3 = Vector256.FusedMultiplyAdd(v, Avx.MaskLoad(b3 + p, mask), c3);
            c4 = Vector256.FusedMultiplyAdd(v, Avx.MaskLoad(b4 + p, mask), c4);
            c5 = Vector256.FusedMultiplyAdd(v, Avx.MaskLoad(b5 + p, mask), c5);
            c6 = Vector256.FusedMultiplyAdd(v, Avx.MaskLoad(b6 + p, mask), c6);
            c7 = Vector256.FusedMultiplyAdd(v, Avx.MaskLoad(b7 + p, mask), c7);
        }
        return Reduce(c0, c1, c2, c3, c4, c5, c6, c7);
    }

    /// <summary>A 16-lane sum folded to 8 lanes: lower half + upper half.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fold(Vector512<float> c) => c.GetLower() + c.GetUpper();

    /// <summary>The lane sums of 8 vectors as one vector, lane r = Σ cr: two rounds of pairwise adds within 128-bit halves, then the halves added.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Reduce(Vector256<float> c0, Vector256<float> c1, Vector256<float> c2, Vector256<float> c3, Vector256<float> c4, Vector256<float> c5, Vector256<float> c6, Vector256<float> c7)
    {
        // Per 128-bit half: [c0, c1, c2, c3] partial sums of that half's 4 lanes (and c4–c7 alike).
        var low = Avx.HorizontalAdd(Avx.HorizontalAdd(c0, c1), Avx.HorizontalAdd(c2, c3));
        var high = Avx.HorizontalAdd(Avx.HorizontalAdd(c4, c5), Avx.HorizontalAdd(c6, c7));
        return Avx.Permute2x128(low, high, 0x20) + Avx.Permute2x128(low, high, 0x31);
    }
}
