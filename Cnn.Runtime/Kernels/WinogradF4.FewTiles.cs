using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

internal static unsafe partial class WinogradF4
{
    /// <summary>Tiles of a map of at most 8×8 (<see cref="HasFewTiles"/>): 2 by 2; slot s holds tile (s / 2, s % 2).</summary>
    private const int FewTileSlots = 4;

    /// <summary>Pixels of a map of at most 8×8, by which a block of channels is staged and transposed.</summary>
    private const int FewTilePixels = 64;

    /// <summary>Floats between V[ξ][s] and V[ξ][s + 1] of a map of few tiles: the input channels rounded up to whole vectors.</summary>
    private static int FewTileSlotStride(int inChannels) => (inChannels + 15) / 16 * 16;

    /// <summary>
    /// <c>V = Bᵀ d B</c> of the 4 tiles of a map of at most 8×8 into V[ξ][s][ic] (<see cref="FewTileSlotStride"/> floats between
    /// slots, 4 of them per point), 16 input channels at a time in the lanes: a block's planes are staged zero-padded and transposed
    /// (<see cref="Transpose16"/>) so that each pixel is one vector of 16 channels, then each tile's 36 patch vectors (zero outside
    /// the map) are transformed as <see cref="TransformInput"/> transforms them (rows, then columns, by <see cref="InputPoints"/>),
    /// so each value is its value, bit for bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformInputFewTiles(int inChannels, int height, int width, float* x, float* v)
    {
        int plane = height * width, slotStride = FewTileSlotStride(inChannels);
        var staging = stackalloc float[16 * FewTilePixels];
        var pixels = stackalloc Vector512<float>[FewTilePixels];
        var rows = stackalloc float*[16];
        var patch = stackalloc Vector512<float>[Points];
        var rowsDone = stackalloc Vector512<float>[Points];
        for (var block = 0; block < slotStride / 16; block++)
        {
            var count = Math.Min(16, inChannels - (16 * block));
            for (var c = 0; c < 16; c++)
            {
                var row = staging + (c * FewTilePixels);
                var source = x + ((long)((16 * block) + c) * plane);
                for (var p = 0; p < FewTilePixels; p += 16)
                {
                    var inside = Vector512.LessThan(Vector512<int>.Indices + Vector512.Create(p), Vector512.Create(c < count ? plane : 0)).AsSingle();
                    Avx512F.MaskLoad(source + p, inside, Vector512<float>.Zero).Store(row + p);
                }
            }
            for (var p = 0; p < plane; p += 16)
            {
                for (var c = 0; c < 16; c++)
                {
                    rows[c] = staging + (c * FewTilePixels) + p;
                }
                Transpose16.Run(rows, (float*)(pixels + p), 16);
            }
            for (var slot = 0; slot < FewTileSlots; slot++)
            {
                int top = (4 * (slot / 2)) - 1, left = (4 * (slot % 2)) - 1;
                for (var i = 0; i < 6; i++)
                {
                    for (var j = 0; j < 6; j++)
                    {
                        int r = top + i, column = left + j;
                        patch[(6 * i) + j] = r >= 0 && r < height && column >= 0 && column < width ? pixels[(r * width) + column] : Vector512<float>.Zero;
                    }
                    var d = patch + (6 * i);
                    var done = rowsDone + (6 * i);
                    InputPoints(d[0], d[1], d[2], d[3], d[4], d[5], out done[0], out done[1], out done[2], out done[3], out done[4], out done[5]);
                }
                StoreInputColumns(rowsDone, v + (slot * slotStride) + (16 * block), FewTileSlots * slotStride);
            }
        }
    }

    /// <summary>
    /// Whether <see cref="Blocks.Compute"/> takes <paramref name="g"/>'s GEMMs with the output channels in the lanes
    /// (<see cref="MultiplyFewTiles"/>): maps of at most 8×8, whose at most 4 tiles would fill 4 of the 16 lanes a tile-per-lane
    /// GEMM computes. Filters in the lanes, 4 tiles by 2 blocks of 16 channels are 8 accumulators fed by 2 vector loads and 4
    /// broadcasts per input channel; tiles in the lanes, each of the 16 accumulators would be a quarter used.
    /// </summary>
    /// <param name="g">The convolution (see <see cref="Supports"/>).</param>
    /// <returns>True for maps of at most 8×8.</returns>
    internal static bool HasFewTiles(in ConvGeometry g) => g.OutHeight <= 2 * TilesPerSide && g.OutWidth <= 2 * TilesPerSide;

