using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

internal static unsafe partial class WinogradF4
{
    /// <summary>
    /// <c>V = Bᵀ d B</c> of every input channel's 16 tiles into V[ξ][c][lane], from the sample itself (no padded copy of it): each
    /// channel's rows are first decimated (<see cref="Decimate"/>: two masked loads from column −1, the padding and the columns
    /// past the map read as zeros, and two permutes a row; the next channel's while this one is read), then patch value (i, j) of
    /// the 16 tiles is four masked loads of decimated rows, one per tile row (<see cref="Gather"/>). The rows, then the columns,
    /// are transformed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformInput(int inChannels, int height, int width, float* x, float* v)
    {
        var column = Vector512<int>.Indices - Vector512<int>.One;
        var first = (Vector512.GreaterThanOrEqual(column, Vector512<int>.Zero) & Vector512.LessThan(column, Vector512.Create(width))).AsSingle();
        var second = Vector512.LessThan(column + Vector512.Create(16), Vector512.Create(width)).AsSingle();
        // Lane 4·j + tw of a decimated row takes padded column 4·tw + j (j < 4 from the first permute, j = 4, 5 from the second).
        var decimate = ((Vector512<int>.Indices & Vector512.Create(3)) * 4) + (Vector512<int>.Indices >> 2);
        var decimateRest = decimate + Vector512.Create(4);
        Vector512<float> group0 = Mask(0), group1 = Mask(1), group2 = Mask(2), group3 = Mask(3);
        // Two decimated channels: the next one is written while this one is read, so the masked loads do not wait on its stores.
        var decimatedBoth = stackalloc float[2 * DecimatedRows * DecimatedRow];
        var rowsDone = stackalloc Vector512<float>[Points];
        long pointStride = InputPointStride(inChannels);
        Decimate(x, height, width, first, second, decimate, decimateRest, decimatedBoth);
        for (var c = 0; c < inChannels; c++)
        {
            var decimated = decimatedBoth + ((c & 1) * DecimatedRows * DecimatedRow);
            if (c + 1 < inChannels)
            {
                Decimate(x + ((long)(c + 1) * height * width), height, width, first, second, decimate, decimateRest,
                    decimatedBoth + (((c + 1) & 1) * DecimatedRows * DecimatedRow));
            }
            for (var i = 0; i < 6; i++)
            {
                // Lane 4·th + tw of patch column j reads decimated row 4·th + i, lane 4·j + tw: each tile row's four lanes by a masked load.
                var rows = decimated + (i * DecimatedRow);
                var d0 = Gather(rows, group0, group1, group2, group3);
                var d1 = Gather(rows + 4, group0, group1, group2, group3);
                var d2 = Gather(rows + 8, group0, group1, group2, group3);
                var d3 = Gather(rows + 12, group0, group1, group2, group3);
                var d4 = Gather(rows + 16, group0, group1, group2, group3);
                var d5 = Gather(rows + 20, group0, group1, group2, group3);
                var done = rowsDone + (6 * i);
                InputPoints(d0, d1, d2, d3, d4, d5, out done[0], out done[1], out done[2], out done[3], out done[4], out done[5]);
            }
            StoreInputColumns(rowsDone, v + (c * 16), pointStride);
        }

        static Vector512<float> Mask(int tileRow) => Vector512.Equals(Vector512<int>.Indices >> 2, Vector512.Create(tileRow)).AsSingle();
    }

    /// <summary>
    /// The columns of a patch whose rows <see cref="InputPoints"/> has transformed (<paramref name="rowsDone"/>[6·i + j]) transformed
    /// too, <c>V[6·k + j]</c> stored at <paramref name="target"/> + (6·k + j)·<paramref name="pointStride"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreInputColumns(Vector512<float>* rowsDone, float* target, long pointStride)
    {
        for (var j = 0; j < 6; j++)
        {
            var columnOf = rowsDone + j;
            InputPoints(columnOf[0], columnOf[6], columnOf[12], columnOf[18], columnOf[24], columnOf[30],
                out var t0, out var t1, out var t2, out var t3, out var t4, out var t5);
            var point = target + (j * pointStride);
            t0.Store(point);
            t1.Store(point + (6 * pointStride));
            t2.Store(point + (12 * pointStride));
            t3.Store(point + (18 * pointStride));
            t4.Store(point + (24 * pointStride));
            t5.Store(point + (30 * pointStride));
        }
    }

