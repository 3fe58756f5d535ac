using System;
using Cnn.Runtime.Kernels;

namespace Cnn.Dsl.Tests.Kernels;

/// <summary>
/// The one-sample Winograd F(4×4, 3×3) kernel (<see cref="WinogradF4"/>) against the double-precision reference on every map it
/// takes (up to 16×16: one vector of 4×4 tiles), and its blocks of output channels split between two threads' scratch in any
/// order giving the same bits (on maps of at most 8×8, whose GEMMs take the channels in the lanes, by pairs of blocks or single
/// ones). F(4×4, 3×3) rounds more than F(2×2, 3×3) (its transforms scale by up to 8 and 1/24), so the
/// bound is 1e-5 of the sum of the terms' magnitudes, Σ|x|·|w| + |b|.
/// </summary>
public class WinogradF4Tests
{
    /// <summary>Channel pairs: single channels, the 16-channel block edges (16, 17), the models' 32 → 64 and 64 → 64.</summary>
    private static readonly (int In, int Out)[] Channels = [(1, 1), (2, 3), (3, 16), (17, 5), (16, 17), (32, 64), (64, 64)];

    /// <summary>Maps: 1×1, fewer tile rows or columns than the vector holds, odd sides (a last tile partly outside), 14×14 and 16×16.</summary>
    private static readonly (int H, int W)[] Maps = [(1, 1), (2, 3), (5, 7), (8, 8), (13, 13), (14, 14), (16, 16), (16, 9), (3, 16), (12, 15)];

    private static bool Accelerated => WinogradF4.Supports(new ConvGeometry(1, 1, 1, 1, 3, pad: 1));

    /// <summary>The kernel's output of one sample: the filters transformed, then every block by one thread.</summary>
    private static unsafe float[] Forward(in ConvGeometry g, float[] x, float[] weight, float[] bias, int seed)
    {
        var blocks = new WinogradF4.Blocks(g);
        // Stale filters, scratch and output: none of them may leak into the result; the output's tail stays.
        var filters = KernelAssert.Random(blocks.FilterLength, seed, 1e30f);
        WinogradF4.TransformFilters(g, weight, filters);
        var work = KernelAssert.Random(blocks.ScratchLength, seed + 1, 1e30f);
        var y = KernelAssert.Random(g.OutputLength + 5, seed + 2);
        fixed (float* xBase = x, u = filters, b = bias, yBase = y, scratch = work)
        {
            blocks.Transform(xBase, scratch);
            blocks.Compute(0, blocks.Count, u, bias.Length == 0 ? null : b, yBase, scratch);
        }
        Assert.Equal(KernelAssert.Random(g.OutputLength + 5, seed + 2)[g.OutputLength..], y[g.OutputLength..]);
        return y[..g.OutputLength];
    }

    [Fact]
    public void Forward_matches_the_reference_on_every_channel_count_and_map()
    {
        if (!Accelerated)
        {
            return;
        }
        foreach (var (inC, outC) in Channels)
        {
            foreach (var (h, w) in Maps)
            {
                var g = new ConvGeometry(inC, h, w, outC, 3, pad: 1);
                foreach (var bias in new[] { true, false })
                {
                    var x = KernelAssert.Random(g.InputLength, 1);
                    var weight = KernelAssert.Random(g.WeightLength, 2);
                    var b = bias ? KernelAssert.Random(outC, 3) : [];
                    var (expected, magnitude) = WinogradTests.Reference(g, 1, x, weight, b);
                    WinogradTests.CloseToTerms(expected, magnitude, Forward(g, x, weight, b, 4), $"{inC}→{outC} on {h}×{w}, bias {bias}", 1e-5);
                }
            }
        }
    }

