using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

internal static unsafe partial class Winograd
{
    /// <summary>
    /// Copies one sample into the zero-padded image: channel c's row r (of <see cref="Plan.ImageHeight"/>) is
    /// <c>[0, x[c, r − 1, 0..W), 0…]</c> for 1 ≤ r ≤ H and zeros otherwise, <see cref="Plan.ImageWidth"/> wide, then the zero
    /// slack the input transform's last vectors read past the image. Rows are written 16 floats at a time, each from a masked
    /// load of the input row (one vector per row on maps up to 14 wide, where a call to copy a row cost more than the copy); a
    /// row's last vector runs into the next row, which is written after it, and the last one into the slack.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillImage(in Plan plan, float* x, float* image) => FillImage(plan, x, image, 0, plan.ImageHeight);

    /// <summary>As <see cref="FillImage(in Plan, float*, float*)"/>, only the image rows [<paramref name="firstRow"/>, <paramref name="endRow"/>) of each channel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillImage(in Plan plan, float* x, float* image, int firstRow, int endRow)
    {
        int width = plan.Width, imageWidth = plan.ImageWidth;
        for (var c = 0; c < plan.InChannels; c++)
        {
            var source = x + ((long)c * plan.Height * width);
            var target = image + ((((long)c * plan.ImageHeight) + firstRow) * imageWidth);
            for (var r = firstRow; r < endRow; r++, target += imageWidth)
            {
                if (r == 0 || r > plan.Height)
                {
                    for (var j = 0; j < imageWidth; j += 16)
                    {
                        Vector512<float>.Zero.Store(target + j);
                    }
                    continue;
                }
                // Lane l of the vector at column j holds x[c, r − 1, j + l − 1] where 0 ≤ j + l − 1 < W.
                var row = source + ((r - 1) * width) - 1;
                for (var j = 0; j < imageWidth; j += 16)
                {
                    var column = Vector512<int>.Indices + Vector512.Create(j);
                    var inside = Vector512.GreaterThan(column, Vector512<int>.Zero) & Vector512.LessThanOrEqual(column, Vector512.Create(width));
                    Avx512F.MaskLoad(row + j, inside.AsSingle(), Vector512<float>.Zero).Store(target + j);
                }
            }
        }
        new Span<float>(image + ((long)plan.InChannels * plan.ImageHeight * imageWidth), ImageSlack).Clear();
    }

    /// <summary>
    /// <c>V = Bᵀ d B</c> of the tiles of tile rows [<paramref name="row"/>, + <paramref name="rows"/>) of the padded image into
    /// V[ξ][c][lane], lane = (tile row − <paramref name="row"/>)·Slot + tile column (<see cref="Plan.Slot"/>): 16 lanes per vector,
    /// 16 tile columns of one row or 2 or 4 rows of 8 or 4. The four columns of the patches are the even and odd padded columns
    /// from 2·tw and from 2·tw + 2, picked by two-source permutes of unaligned loads. With <paramref name="chunked"/>, V[ξ] is laid out
    /// [lane / 16][c][16] instead (<see cref="WeightGradient"/>: the 16 channels of a vector of lanes 16 floats apart), written
    /// channel after channel per vector of lanes so that the stores of each point run on (a channel's vectors, 16·C floats apart,
    /// would leave each cache line half written until the next channel).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformInput(in Plan plan, float* image, int row, int rows, float* v, bool chunked = false)
    {
        int imageWidth = plan.ImageWidth, plane = plan.ImageHeight * imageWidth, step = plan.LaneGroups;
        var columns = plan.Slot < 16 ? 1 : plan.TilesWide;
        var patches = new Patches(plan, (long)plan.InChannels * plan.TileStride);
        if (chunked)
        {
            for (var th = row; th < row + rows; th += step)
            {
                for (var tw = 0; tw < columns; tw += 16)
                {
                    var lane = ((th - row) * plan.Slot) + tw;
                    var p = image + (2 * th * imageWidth) + (2 * tw);
                    var q = v + ((long)lane * plan.InChannels);
                    for (var c = 0; c < plan.InChannels; c++, p += plane, q += 16)
                    {
                        patches.Transform(p, q);
                    }
                }
            }
            return;
        }
        for (var c = 0; c < plan.InChannels; c++)
        {
            var channel = image + ((long)c * plane);
            var target = v + ((long)c * plan.TileStride);
            for (var th = row; th < row + rows; th += step)
            {
                for (var tw = 0; tw < columns; tw += 16)
                {
                    patches.Transform(channel + (2 * th * imageWidth) + (2 * tw), target + ((th - row) * plan.Slot) + tw);
                }
            }
        }
    }

