using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>Which pooling <see cref="PoolScan"/> computes (a marker: the loop is specialized per type, its state kept in registers).</summary>
internal interface IPoolReduction
{
    /// <summary>The value padding lanes read.</summary>
    static abstract Vector512<float> Fill { get; }
}

/// <summary>Max pooling: PyTorch's rule (a value replaces the maximum when greater or NaN), keeping the index.</summary>
internal struct MaxReduction : IPoolReduction
{
    /// <inheritdoc/>
    public static Vector512<float> Fill => Vector512.Create(float.NegativeInfinity);
}

/// <summary>Average pooling: the window's sum in the scalar order, divided by its count_include_pad size.</summary>
internal struct AverageReduction : IPoolReduction
{
    /// <inheritdoc/>
    public static Vector512<float> Fill => Vector512<float>.Zero;
}

/// <summary>
/// The vector pooling loop (Vector512, strides 1 and 2): each step holds 16 windows, one output row's worth
/// (<see cref="PoolTap.OneRow"/>) or, for outputs at most 8 wide, two rows' (<see cref="PoolTap.TwoRow"/>), and feeds
/// the reduction every window value row by row, left to right, padding lanes reading the reduction's fill.
/// The window columns are worked out once per call, not per plane.
/// </summary>
internal static unsafe class PoolScan
{
    /// <summary>Most window columns kept for a call (16-output steps × window size); wider rows recompute them per plane.</summary>
    private const int MaxTaps = 64;

