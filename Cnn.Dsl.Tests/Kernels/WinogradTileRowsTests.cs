using System;
using System.Linq;
using Cnn.Runtime.Kernels;

namespace Cnn.Dsl.Tests.Kernels;

/// <summary>
/// One sample's Winograd convolution with kept filters computed by runs of tile rows (<c>Winograd.TileRows</c>), as two threads share
/// a layer by halves of its map (<c>SharedWinograd</c>): the runs, in any order, each in its own scratch that holds NaN
/// everywhere it does not copy, give the whole call's bits.
/// </summary>
public sealed unsafe class WinogradTileRowsTests
{
    [Theory]
    [InlineData(16, 32, 32, 16)]
    [InlineData(32, 16, 16, 32)]
    [InlineData(16, 30, 30, 24)]
    [InlineData(16, 15, 17, 16)]
    [InlineData(32, 14, 14, 64)]
    [InlineData(16, 33, 20, 16)]
    [InlineData(20, 8, 8, 40)]
    public void Runs_of_tile_rows_copying_only_their_image_rows_give_the_bits_of_the_whole_sample(int inChannels, int height, int width, int outChannels)
    {
        var g = new ConvGeometry(inChannels, height, width, outChannels, 3, pad: 1);
        var x = KernelAssert.Random(g.InputLength, 4);
        var w = KernelAssert.Random(g.WeightLength, 5, 0.3f);
        var b = KernelAssert.Random(g.OutChannels, 6);
        var filters = new float[Conv2d.TransformedFilterLength(g)];
        Conv2d.TransformFilters(g, w, filters);
        var whole = new float[g.OutputLength];
        Conv2d.ForwardWithFilters(g, 1, x, w, filters, b, whole, new float[Math.Max(Winograd.ScratchLength(g), Conv2d.ScratchLength(g, 1))]);
        var tiles = new Winograd.TileRows(g);
        foreach (var parts in new[] { 2, 3 })
        {
            var y = Enumerable.Repeat(float.NaN, g.OutputLength).ToArray();
            // Last run first, each in a scratch of NaNs: a tile that read an image row its run did not copy would make NaNs.
            for (var part = parts - 1; part >= 0; part--)
            {
                var scratch = Enumerable.Repeat(float.NaN, tiles.ScratchLength).ToArray();
                fixed (float* xBase = x, u = filters, bBase = b, yBase = y, work = scratch)
                {
                    tiles.Compute(tiles.FirstTileRow(part, parts), tiles.FirstTileRow(part + 1, parts), xBase, u, bBase, yBase, work);
                }
            }
            Assert.True(whole.SequenceEqual(y), $"{parts} runs");
        }
    }

    [Fact]
    public void Runs_start_on_whole_vectors_of_tiles_and_others_are_refused()
    {
        // 16 wide: 8 tiles a row, two tile rows to a vector, so a run starts on an even tile row.
        var g = new ConvGeometry(16, 16, 16, 16, 3, pad: 1);
        var tiles = new Winograd.TileRows(g);
        Assert.Equal([0, 4, 8], new[] { 0, 1, 2 }.Select(p => tiles.FirstTileRow(p, 2)));
        Assert.Equal([0, 2, 4, 8], new[] { 0, 1, 2, 3 }.Select(p => tiles.FirstTileRow(p, 3)));
        var scratch = new float[tiles.ScratchLength];
        fixed (float* work = scratch)
        {
            var pointer = (IntPtr)work;
            Assert.Throws<ArgumentOutOfRangeException>(() => Compute(tiles, 1, 4, pointer));
            Assert.Throws<ArgumentOutOfRangeException>(() => Compute(tiles, 4, 9, pointer));
            Assert.Throws<ArgumentOutOfRangeException>(() => Compute(tiles, 4, 2, pointer));
        }
    }

    private static void Compute(Winograd.TileRows tiles, int first, int end, IntPtr work)
    {
        var p = (float*)work;
        tiles.Compute(first, end, p, p, null, p, p);
    }
}