    /// <summary>The input transform of one vector of tiles, the lanes as the plan's <see cref="Plan.Slot"/> puts them.</summary>
    private readonly struct Patches
    {
        private readonly int imageWidth;
        private readonly int slot;
        private readonly long pointStride;

        // Slot 16: lane l from 2l of 32 contiguous floats; slot 8: lanes 8..15 from the next tile row, loaded 2 image rows on.
        private readonly Vector512<int> even;
        private readonly int gap;

        // Slot 4: lanes of tile rows r and r + 1 from one 32-float window (rows 2·Ws apart), the next two rows from 4·Ws on.
        private readonly Vector512<int> evenFour;

        public Patches(in Plan plan, long pointStride)
        {
            imageWidth = plan.ImageWidth;
            slot = plan.Slot;
            this.pointStride = pointStride;
            even = Vector512<int>.Indices * 2;
            gap = slot == 8 ? 2 * imageWidth : 16;
            var quarter = Vector512<int>.Indices & Vector512.Create(3);
            var pair = ((Vector512<int>.Indices >> 2) & Vector512<int>.One) * (2 * imageWidth);
            evenFour = pair + (quarter * 2);
        }

        /// <summary>Transforms the patches whose top-left corner is at <paramref name="p"/> into the 16 points from <paramref name="q"/>, <see cref="pointStride"/> apart.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Transform(float* p, float* q)
        {
            Vector512<float> t00, t01, t02, t03, t10, t11, t12, t13, t20, t21, t22, t23, t30, t31, t32, t33;
            // Row k of the patches, transformed along it: t0 = d0 − d2, t1 = d1 + d2, t2 = d2 − d1, t3 = d1 − d3.
            if (slot == 4)
            {
                (t00, t01, t02, t03) = RowTransform4(p, 4 * imageWidth, evenFour);
                (t10, t11, t12, t13) = RowTransform4(p + imageWidth, 4 * imageWidth, evenFour);
                (t20, t21, t22, t23) = RowTransform4(p + (2 * imageWidth), 4 * imageWidth, evenFour);
                (t30, t31, t32, t33) = RowTransform4(p + (3 * imageWidth), 4 * imageWidth, evenFour);
            }
            else
            {
                (t00, t01, t02, t03) = RowTransform(p, gap, even);
                (t10, t11, t12, t13) = RowTransform(p + imageWidth, gap, even);
                (t20, t21, t22, t23) = RowTransform(p + (2 * imageWidth), gap, even);
                (t30, t31, t32, t33) = RowTransform(p + (3 * imageWidth), gap, even);
            }
            // Then down the columns: V0j = t0j − t2j, V1j = t1j + t2j, V2j = t2j − t1j, V3j = t1j − t3j.
            (t00 - t20).Store(q);
            (t01 - t21).Store(q + pointStride);
            (t02 - t22).Store(q + (2 * pointStride));
            (t03 - t23).Store(q + (3 * pointStride));
            (t10 + t20).Store(q + (4 * pointStride));
            (t11 + t21).Store(q + (5 * pointStride));
            (t12 + t22).Store(q + (6 * pointStride));
            (t13 + t23).Store(q + (7 * pointStride));
            (t20 - t10).Store(q + (8 * pointStride));
            (t21 - t11).Store(q + (9 * pointStride));
            (t22 - t12).Store(q + (10 * pointStride));
            (t23 - t13).Store(q + (11 * pointStride));
            (t10 - t30).Store(q + (12 * pointStride));
            (t11 - t31).Store(q + (13 * pointStride));
            (t12 - t32).Store(q + (14 * pointStride));
            (t13 - t33).Store(q + (15 * pointStride));
        }
    }

