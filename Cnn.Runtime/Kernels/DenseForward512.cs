using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// The dense forward on the Vector512 path (called by <see cref="LinearRowDots"/>), <c>y[i, j] = b[j] + Σₚ x[i, p]·W[j, p]</c>,
/// keeping the row-dot summation order: per output one vector of lane sums over the whole 16-float steps of p,
/// reduced by <c>Vector512.Sum</c>, then the remaining products in order, then the bias.
/// </summary>
/// <remarks>
/// Two or more samples: register tiles of 4 samples × 6 weight rows (24 accumulators, 10 loads per 24 FMAs), blocked
/// along p: the 6 rows' next 512 floats are copied step-major into a 12 KB stack buffer that stays in L1 while every
/// tile of up to 32 samples passes over it, and each tile's lane sums go to a stack buffer between blocks and come
/// back. A lane's chain of FMAs is the same as without blocking (a vector stored and reloaded is unchanged), so no
/// output depends on the block, the tile, or how many samples share the call: missing samples of the last tile
/// repeat the last real one and missing weight rows the last real row, and their sums are discarded.
/// Meanwhile each tile prefetches one row of the next block into L2, a line per step, so the copy does not wait on
/// memory. (Unblocked, the 6 rows (96 KB at 4096 inputs) come from L2 at every step with the samples' rows:
/// 10 lines per 24 FMAs, more than L2 delivers; the 4 × 4 tiles before ran at ~105 GFLOP/s on 4096 → 512.)
/// One sample: nothing to reuse, so it streams W once, 8 rows at a time, each prefetched a few lines ahead
/// (<see cref="Stream"/>): the hardware prefetchers alone left it at ~48 GB/s.
/// </remarks>
[SkipLocalsInit]
internal static class DenseForward512
{
    private const int TileSamples = 4;
    private const int TileRows = 6;

    /// <summary>Samples whose lane sums are kept between p blocks (32 × 6 vectors, 12 KB of stack).</summary>
    private const int GroupSamples = 32;

    /// <summary>Floats of p per block: the 6 rows' 12 KB copy and the 12 KB of lane sums share L1 with the samples' rows.</summary>
    private const int DepthBlock = 512;

    /// <summary>Weight rows streamed at once for a single sample (16 run out of registers for the row pointers).</summary>
    private const int StreamRows = 8;

    /// <summary>
    /// How far ahead (floats) a single sample's stream prefetches each weight row into L1: 4 lines. Batch 1,
    /// 4096 → 512 and 3136 → 128: 175–190 → 135–147 µs and 38 → 26 µs; 1 line ahead gains little, 2–8 lines alike,
    /// into L2 only half as much, 16 rows at once lose (the row pointers spill).
    /// </summary>
    private const int StreamAhead = 64;

    /// <summary><c>y = x·Wᵀ + b</c> for n samples (operands already checked by <see cref="LinearRowDots"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Run(int n, int k, int outputs, float* x, float* w, float* bias, float* y)
    {
        if (n == 1)
        {
            Stream(k, outputs, x, w, bias, y);
            return;
        }
        var whole = k / Vector512<float>.Count * Vector512<float>.Count;
        var lanes = stackalloc float[GroupSamples * TileRows * Vector512<float>.Count];
        var packed = stackalloc float[DepthBlock * TileRows];
        var b = stackalloc float*[TileRows];
        // Equal blocks of at most DepthBlock floats (3136 inputs: 7 × 448, not 6 × 512 + 64, whose short last
        // block would spend about as long parking lane sums as multiplying).
        var blocks = Math.Max(1, (whole + DepthBlock - 1) / DepthBlock);
        var depth = ((whole / Vector512<float>.Count) + blocks - 1) / blocks * Vector512<float>.Count;
        for (var i0 = 0; i0 < n; i0 += GroupSamples)
        {
            var group = Math.Min(GroupSamples, n - i0);
            var xGroup = x + ((long)i0 * k);
            for (var j = 0; j < outputs; j += TileRows)
            {
                for (var r = 0; r < TileRows; r++)
                {
                    b[r] = w + ((long)Math.Min(j + r, outputs - 1) * k);
                }
                var pc = 0;
                do
                {
                    var length = Math.Min(depth, whole - pc);
                    Pack(length, pc, b, packed);
                    // The next block: the same rows further along p, else the next rows from p = 0.
                    var (nextRow, nextP) = pc + length < whole ? (j, pc + length) : (j + TileRows, 0);
                    for (var i = 0; i < group; i += TileSamples)
                    {
                        // Missing samples of the last tile repeat the last real one; their sums are discarded.
                        var a0 = xGroup + ((long)i * k) + pc;
                        var a1 = xGroup + ((long)Math.Min(i + 1, group - 1) * k) + pc;
                        var a2 = xGroup + ((long)Math.Min(i + 2, group - 1) * k) + pc;
                        var a3 = xGroup + ((long)Math.Min(i + 3, group - 1) * k) + pc;
                        var prefetch = w + ((long)Math.Min(nextRow + (i / TileSamples % TileRows), outputs - 1) * k) + nextP;
                        Tile(length, a0, a1, a2, a3, packed, prefetch, lanes + (i * TileRows * Vector512<float>.Count), pc == 0);
                    }
                    pc += length;
                }
                while (pc < whole);
                var columns = Math.Min(TileRows, outputs - j);
                for (var i = 0; i < group; i++)
                {
                    var xi = xGroup + ((long)i * k);
                    for (var c = 0; c < columns; c++)
                    {
                        var sum = Vector512.Sum(Vector512.Load(lanes + (((i * TileRows) + c) * Vector512<float>.Count)));
                        y[((long)(i0 + i) * outputs) + j + c] = Finish(sum, whole, k, xi, b[c], bias, j + c);
                    }
                }
            }
        }
    }