    /// <summary>
    /// The 36 GEMMs of <paramref name="blocks"/> (1 or 2) blocks of 16 output channels for the map's 4 tile slots,
    /// <c>M[ξ][s][o] = Σ_ic V[ξ][s][ic] · U[ξ][b][ic][o]</c>: the channels are the lanes, each tile's value a broadcast. Each
    /// product is summed over the input channels in order from zero by fused multiply-adds, as <see cref="Multiply"/> sums it, so
    /// the values are its values, bit for bit, laid out by tile slot instead of by channel.
    /// </summary>
    /// <param name="inChannels">The depth.</param>
    /// <param name="u">The first block's U[0][b].</param>
    /// <param name="pointStride">Floats between U[ξ][b] and U[ξ + 1][b].</param>
    /// <param name="blocks">Blocks: 1 or 2 (the second at <paramref name="u"/> + 16·<paramref name="inChannels"/>).</param>
    /// <param name="v">V, [36][4 slots][inChannels] (<see cref="TransformInputFewTiles"/>).</param>
    /// <param name="m">M of each block, [36][16 slots][16] (slots 0…3 written), the second block's 36·256 floats after the first's.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyFewTiles(int inChannels, float* u, long pointStride, int blocks, float* v, float* m)
    {
        const int blockProducts = Points * BlockChannels * 16;
        long nextBlock = (long)inChannels * BlockChannels;
        int slotStride = FewTileSlotStride(inChannels), inputStride = FewTileSlots * slotStride;
        for (var point = 0; point < Points; point++)
        {
            var a = u + (point * pointStride);
            var b = v + (point * inputStride);
            var c = m + (point * BlockChannels * 16);
            Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
            if (blocks == 1)
            {
                for (var k = 0; k < inChannels; k++, a += BlockChannels, b++)
                {
                    var filters = Vector512.Load(a);
                    c0 = Vector512.FusedMultiplyAdd(Vector512.Create(b[0]), filters, c0);
                    c1 = Vector512.FusedMultiplyAdd(Vector512.Create(b[slotStride]), filters, c1);
                    c2 = Vector512.FusedMultiplyAdd(Vector512.Create(b[2 * slotStride]), filters, c2);
                    c3 = Vector512.FusedMultiplyAdd(Vector512.Create(b[3 * slotStride]), filters, c3);
                }
                c0.Store(c); c1.Store(c + 16); c2.Store(c + 32); c3.Store(c + 48);
                continue;
            }
            Vector512<float> d0 = default, d1 = default, d2 = default, d3 = default;
            for (var k = 0; k < inChannels; k++, a += BlockChannels, b++)
            {
                var first = Vector512.Load(a);
                var second = Vector512.Load(a + nextBlock);
                var t0 = Vector512.Create(b[0]);
                var t1 = Vector512.Create(b[slotStride]);
                var t2 = Vector512.Create(b[2 * slotStride]);
                var t3 = Vector512.Create(b[3 * slotStride]);
                c0 = Vector512.FusedMultiplyAdd(t0, first, c0);
                c1 = Vector512.FusedMultiplyAdd(t1, first, c1);
                c2 = Vector512.FusedMultiplyAdd(t2, first, c2);
                c3 = Vector512.FusedMultiplyAdd(t3, first, c3);
                d0 = Vector512.FusedMultiplyAdd(t0, second, d0);
                d1 = Vector512.FusedMultiplyAdd(t1, second, d1);
                d2 = Vector512.FusedMultiplyAdd(t2, second, d2);
                d3 = Vector512.FusedMultiplyAdd(t3, second, d3);
            }
            c0.Store(c); c1.Store(c + 16); c2.Store(c + 32); c3.Store(c + 48);
            var e = c + blockProducts;
            d0.Store(e); d1.Store(e + 16); d2.Store(e + 32); d3.Store(e + 48);
        }
    }

    /// <summary>
    /// <see cref="TransformOutput"/> of products laid out by tile slot (<see cref="MultiplyFewTiles"/>): per tile, <c>Aᵀ M A</c> of
    /// its 16 channels at once (<see cref="OutputTile"/>, the same arithmetic on each value), plus the bias; the tile's 16 values of
    /// each channel are then brought into one vector (<see cref="Transpose16"/>) and its rows stored by masked stores, four values
    /// a row, none past the map.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformOutputFewTiles(float* m, int channels, float* bias, int height, int width, float* y)
    {
        var columns = stackalloc Vector512<float>[24];
        var tile = stackalloc Vector512<float>[16];
        var values = stackalloc Vector512<float>[16];
        var rows = stackalloc float*[16];
        for (var r = 0; r < 16; r++)
        {
            rows[r] = (float*)(tile + r);
        }
        var present = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(channels)).AsSingle();
        var b = bias is null ? Vector512<float>.Zero : Avx512F.MaskLoad(bias, present, Vector512<float>.Zero);
        var rowLane = Vector512<int>.Indices >> 2;
        var columnInTile = Vector512<int>.Indices & Vector512.Create(3);
        for (var slot = 0; slot < FewTileSlots; slot++)
        {
            int th = slot / 2, tw = slot % 2;
            if (4 * th >= height || 4 * tw >= width)
            {
                continue;
            }
            OutputTile(m + (slot * 16), columns, tile);
            for (var r = 0; r < 16; r++)
            {
                tile[r] += b;
            }
            Transpose16.Run(rows, (float*)values, 16);
            // Value 4·a + c of a channel's vector is the tile's row a, column c: row a goes to map row 4·th + a from column 4·tw.
            var inColumns = Vector512.LessThan(columnInTile + Vector512.Create(4 * tw), Vector512.Create(width));
            for (var a = 0; a < 4 && (4 * th) + a < height; a++)
            {
                var store = (Vector512.Equals(rowLane, Vector512.Create(a)) & inColumns).AsSingle();
                var offset = ((((4 * th) + a) * width) + (4 * tw)) - (4 * a);
                for (var o = 0; o < channels; o++)
                {
                    Avx512F.MaskStore(y + ((long)o * height * width) + offset, store, values[o]);
                }
            }
        }
    }
}