    /// <summary>
    /// Columns 2·l + j (j = 0..3) of 32 floats at <paramref name="p"/> (lanes 0..7) and <paramref name="p"/> + <paramref name="gap"/>
    /// (lanes 8..15; gap 16: one run), transformed by Bᵀ along the row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float>, Vector512<float>, Vector512<float>, Vector512<float>) RowTransform(float* p, int gap, Vector512<int> even)
    {
        Vector512<float> low = Vector512.Load(p), high = Vector512.Load(p + gap), nextLow = Vector512.Load(p + 2), nextHigh = Vector512.Load(p + gap + 2);
        var odd = even + Vector512<int>.One;
        var d0 = Avx512F.PermuteVar16x32x2(low, even, high);
        var d1 = Avx512F.PermuteVar16x32x2(low, odd, high);
        var d2 = Avx512F.PermuteVar16x32x2(nextLow, even, nextHigh);
        var d3 = Avx512F.PermuteVar16x32x2(nextLow, odd, nextHigh);
        return (d0 - d2, d1 + d2, d2 - d1, d1 - d3);
    }

    /// <summary>
    /// As <see cref="RowTransform"/> for four tile rows of at most 4 tiles: lanes 0..7 from the 32 floats at <paramref name="p"/>,
    /// lanes 8..15 from those <paramref name="gap"/> on, each picked by <paramref name="even"/> (and the odd columns after).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float>, Vector512<float>, Vector512<float>, Vector512<float>) RowTransform4(float* p, int gap, Vector512<int> even)
    {
        var (a0, a1, a2, a3) = RowTransform(p, 16, even);
        var (b0, b1, b2, b3) = RowTransform(p + gap, 16, even);
        var low = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(8)).AsSingle();
        return (Vector512.ConditionalSelect(low, a0, b0), Vector512.ConditionalSelect(low, a1, b1), Vector512.ConditionalSelect(low, a2, b2),
            Vector512.ConditionalSelect(low, a3, b3));
    }

    /// <summary>
    /// <c>Y = Aᵀ M A</c> (plus the bias) of the tiles of tile rows [<paramref name="row"/>, + <paramref name="rows"/>) into the
    /// sample's NCHW output <paramref name="y"/> (added when <paramref name="accumulate"/>): per output channel and vector of tiles,
    /// the two columns of each output row are interleaved into consecutive outputs (32 for 16 tiles of one row; one row of each
    /// 4- or 8-tile group otherwise), stored under a mask at the row's end, and the second row skipped past an odd height. Only
    /// output channels from <paramref name="firstChannel"/> up to <paramref name="endChannel"/> (clipped) are written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformOutput(in Plan plan, float* m, int row, int rows, float* bias, float* y, bool accumulate, int firstChannel = 0,
        int endChannel = int.MaxValue)
    {
        int width = plan.Width, height = plan.Height, slot = plan.Slot, step = plan.LaneGroups;
        var columns = slot < 16 ? 1 : plan.TilesWide;
        long pointStride = (long)plan.PaddedOut * plan.TileStride;
        // Output m of a group's row: column m % 2 of lane m / 2 (y·0 from the first source, y·1 from the second).
        var interleave = ((Vector512<int>.Indices & Vector512<int>.One) * 16) + (Vector512<int>.Indices >> 1);
        var highHalf = interleave + Vector512.Create(8);
        for (var oc = firstChannel; oc < Math.Min(endChannel, plan.OutChannels); oc++)
        {
            var offset = bias == null ? Vector512<float>.Zero : Vector512.Create(bias[oc]);
            var channel = m + ((long)oc * plan.TileStride);
            var output = y + ((long)oc * height * width);
            for (var th = row; th < row + rows; th += step)
            {
                for (var tw = 0; tw < columns; tw += 16)
                {
                    var q = channel + ((th - row) * slot) + tw;
                    // Per row i of M: s0 = m0 + m1 + m2, s1 = m1 − m2 − m3.
                    var (s00, s01) = ColumnPair(q, pointStride);
                    var (s10, s11) = ColumnPair(q + (4 * pointStride), pointStride);
                    var (s20, s21) = ColumnPair(q + (8 * pointStride), pointStride);
                    var (s30, s31) = ColumnPair(q + (12 * pointStride), pointStride);
                    // Then down the columns: y0j = s0j + s1j + s2j, y1j = s1j − s2j − s3j.
                    var y00 = s00 + s10 + s20 + offset;
                    var y01 = s01 + s11 + s21 + offset;
                    var y10 = s10 - s20 - s30 + offset;
                    var y11 = s11 - s21 - s31 + offset;
                    if (slot >= 16)
                    {
                        var count = Math.Min(32, width - (2 * tw));
                        var target = output + (2 * th * width) + (2 * tw);
                        StoreRow(target, Avx512F.PermuteVar16x32x2(y00, interleave, y01), Avx512F.PermuteVar16x32x2(y00, highHalf, y01), count, accumulate);
                        if ((2 * th) + 1 < height)
                        {
                            StoreRow(target + width, Avx512F.PermuteVar16x32x2(y10, interleave, y11), Avx512F.PermuteVar16x32x2(y10, highHalf, y11), count, accumulate);
                        }
                        continue;
                    }
                    for (var r = 0; r < step && th + r < row + rows; r++)
                    {
                        var lanes = interleave + Vector512.Create(r * slot);
                        var target = output + (2 * (th + r) * width);
                        StoreRow(target, Avx512F.PermuteVar16x32x2(y00, lanes, y01), default, width, accumulate);
                        if ((2 * (th + r)) + 1 < height)
                        {
                            StoreRow(target + width, Avx512F.PermuteVar16x32x2(y10, lanes, y11), default, width, accumulate);
                        }
                    }
                }
            }
        }
    }

    /// <summary>Row i of M's 4×4 (at <paramref name="q"/>, stride <paramref name="pointStride"/>) times A: m0 + m1 + m2 and m1 − m2 − m3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float>, Vector512<float>) ColumnPair(float* q, long pointStride)
    {
        Vector512<float> m0 = Vector512.Load(q), m1 = Vector512.Load(q + pointStride), m2 = Vector512.Load(q + (2 * pointStride)), m3 = Vector512.Load(q + (3 * pointStride));
        return (m0 + m1 + m2, m1 - m2 - m3);
    }

    /// <summary>Stores (or adds) the first <paramref name="count"/> of 32 outputs, <paramref name="low"/> then <paramref name="high"/>, at <paramref name="target"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* target, Vector512<float> low, Vector512<float> high, int count, bool accumulate)
    {
        if (count >= 32)
        {
            if (accumulate)
            {
                low += Vector512.Load(target);
                high += Vector512.Load(target + 16);
            }
            low.Store(target);
            high.Store(target + 16);
            return;
        }
        var lowMask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();
        if (accumulate)
        {
            low += Avx512F.MaskLoad(target, lowMask, Vector512<float>.Zero);
        }
        Avx512F.MaskStore(target, lowMask, low);
        if (count > 16)
        {
            var highMask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count - 16)).AsSingle();
            if (accumulate)
            {
                high += Avx512F.MaskLoad(target + 16, highMask, Vector512<float>.Zero);
            }
            Avx512F.MaskStore(target + 16, highMask, high);
        }
    }
}