    /// <summary>
    /// The zero-padded rows of one channel, decimated: row r holds padded columns 4·tw + j (the sample's column 4·tw + j − 1, zero
    /// outside it) at 4·j + tw, rows 0 and past the map zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Decimate(float* plane, int height, int width, Vector512<float> first, Vector512<float> second, Vector512<int> decimate,
        Vector512<int> decimateRest, float* decimated)
    {
        for (var r = 0; r < DecimatedRows; r++)
        {
            var target = decimated + (r * DecimatedRow);
            if (r == 0 || r > height)
            {
                Vector512<float>.Zero.Store(target);
                Vector256<float>.Zero.Store(target + 16);
                continue;
            }
            var start = plane + ((r - 1) * width) - 1;
            var low = Avx512F.MaskLoad(start, first, Vector512<float>.Zero);
            var high = Avx512F.MaskLoad(start + 16, second, Vector512<float>.Zero);
            Avx512F.PermuteVar16x32x2(low, decimate, high).Store(target);
            Avx512F.PermuteVar16x32x2(low, decimateRest, high).GetLower().Store(target + 16);
        }
    }

    /// <summary>Rows of the decimated padded image: 18, the rows the 16 tiles' patches cover.</summary>
    private const int DecimatedRows = (4 * TilesPerSide) + 2;

    /// <summary>Floats of a decimated row: patch column j (0…5) of tile column tw (0…3) at 4·j + tw.</summary>
    private const int DecimatedRow = 24;

    /// <summary>Lanes 4·th + tw ← <paramref name="row"/>[(4·th)·<see cref="DecimatedRow"/> + tw]: one masked load per tile row, each merged into the last.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Gather(float* row, Vector512<float> group0, Vector512<float> group1, Vector512<float> group2, Vector512<float> group3)
    {
        // The load for tile row th starts 4·th floats before its row, so that its lanes 4·th … 4·th + 3 read the row's first four.
        const int step = (4 * DecimatedRow) - 4;
        var value = Avx512F.MaskLoad(row, group0, Vector512<float>.Zero);
        value = Avx512F.MaskLoad(row + step, group1, value);
        value = Avx512F.MaskLoad(row + (2 * step), group2, value);
        return Avx512F.MaskLoad(row + (3 * step), group3, value);
    }

    /// <summary><c>(t0 … t5) = Bᵀ·(d0 … d5)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InputPoints(Vector512<float> d0, Vector512<float> d1, Vector512<float> d2, Vector512<float> d3, Vector512<float> d4, Vector512<float> d5,
        out Vector512<float> t0, out Vector512<float> t1, out Vector512<float> t2, out Vector512<float> t3, out Vector512<float> t4, out Vector512<float> t5)
    {
        Vector512<float> four = Vector512.Create(4f), five = Vector512.Create(5f);
        var p = d4 - (four * d2);
        var q = d3 - (four * d1);
        var r = d4 - d2;
        var s = (d3 - d1) * Vector512.Create(2f);
        t0 = Vector512.FusedMultiplyAdd(four, d0, d4) - (five * d2);
        t1 = p + q;
        t2 = p - q;
        t3 = r + s;
        t4 = r - s;
        t5 = Vector512.FusedMultiplyAdd(four, d1, d5) - (five * d3);
    }

    /// <summary>
    /// <c>Y = Aᵀ M A</c> plus the bias of <paramref name="channels"/> output channels from their products M[ξ][o][lane] into the
    /// NCHW output: the columns, then the rows, are transformed; then each output row of a tile row is put together from the four
    /// tile-column vectors by two two-source permutes and a blend and stored masked to the map's width (rows past the map are not stored).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformOutput(float* m, int channels, float* bias, int height, int width, float* y)
    {
        var store = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(width)).AsSingle();
        // Lane 4·tw + b of an output row takes tile column tw's value b: b = 0, 2 from the first source, b = 1, 3 from the second.
        var pairs = ((Vector512<int>.Indices & Vector512<int>.One) << 4) + (Vector512<int>.Indices >> 2);
        var upperHalf = Vector512.GreaterThanOrEqual(Vector512<int>.Indices & Vector512.Create(3), Vector512.Create(2)).AsSingle();
        var columns = stackalloc Vector512<float>[24];
        var tile = stackalloc Vector512<float>[16];
        for (var o = 0; o < channels; o++)
        {
            OutputTile(m + (o * 16), columns, tile);
            var b = bias is null ? Vector512<float>.Zero : Vector512.Create(bias[o]);
            var plane = y + ((long)o * height * width);
            for (var a = 0; a < 4; a++)
            {
                Vector512<float> y0 = tile[4 * a] + b, y1 = tile[(4 * a) + 1] + b, y2 = tile[(4 * a) + 2] + b, y3 = tile[(4 * a) + 3] + b;
                for (var th = 0; th < TilesPerSide && (4 * th) + a < height; th++)
                {
                    var index = pairs + Vector512.Create(4 * th);
                    var row = Vector512.ConditionalSelect(upperHalf, Avx512F.PermuteVar16x32x2(y2, index, y3), Avx512F.PermuteVar16x32x2(y0, index, y1));
                    Avx512F.MaskStore(plane + ((((4 * th) + a) * width)), store, row);
                }
            }
        }
    }

    /// <summary>
    /// <c>Aᵀ M A</c> of one output channel's products (<paramref name="channel"/>: M[ξ][o], 16 vectors apart) into
    /// <paramref name="tile"/>[4·a + b], value (a, b) of every tile; <paramref name="columns"/> holds the 24 column transforms.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputTile(float* channel, Vector512<float>* columns, Vector512<float>* tile)
    {
        const int step = BlockChannels * 16;
        for (var k = 0; k < 6; k++)
        {
            var products = channel + (6 * k * step);
            var column = columns + (4 * k);
            OutputPoints(Vector512.Load(products), Vector512.Load(products + step), Vector512.Load(products + (2 * step)), Vector512.Load(products + (3 * step)),
                Vector512.Load(products + (4 * step)), Vector512.Load(products + (5 * step)), out column[0], out column[1], out column[2], out column[3]);
        }
        for (var j = 0; j < 4; j++)
        {
            var column = columns + j;
            OutputPoints(column[0], column[4], column[8], column[12], column[16], column[20], out tile[j], out tile[4 + j], out tile[8 + j], out tile[12 + j]);
        }
    }

    /// <summary><c>(t0 … t3) = Aᵀ·(m0 … m5)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputPoints(Vector512<float> m0, Vector512<float> m1, Vector512<float> m2, Vector512<float> m3, Vector512<float> m4, Vector512<float> m5,
        out Vector512<float> t0, out Vector512<float> t1, out Vector512<float> t2, out Vector512<float> t3)
    {
        var sum12 = m1 + m2;
        var difference12 = m1 - m2;
        var sum34 = m3 + m4;
        var difference34 = m3 - m4;
        t0 = m0 + sum12 + sum34;
        t1 = Vector512.FusedMultiplyAdd(Vector512.Create(2f), difference34, difference12);
        t2 = Vector512.FusedMultiplyAdd(Vector512.Create(4f), sum34, sum12);
        t3 = Vector512.FusedMultiplyAdd(Vector512.Create(8f), difference34, difference12) + m5;
    }
}