    /// <summary>Pools <paramref name="planes"/> planes of <paramref name="x"/> into <paramref name="y"/> (and <paramref name="argmax"/> when not null).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Run<T>(in PoolGeometry g, int planes, float* x, float* y, int* argmax)
        where T : struct, IPoolReduction
    {
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        if (PoolTap.TwoRows(g))
        {
            var taps = stackalloc PoolTap[g.Size];
            for (var j = 0; j < g.Size; j++)
            {
                taps[j] = PoolTap.TwoRow(g, j);
            }
            for (var p = 0; p < planes; p++)
            {
                TwoRowPlane<T>(g, taps, x + ((long)p * inPlane), y + ((long)p * outPlane), argmax == null ? null : argmax + ((long)p * outPlane));
            }
            return;
        }
        var steps = (g.OutWidth + PoolTap.Lanes - 1) / PoolTap.Lanes;
        var kept = steps * g.Size <= MaxTaps;
        var all = stackalloc PoolTap[kept ? steps * g.Size : g.Size];
        if (kept)
        {
            for (var step = 0; step < steps; step++)
            {
                Prepare(g, step, all + (step * g.Size));
            }
        }
        for (var p = 0; p < planes; p++)
        {
            for (var step = 0; step < steps; step++)
            {
                var taps = kept ? all + (step * g.Size) : all;
                if (!kept)
                {
                    Prepare(g, step, taps);
                }
                OneRowStep<T>(g, taps, step * PoolTap.Lanes, x + ((long)p * inPlane), y + ((long)p * outPlane), argmax == null ? null : argmax + ((long)p * outPlane));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Prepare(in PoolGeometry g, int step, PoolTap* taps)
    {
        var ow = step * PoolTap.Lanes;
        var count = Math.Min(PoolTap.Lanes, g.OutWidth - ow);
        for (var j = 0; j < g.Size; j++)
        {
            taps[j] = PoolTap.OneRow(g, ow, count, j);
        }
    }

    /// <summary>Outputs ow … ow + 15 of every row of one plane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneRowStep<T>(in PoolGeometry g, PoolTap* taps, int ow, float* input, float* output, int* indices)
        where T : struct, IPoolReduction
    {
        var count = Math.Min(PoolTap.Lanes, g.OutWidth - ow);
        var store = Vector512.LessThan(PoolTap.Sequence, Vector512.Create(count));
        var (start, widths) = Columns(g, taps[0].Columns);
        int size = g.Size, stride = g.Stride, width = g.InWidth;
        for (var oh = 0; oh < g.OutHeight; oh++)
        {
            var h0 = (oh * stride) - g.Pad;
            int hs = Math.Max(h0, 0), he = Math.Min(h0 + size, g.InHeight);
            var value = T.Fill;
            var index = start + Vector512.Create(hs * width);
            for (var ih = hs; ih < he; ih++)
            {
                var row = input + (ih * width);
                var rowStart = Vector512.Create(ih * width);
                Vector512<float> low = default, high = default;
                for (var j = 0; j < size; j++)
                {
                    Vector512<float> candidate;
                    if (stride == 1)
                    {
                        candidate = taps[j].LoadLow(row, T.Fill);
                    }
                    else
                    {
                        // Columns j and j + 1 share one read.
                        if ((j & 1) == 0)
                        {
                            low = taps[j].LoadLow(row, T.Fill);
                            high = taps[j].LoadHigh(row, T.Fill);
                        }
                        candidate = taps[j].Select(low, high);
                    }
                    Take<T>(ref value, ref index, candidate, rowStart + taps[j].Columns);
                }
            }
            Store<T>(value, index, Vector512.ConvertToSingle(widths * Rows(g, h0)), output, indices, (oh * g.OutWidth) + ow, store, count == PoolTap.Lanes);
        }
    }

    /// <summary>Every row of one plane of outputs at most 8 wide, two rows per step (the last alone when the count is odd).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TwoRowPlane<T>(in PoolGeometry g, PoolTap* taps, float* input, float* output, int* indices)
        where T : struct, IPoolReduction
    {
        int size = g.Size, stride = g.Stride, width = g.InWidth, height = g.InHeight, outWidth = g.OutWidth;
        var firstRow = Vector512.LessThan(PoolTap.Sequence, Vector512.Create(outWidth));
        var (start, widths) = Columns(g, taps[0].Columns);
        for (var oh = 0; oh < g.OutHeight; oh += 2)
        {
            var pair = oh + 1 < g.OutHeight;
            var store = Vector512.LessThan(PoolTap.Sequence, Vector512.Create(pair ? 2 * outWidth : outWidth));
            var h0 = (oh * stride) - g.Pad;
            var h1 = h0 + stride;
            var first = Vector512.ConditionalSelect(firstRow, Vector512.Create(Math.Max(h0, 0) * width), Vector512.Create(Math.Max(h1, 0) * width));
            var rows = Vector512.ConditionalSelect(firstRow, Vector512.Create(Rows(g, h0)), Vector512.Create(Rows(g, h1)));
            var value = T.Fill;
            var index = start + first;
            for (var i = 0; i < size; i++)
            {
                int top = h0 + i, bottom = h1 + i;
                var topInside = (uint)top < (uint)height;
                var bottomInside = pair && (uint)bottom < (uint)height;
                if (!topInside && !bottomInside)
                {
                    continue;
                }
                var topRow = topInside ? input + (top * width) : null;
                var bottomRow = bottomInside ? input + (bottom * width) : null;
                var rowStart = Vector512.ConditionalSelect(firstRow, Vector512.Create(top * width), Vector512.Create(bottom * width));
                Vector512<float> upper = default, lower = default;
                for (var j = 0; j < size; j++)
                {
                    // Stride 2: columns j and j + 1 share one read per row.
                    if (stride == 1 || (j & 1) == 0)
                    {
                        upper = taps[j].LoadRow(topRow, T.Fill);
                        lower = taps[j].LoadRow(bottomRow, T.Fill);
                    }
                    Take<T>(ref value, ref index, taps[j].Select(upper, lower), rowStart + taps[j].Columns);
                }
            }
            Store<T>(value, index, Vector512.ConvertToSingle(widths * rows), output, indices, oh * outWidth, store, pair && 2 * outWidth == PoolTap.Lanes);
        }
    }

    /// <summary>The next value of every window, in the scalar scan order: max keeps the greater or NaN one and its index, average adds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take<T>(ref Vector512<float> value, ref Vector512<int> index, Vector512<float> candidate, Vector512<int> candidateIndex)
        where T : struct, IPoolReduction
    {
        if (typeof(T) == typeof(MaxReduction))
        {
            var take = Vector512.GreaterThan(candidate, value) | ~Vector512.Equals(candidate, candidate);
            value = Vector512.ConditionalSelect(take, candidate, value);
            index = Vector512.ConditionalSelect(take.AsInt32(), candidateIndex, index);
        }
        else
        {
            value += candidate;
        }
    }

    /// <summary>Writes 16 windows' results at <paramref name="at"/>: all lanes when <paramref name="full"/>, else those in <paramref name="store"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(Vector512<float> value, Vector512<int> index, Vector512<float> divisor, float* output, int* indices, int at, Vector512<int> store, bool full)
        where T : struct, IPoolReduction
    {
        var max = typeof(T) == typeof(MaxReduction);
        var result = max ? value : value / divisor;
        if (full)
        {
            result.Store(output + at);
        }
        else
        {
            Avx512F.MaskStore(output + at, store.AsSingle(), result);
        }
        if (max && indices != null)
        {
            if (full)
            {
                index.Store(indices + at);
            }
            else
            {
                Avx512F.MaskStore(indices + at, store, index);
            }
        }
    }

    /// <summary>Each lane's first in-input column and its window's count_include_pad width, from the window's first column (tap 0's).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<int> Start, Vector512<int> Widths) Columns(in PoolGeometry g, Vector512<int> w0)
    {
        var end = Vector512.Min(w0 + Vector512.Create(g.Size), Vector512.Create(g.InWidth + g.Pad));
        return (Vector512.Max(w0, Vector512<int>.Zero), end - w0);
    }

    /// <summary>The count_include_pad height of the window starting at input row <paramref name="h0"/>.</summary>
    private static int Rows(in PoolGeometry g, int h0) => Math.Min(h0 + g.Size, g.InHeight + g.Pad) - h0;
}