    [Fact]
    public unsafe void Blocks_split_between_two_threads_give_the_whole_call_bit_for_bit()
    {
        if (!Accelerated)
        {
            return;
        }
        // Tiles in the lanes (14×14, 9×11), and maps of few tiles with the channels in the lanes, whose parts are pairs of blocks:
        // 3 blocks (a pair and a single), 4 (two pairs), and one partial block.
        var geometries = new[]
        {
            new ConvGeometry(32, 14, 14, 64, 3, pad: 1), new ConvGeometry(17, 9, 11, 40, 3, pad: 1), new ConvGeometry(20, 8, 7, 40, 3, pad: 1),
            new ConvGeometry(64, 8, 8, 64, 3, pad: 1), new ConvGeometry(16, 6, 5, 9, 3, pad: 1),
        };
        foreach (var g in geometries)
        {
            var x = KernelAssert.Random(g.InputLength, 1);
            var w = KernelAssert.Random(g.WeightLength, 2);
            var b = KernelAssert.Random(g.OutChannels, 3);
            var expected = Forward(g, x, w, b, 4);

            var blocks = new WinogradF4.Blocks(g);
            Assert.Equal((g.OutChannels + 15) / 16, blocks.Count);
            Assert.Equal(WinogradF4.HasFewTiles(g) ? 2 : 1, blocks.PartBlocks);
            Assert.Equal((blocks.Count + blocks.PartBlocks - 1) / blocks.PartBlocks, blocks.Parts);
            var filters = new float[blocks.FilterLength];
            WinogradF4.TransformFilters(g, w, filters);
            // Two threads' scratch, stale; the parts, then single blocks, in reverse order, each thread taking every other one.
            foreach (var (pieces, size) in new[] { (blocks.Parts, blocks.PartBlocks), (blocks.Count, 1) })
            {
                float[] first = KernelAssert.Random(blocks.ScratchLength, 5, 1e30f), second = KernelAssert.Random(blocks.ScratchLength, 6, 1e30f);
                var y = KernelAssert.Random(g.OutputLength, 7);
                fixed (float* xBase = x, u = filters, bBase = b, yBase = y, one = first, two = second)
                {
                    blocks.Transform(xBase, one);
                    blocks.Transform(xBase, two);
                    for (var piece = pieces - 1; piece >= 0; piece--)
                    {
                        blocks.Compute(piece * size, size, u, bBase, yBase, piece % 2 == 0 ? one : two);
                    }
                }
                Assert.Equal(expected, y);
            }
        }
    }

    [Fact]
    public void Maps_of_few_tiles_give_the_values_of_the_tile_per_lane_kernel_bit_for_bit()
    {
        if (!Accelerated)
        {
            return;
        }
        // A map of at most 8×8 embedded in the top left of a 12×12 one, zero elsewhere: every tile of the small map reads the same
        // patch values in both (the zeros standing for its padding), so the large map's corner is the small map's output.
        foreach (var (inC, outC, h, w) in new[] { (64, 64, 8, 8), (20, 40, 5, 7), (16, 17, 8, 6), (3, 16, 6, 8) })
        {
            var small = new ConvGeometry(inC, h, w, outC, 3, pad: 1);
            var large = new ConvGeometry(inC, 12, 12, outC, 3, pad: 1);
            Assert.True(WinogradF4.HasFewTiles(small));
            Assert.False(WinogradF4.HasFewTiles(large));
            var x = KernelAssert.Random(small.InputLength, 1);
            var embedded = new float[large.InputLength];
            for (var c = 0; c < inC; c++)
            {
                for (var r = 0; r < h; r++)
                {
                    Array.Copy(x, ((c * h) + r) * w, embedded, ((c * 12) + r) * 12, w);
                }
            }
            var weight = KernelAssert.Random(small.WeightLength, 2);
            var bias = KernelAssert.Random(outC, 3);
            var expected = Forward(large, embedded, weight, bias, 4);
            var actual = Forward(small, x, weight, bias, 5);
            for (var o = 0; o < outC; o++)
            {
                for (var r = 0; r < h; r++)
                {
                    Assert.Equal(expected.AsSpan(((o * 12) + r) * 12, w), actual.AsSpan(((o * h) + r) * w, w));
                }
            }
        }
    }

    [Fact]
    public unsafe void Maps_of_few_tiles_are_pooled_after_the_convolution_not_in_its_output_transform()
    {
        var g = new ConvGeometry(32, 8, 8, 32, 3, pad: 1);
        Assert.True(WinogradF4.HasFewTiles(g));
        Assert.False(WinogradF4.HasFewTiles(new ConvGeometry(32, 9, 8, 32, 3, pad: 1)));
        Assert.False(WinogradF4.HasFewTiles(new ConvGeometry(32, 8, 9, 32, 3, pad: 1)));
        Assert.False(WinogradF4.Pools(g, new PoolGeometry(32, 8, 8, 2)));
        if (!Accelerated)
        {
            return;
        }
        var blocks = new WinogradF4.Blocks(g);
        var work = new float[blocks.ScratchLength];
        var pooled = new float[32 * 4 * 4];
        var filters = new float[blocks.FilterLength];
        Assert.Throws<InvalidOperationException>(() =>
        {
            fixed (float* u = filters, p = pooled, scratch = work)
            {
                blocks.ComputePooled(0, blocks.Count, u, null, null, null, p, scratch);
            }
        });
    }