    /// <summary>Adds the products from <paramref name="p"/> on one by one, then the bias (when there is one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float Finish(float sum, int p, int k, float* x, float* w, float* bias, int column)
    {
        for (; p < k; p++)
        {
            sum += x[p] * w[p];
        }
        return bias == null ? sum : sum + bias[column];
    }

    /// <summary>Copies floats [pc, pc + length) of the 6 weight rows step-major (6 vectors per 16-float step): one stream, in L1.</summary>
    private static unsafe void Pack(int length, int pc, float** rows, float* packed)
    {
        for (var r = 0; r < TileRows; r++)
        {
            var source = rows[r] + pc;
            var target = packed + (r * Vector512<float>.Count);
            for (var p = 0; p < length; p += Vector512<float>.Count, target += TileRows * Vector512<float>.Count)
            {
                Vector512.Load(source + p).Store(target);
            }
        }
    }

    /// <summary>
    /// Lane sums of 4 samples × 6 packed weight rows over <paramref name="length"/> floats (whole vectors), added to
    /// those in <paramref name="lanes"/> unless <paramref name="first"/>, prefetching a line of <paramref name="prefetch"/> per step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Tile(int length, float* a0, float* a1, float* a2, float* a3, float* b, float* prefetch, float* lanes, bool first)
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default, c04 = default, c05 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default, c24 = default, c25 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default, c34 = default, c35 = default;
        if (!first)
        {
            c00 = Vector512.Load(lanes + 0);
            c01 = Vector512.Load(lanes + 16);
            c02 = Vector512.Load(lanes + 32);
            c03 = Vector512.Load(lanes + 48);
            c04 = Vector512.Load(lanes + 64);
            c05 = Vector512.Load(lanes + 80);
            c10 = Vector512.Load(lanes + 96);
            c11 = Vector512.Load(lanes + 112);
            c12 = Vector512.Load(lanes + 128);
            c13 = Vector512.Load(lanes + 144);
            c14 = Vector512.Load(lanes + 160);
            c15 = Vector512.Load(lanes + 176);
            c20 = Vector512.Load(lanes + 192);
            c21 = Vector512.Load(lanes + 208);
            c22 = Vector512.Load(lanes + 224);
            c23 = Vector512.Load(lanes + 240);
            c24 = Vector512.Load(lanes + 256);
            c25 = Vector512.Load(lanes + 272);
            c30 = Vector512.Load(lanes + 288);
            c31 = Vector512.Load(lanes + 304);
            c32 = Vector512.Load(lanes + 320);
            c33 = Vector512.Load(lanes + 336);
            c34 = Vector512.Load(lanes + 352);
            c35 = Vector512.Load(lanes + 368);
        }
        for (var p = 0; p < length; p += Vector512<float>.Count, b += TileRows * Vector512<float>.Count)
        {
            if (Sse.IsSupported)
            {
                Sse.Prefetch1(prefetch + p);
            }
            var x0 = Vector512.Load(a0 + p);
            var x1 = Vector512.Load(a1 + p);
            var x2 = Vector512.Load(a2 + p);
            var x3 = Vector512.Load(a3 + p);
            var v0 = Vector512.Load(b + 0);
            c00 = Vector512.FusedMultiplyAdd(x0, v0, c00); c10 = Vector512.FusedMultiplyAdd(x1, v0, c10);
            c20 = Vector512.FusedMultiplyAdd(x2, v0, c20); c30 = Vector512.FusedMultiplyAdd(x3, v0, c30);
            var v1 = Vector512.Load(b + 16);
            c01 = Vector512.FusedMultiplyAdd(x0, v1, c01); c11 = Vector512.FusedMultiplyAdd(x1, v1, c11);
            c21 = Vector512.FusedMultiplyAdd(x2, v1, c21); c31 = Vector512.FusedMultiplyAdd(x3, v1, c31);
            var v2 = Vector512.Load(b + 32);
            c02 = Vector512.FusedMultiplyAdd(x0, v2, c02); c12 = Vector512.FusedMultiplyAdd(x1, v2, c12);
            c22 = Vector512.FusedMultiplyAdd(x2, v2, c22); c32 = Vector512.FusedMultiplyAdd(x3, v2, c32);
            var v3 = Vector512.Load(b + 48);
            c03 = Vector512.FusedMultiplyAdd(x0, v3, c03); c13 = Vector512.FusedMultiplyAdd(x1, v3, c13);
            c23 = Vector512.FusedMultiplyAdd(x2, v3, c23); c33 = Vector512.FusedMultiplyAdd(x3, v3, c33);
            var v4 = Vector512.Load(b + 64);
            c04 = Vector512.FusedMultiplyAdd(x0, v4, c04); c14 = Vector512.FusedMultiplyAdd(x1, v4, c14);
            c24 = Vector512.FusedMultiplyAdd(x2, v4, c24); c34 = Vector512.FusedMultiplyAdd(x3, v4, c34);
            var v5 = Vector512.Load(b + 80);
            c05 = Vector512.FusedMultiplyAdd(x0, v5, c05); c15 = Vector512.FusedMultiplyAdd(x1, v5, c15);
            c25 = Vector512.FusedMultiplyAdd(x2, v5, c25); c35 = Vector512.FusedMultiplyAdd(x3, v5, c35);
        }
        c00.Store(lanes + 0); c01.Store(lanes + 16); c02.Store(lanes + 32);
        c03.Store(lanes + 48); c04.Store(lanes + 64); c05.Store(lanes + 80);
        c10.Store(lanes + 96); c11.Store(lanes + 112); c12.Store(lanes + 128);
        c13.Store(lanes + 144); c14.Store(lanes + 160); c15.Store(lanes + 176);
        c20.Store(lanes + 192); c21.Store(lanes + 208); c22.Store(lanes + 224);
        c23.Store(lanes + 240); c24.Store(lanes + 256); c25.Store(lanes + 272);
        c30.Store(lanes + 288); c31.Store(lanes + 304); c32.Store(lanes + 320);
        c33.Store(lanes + 336); c34.Store(lanes + 352); c35.Store(lanes + 368);
    }

    /// <summary>One sample: W streamed once, <see cref="StreamRows"/> rows at a time.</summary>
    private static unsafe void Stream(int k, int outputs, float* x, float* w, float* bias, float* y)
    {
        var whole = k / Vector512<float>.Count * Vector512<float>.Count;
        var rows = stackalloc float*[StreamRows];
        var sums = stackalloc float[StreamRows];
        for (var j = 0; j < outputs; j += StreamRows)
        {
            // Missing rows of the last block repeat the last real row; their sums are discarded.
            for (var r = 0; r < StreamRows; r++)
            {
                rows[r] = w + ((long)Math.Min(j + r, outputs - 1) * k);
            }
            Row(whole, x, rows, sums);
            var columns = Math.Min(StreamRows, outputs - j);
            for (var c = 0; c < columns; c++)
            {
                y[j + c] = Finish(sums[c], whole, k, x, rows[c], bias, j + c);
            }
        }
    }

    /// <summary>Reduced lane sums of one sample × 8 weight rows over the whole 16-float steps below <paramref name="whole"/> into <paramref name="sums"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Row(int whole, float* a, float** w, float* sums)
    {
        float* b0 = w[0], b1 = w[1], b2 = w[2], b3 = w[3], b4 = w[4], b5 = w[5], b6 = w[6], b7 = w[7];
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (var p = 0; p < whole; p += Vector512<float>.Count)
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
    }
}