    [Fact]
    public unsafe void Pooled_blocks_give_the_map_pooling_and_relu_run_after_the_convolution_bit_for_bit()
    {
        if (!Accelerated)
        {
            return;
        }
        // Even and odd maps (a trailing row and column the pooling drops), a partial last block, with and without a map.
        foreach (var g in new[] { new ConvGeometry(32, 14, 14, 64, 3, pad: 1), new ConvGeometry(17, 15, 13, 40, 3, pad: 1), new ConvGeometry(3, 16, 16, 16, 3, pad: 1) })
        {
            var x = KernelAssert.Random(g.InputLength, 1);
            var w = KernelAssert.Random(g.WeightLength, 2);
            var b = KernelAssert.Random(g.OutChannels, 3);
            var y = Forward(g, x, w, b, 4);
            var pool = new PoolGeometry(g.OutChannels, g.OutHeight, g.OutWidth, 2);
            Assert.True(WinogradF4.Pools(g, pool));
            var gamma = KernelAssert.Random(g.OutChannels, 5);
            var beta = KernelAssert.Random(g.OutChannels, 6);
            var mean = KernelAssert.Random(g.OutChannels, 7);
            var variance = Array.ConvertAll(KernelAssert.Random(g.OutChannels, 8), v => 0.5f + Math.Abs(v));
            var map = BatchNorm2d.ChannelAffine.Inference(gamma, beta, mean, variance, 1e-5f);
            var scale = new float[g.OutChannels];
            var shift = new float[g.OutChannels];
            for (var c = 0; c < g.OutChannels; c++)
            {
                (scale[c], shift[c]) = map.Of(c);
            }
            foreach (var maps in new[] { true, false })
            {
                var normalized = (float[])y.Clone();
                if (maps)
                {
                    BatchNorm2d.Mapped(1, g.OutChannels, g.OutPlane, y, map, normalized, relu: false, CpuPath.Auto);
                }
                var expected = new float[pool.OutputLength];
                MaxPool2d.Forward(pool, 1, normalized, expected, []);
                Activations.Relu(expected, expected);

                var blocks = new WinogradF4.Blocks(g);
                var filters = new float[blocks.FilterLength];
                WinogradF4.TransformFilters(g, w, filters);
                var work = KernelAssert.Random(blocks.ScratchLength, 9, 1e30f);
                // Block by block in reverse order (each given its own channels' map), and all blocks in one call.
                var pooled = KernelAssert.Random(pool.OutputLength + 3, 10);
                var whole = KernelAssert.Random(pool.OutputLength, 11);
                fixed (float* xBase = x, u = filters, bBase = b, s = scale, t = shift, p = pooled, all = whole, scratch = work)
                {
                    blocks.Transform(xBase, scratch);
                    for (var block = blocks.Count - 1; block >= 0; block--)
                    {
                        blocks.ComputePooled(block, 1, u, bBase, maps ? s + (16 * block) : null, t + (16 * block), p, scratch);
                    }
                    blocks.ComputePooled(0, blocks.Count, u, bBase, maps ? s : null, t, all, scratch);
                }
                Assert.Equal(expected, pooled[..pool.OutputLength]);
                Assert.Equal(KernelAssert.Random(pool.OutputLength + 3, 10)[pool.OutputLength..], pooled[pool.OutputLength..]);
                Assert.Equal(expected, whole);
            }
        }
        Assert.False(WinogradF4.Pools(new ConvGeometry(8, 14, 14, 8, 3, pad: 1), new PoolGeometry(8, 14, 14, 3, stride: 2)));
        Assert.False(WinogradF4.Pools(new ConvGeometry(8, 15, 15, 8, 3, pad: 1), new PoolGeometry(8, 15, 15, 2, ceilMode: true)));
    }

    [Fact]
    public void Takes_only_what_one_vector_of_tiles_covers()
    {
        var accelerated = Accelerated && CpuPaths.Best == CpuPath.Vector512;
        Assert.Equal(accelerated, WinogradF4.Supports(new ConvGeometry(32, 16, 16, 64, 3, pad: 1)));
        Assert.False(WinogradF4.Supports(new ConvGeometry(32, 17, 16, 64, 3, pad: 1)));
        Assert.False(WinogradF4.Supports(new ConvGeometry(32, 16, 17, 64, 3, pad: 1)));
        Assert.False(WinogradF4.Supports(new ConvGeometry(32, 16, 16, 64, 3, stride: 2, pad: 1)));
        Assert.False(WinogradF4.Supports(new ConvGeometry(32, 16, 16, 64, 5, pad: 2)));
        Assert.Throws<ArgumentException>(() => new WinogradF4.Blocks(new ConvGeometry(32, 32, 32, 64, 3, pad: 1)));
        Assert.Throws<ArgumentException>(() => WinogradF4.TransformFilters(new ConvGeometry(2, 8, 8, 2, 3, pad: 1), new float[36], new float[10]));
    }
}
