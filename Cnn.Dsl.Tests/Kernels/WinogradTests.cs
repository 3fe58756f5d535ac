using System;
using System.Linq;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Kernels.Reference;

namespace Cnn.Dsl.Tests.Kernels;

/// <summary>
/// The Winograd F(2×2, 3×3) convolution against the double-precision reference: directly (any channel count, where
/// <c>Winograd.Supports</c>), and through <see cref="Conv2d"/>'s forward, fused epilogues and data gradient where it dispatches
/// to it. Winograd rounds differently from a direct sum, so outputs are compared within a bound that scales with the sum of
/// the terms' magnitudes, Σ|x|·|w| + |b|.
/// </summary>
public class WinogradTests
{
    public static TheoryData<CpuPath> Paths => KernelAssert.Paths();

    /// <summary>Channel pairs: single channels, the 16-lane edges (16, 17), the models' 16, 32 and 64.</summary>
    private static readonly (int In, int Out)[] Channels = [(1, 1), (2, 3), (3, 16), (16, 16), (17, 5), (16, 17), (32, 32), (32, 64), (64, 64)];

    /// <summary>
    /// Maps: 1×1, odd and even sides (a last tile row and column half outside), tile rows of at most 4 and 8 tiles (four and two
    /// rows share a vector: 8×8, 14×14), 16 tiles (32 wide), more than 16 (two vectors per row, the second partial), and maps
    /// whose tile rows are cut into strips.
    /// </summary>
    private static readonly (int H, int W)[] Maps = [(1, 1), (2, 3), (5, 7), (8, 8), (9, 9), (14, 14), (16, 16), (7, 18), (4, 33), (33, 17), (32, 32), (3, 64)];

    private static bool Accelerated => Winograd.Supports(new ConvGeometry(1, 1, 1, 1, 3, pad: 1), CpuPath.Vector512);

    /// <summary>
    /// |y − expected| ≤ <paramref name="bound"/>·(Σ|terms| + 1) everywhere: float rounding of sums of that size, with room for the
    /// transforms (1e-6 for F(2×2, 3×3)).
    /// </summary>
    internal static void CloseToTerms(ReadOnlySpan<double> expected, ReadOnlySpan<double> magnitude, ReadOnlySpan<float> actual, string what, double bound = 1e-6)
    {
        for (var i = 0; i < expected.Length; i++)
        {
            var error = Math.Abs(actual[i] - expected[i]);
            if (!(error <= bound * (magnitude[i] + 1)))
            {
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (error {error:G3}, terms {magnitude[i]:G3})");
            }
        }
    }

    private static double[] Abs(float[] values) => values.Select(v => (double)Math.Abs(v)).ToArray();

    /// <summary>The reference forward of <paramref name="g"/>, and of the magnitudes (Σ|x|·|w| + |b|) that bound the rounding.</summary>
    internal static (double[] Expected, double[] Magnitude) Reference(in ConvGeometry g, int n, float[] x, float[] w, float[] b)
    {
        var expected = new double[n * g.OutputLength];
        var magnitude = new double[expected.Length];
        ReferenceConv.Forward<double>(g, n, KernelAssert.ToDouble(x), KernelAssert.ToDouble(w), KernelAssert.ToDouble(b), expected);
        ReferenceConv.Forward<double>(g, n, Abs(x), Abs(w), Abs(b), magnitude);
        return (expected, magnitude);
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
                if ((long)g.MultiplyAdds > 3_000_000)
                {
                    continue;
                }
                foreach (var (n, bias) in new[] { (1, true), (3, false) })
                {
                    var x = KernelAssert.Random(n * g.InputLength, 1);
                    var weight = KernelAssert.Random(g.WeightLength, 2);
                    var b = bias ? KernelAssert.Random(outC, 3) : [];
                    var (expected, magnitude) = Reference(g, n, x, weight, b);
                    // Stale values in the output and the scratch must not leak into the result; the output's tail stays.
                    var y = KernelAssert.Random(expected.Length + 5, 4);
                    Conv2d.WinogradForward(g, n, x, weight, b, y, KernelAssert.Random(Math.Max(Conv2d.ScratchLength(g, n), Winograd.ScratchLength(g)), 5, 1e30f));
                    CloseToTerms(expected, magnitude, y, $"winograd {inC}→{outC} on {h}×{w}, n {n}, bias {bias}");
                    Assert.Equal(KernelAssert.Random(expected.Length + 5, 4)[^5..], y[^5..]);
                }
            }
        }
    }

    /// <summary>
    /// Layers Conv2d sends to Winograd on Vector512 (and to its other kernels elsewhere), in batches that fill strips partly; tile
    /// rows cut into strips (33×17); a 32-wide map (whole-vector row stores); 16 → 16, whose data gradient only takes it.
    /// </summary>
    private static readonly (int N, ConvGeometry G)[] Dispatched =
    [
        (2, new ConvGeometry(16, 32, 32, 16, 3, pad: 1)),
        (5, new ConvGeometry(32, 8, 8, 32, 3, pad: 1)),
        (2, new ConvGeometry(32, 16, 16, 32, 3, pad: 1)),
        (3, new ConvGeometry(32, 14, 14, 64, 3, pad: 1)),
        (4, new ConvGeometry(64, 8, 8, 64, 3, pad: 1)),
        (1, new ConvGeometry(32, 33, 17, 40, 3, pad: 1)),
        (2, new ConvGeometry(32, 32, 32, 32, 3, pad: 1)),
    ];

    [Theory]
    [MemberData(nameof(Paths))]
    public void Conv2d_forward_and_data_gradient_match_the_reference_where_they_take_winograd_overwriting_and_adding(CpuPath path)
    {
        foreach (var (n, g) in Dispatched)
        {
            var x = KernelAssert.Random(n * g.InputLength, 1);
            var w = KernelAssert.Random(g.WeightLength, 2);
            var b = KernelAssert.Random(g.OutChannels, 3);
            var scratch = KernelAssert.Random(Conv2d.ScratchLength(g, n), 5, 1e30f);
            var (expected, magnitude) = Reference(g, n, x, w, b);
            var y = KernelAssert.Random(expected.Length, 4);
            Conv2d.Forward(g, n, x, w, b, y, scratch, path);
            CloseToTerms(expected, magnitude, y, $"{path} forward {g.InChannels}→{g.OutChannels} on {g.InHeight}×{g.InWidth}");
            // Added into stale values, as the transposed convolution's data gradient calls it.
            var sum = KernelAssert.Random(expected.Length, 8);
            Conv2d.Forward(g, n, x, w, b, sum, accumulate: true, scratch, path);
            var staleY = KernelAssert.Random(expected.Length, 8);
            var stalePlusForward = expected.Select((v, i) => v + staleY[i]).ToArray();
            CloseToTerms(stalePlusForward, magnitude.Select(v => v + 1).ToArray(), sum, $"{path} accumulated forward {g.InChannels}→{g.OutChannels}");

            // dx = convᵀ(dy), overwritten and added to stale values.
            var dy = KernelAssert.Random(n * g.OutputLength, 6);
            double[] dx = new double[n * g.InputLength], dxMagnitude = new double[dx.Length];
            ReferenceConv.BackwardData<double>(g, n, KernelAssert.ToDouble(dy), KernelAssert.ToDouble(w), dx, accumulate: false);
            ReferenceConv.BackwardData<double>(g, n, Abs(dy), Abs(w), dxMagnitude, accumulate: false);
            var actual = KernelAssert.Random(dx.Length, 7);
            Conv2d.BackwardData(g, n, dy, w, actual, accumulate: false, scratch, path);
            CloseToTerms(dx, dxMagnitude, actual, $"{path} data gradient {g.InChannels}→{g.OutChannels} on {g.InHeight}×{g.InWidth}");
            var stale = KernelAssert.Random(dx.Length, 7);
            Conv2d.BackwardData(g, n, dy, w, stale, accumulate: true, scratch, path);
            var staleDx = KernelAssert.Random(dx.Length, 7);
            var added = dx.Select((v, i) => v + staleDx[i]).ToArray();
            CloseToTerms(added, dxMagnitude.Select(v => v + 1).ToArray(), stale, $"{path} accumulated data gradient {g.InChannels}→{g.OutChannels}");
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Fused_batch_norm_epilogues_see_the_winograd_output_bit_for_bit(CpuPath path)
    {
        foreach (var (n, g) in Dispatched)
        {
            var x = KernelAssert.Random(n * g.InputLength, 1);
            var w = KernelAssert.Random(g.WeightLength, 2);
            var scratch = new float[Conv2d.ScratchLength(g, n)];
            var y = new float[n * g.OutputLength];
            Conv2d.Forward(g, n, x, w, [], y, scratch, path);

            var summed = KernelAssert.Random(y.Length, 4);
            var sums = new double[2 * g.OutChannels];
            Conv2d.ForwardSummed(g, n, x, w, [], summed, sums, scratch, path);
            Assert.Equal(y, summed);
            double[] sum = new double[g.OutChannels], sumSquares = new double[g.OutChannels];
            BatchNorm2d.Sums(n, g.OutChannels, g.OutPlane, y, sum, sumSquares, accumulate: false, path);
            Assert.Equal([.. sum, .. sumSquares], sums);

            var gamma = KernelAssert.Random(g.OutChannels, 6);
            var beta = KernelAssert.Random(g.OutChannels, 7);
            var mean = KernelAssert.Random(g.OutChannels, 8);
            var variance = Array.ConvertAll(KernelAssert.Random(g.OutChannels, 9), v => 0.5f + Math.Abs(v));
            var expected = new float[y.Length];
            BatchNorm2d.ForwardInferenceRelu(n, g.OutChannels, g.OutPlane, y, gamma, beta, mean, variance, 1e-5f, expected, path);
            float[] convolved = KernelAssert.Random(y.Length, 4), normalized = KernelAssert.Random(y.Length, 5);
            Conv2d.ForwardNormalized(g, n, x, w, [], convolved, gamma, beta, mean, variance, 1e-5f, normalized, relu: true, scratch, path);
            Assert.Equal(y, convolved);
            Assert.Equal(expected, normalized);
        }
    }

    [Fact]
    public void Filters_transformed_once_give_the_values_of_the_pass_that_transforms_them_bit_for_bit()
    {
        if (!Accelerated || CpuPaths.Best != CpuPath.Vector512)
        {
            return;
        }
        foreach (var (n, g) in new[] { (1, new ConvGeometry(16, 32, 32, 16, 3, pad: 1)), (1, new ConvGeometry(32, 16, 16, 32, 3, pad: 1)), (2, new ConvGeometry(17, 9, 11, 5, 3, pad: 1)) })
        {
            var x = KernelAssert.Random(n * g.InputLength, 1);
            var w = KernelAssert.Random(g.WeightLength, 2);
            var b = KernelAssert.Random(g.OutChannels, 3);
            var expected = new float[n * g.OutputLength];
            Conv2d.WinogradForward(g, n, x, w, b, expected, new float[Math.Max(Conv2d.ScratchLength(g, n), Winograd.ScratchLength(g))]);

            var filters = KernelAssert.Random(Conv2d.TransformedFilterLength(g), 4);
            Conv2d.TransformFilters(g, w, filters);
            var y = KernelAssert.Random(expected.Length, 5);
            // Stale scratch, the transform's own place included, must not leak into the result.
            Conv2d.ForwardWithFilters(g, n, x, w, filters, b, y, KernelAssert.Random(Math.Max(Conv2d.ScratchLength(g, n), Winograd.ScratchLength(g)), 6, 1e30f));
            Assert.Equal(expected, y);

            var gamma = KernelAssert.Random(g.OutChannels, 7);
            var beta = KernelAssert.Random(g.OutChannels, 8);
            var mean = KernelAssert.Random(g.OutChannels, 9);
            var variance = Array.ConvertAll(KernelAssert.Random(g.OutChannels, 10), v => 0.5f + Math.Abs(v));
            var normalizedExpected = new float[y.Length];
            BatchNorm2d.ForwardInferenceRelu(n, g.OutChannels, g.OutPlane, expected, gamma, beta, mean, variance, 1e-5f, normalizedExpected, CpuPath.Vector512);
            float[] convolved = KernelAssert.Random(y.Length, 11), normalized = KernelAssert.Random(y.Length, 12);
            Conv2d.ForwardNormalized(g, n, x, w, b, convolved, gamma, beta, mean, variance, 1e-5f, normalized, relu: true,
                new float[Math.Max(Conv2d.ScratchLength(g, n), Winograd.ScratchLength(g))], CpuPath.Vector512, filters);
            Assert.Equal(expected, convolved);
            Assert.Equal(normalizedExpected, normalized);
        }
    }

    [Fact]
    public void Blocks_of_output_channels_in_any_split_give_the_bits_of_the_whole_pass()
    {
        if (!Accelerated || CpuPaths.Best != CpuPath.Vector512)
        {
            return;
        }
        // bn2conv's and simplecnn's shared layers, a last block of 8 channels, an odd map, an 8×8 map.
        foreach (var g in new[] { new ConvGeometry(32, 14, 14, 64, 3, pad: 1), new ConvGeometry(32, 16, 16, 64, 3, pad: 1), new ConvGeometry(20, 14, 14, 40, 3, pad: 1),
            new ConvGeometry(17, 9, 11, 33, 3, pad: 1), new ConvGeometry(64, 8, 8, 64, 3, pad: 1) })
        {
            var x = KernelAssert.Random(g.InputLength, 1);
            var w = KernelAssert.Random(g.WeightLength, 2);
            var b = KernelAssert.Random(g.OutChannels, 3);
            var filters = new float[Conv2d.TransformedFilterLength(g)];
            Conv2d.TransformFilters(g, w, filters);
            var expected = new float[g.OutputLength];
            Conv2d.ForwardWithFilters(g, 1, x, w, filters, b, expected, new float[Math.Max(Conv2d.ScratchLength(g, 1), Winograd.ScratchLength(g))]);

            var blocks = new Winograd.ChannelBlocks(g);
            Assert.Equal((g.OutChannels + 15) / 16, blocks.Count);
            // Two threads' scratch, stale; the blocks in reverse order, each thread taking every other one.
            float[] first = KernelAssert.Random(blocks.ScratchLength, 4, 1e30f), second = KernelAssert.Random(blocks.ScratchLength, 5, 1e30f);
            var y = KernelAssert.Random(g.OutputLength + 3, 6);
            unsafe
            {
                fixed (float* xBase = x, u = filters, bBase = b, yBase = y, one = first, two = second)
                {
                    blocks.Transform(xBase, one);
                    blocks.Transform(xBase, two);
                    for (var block = blocks.Count - 1; block >= 0; block--)
                    {
                        blocks.Compute(block, 1, u, bBase, yBase, block % 2 == 0 ? one : two);
                    }
                }
            }
            Assert.Equal(expected, y[..g.OutputLength]);
            Assert.Equal(KernelAssert.Random(g.OutputLength + 3, 6)[g.OutputLength..], y[g.OutputLength..]);
        }
    }

    [Fact]
    public void One_sample_inference_takes_winograd_only_on_the_layers_measured_faster()
    {
        var accelerated = Accelerated && CpuPaths.Best == CpuPath.Vector512;
        Assert.Equal(accelerated, Conv2d.OneSampleTakesWinograd(new ConvGeometry(32, 16, 16, 32, 3, pad: 1)));
        Assert.Equal(accelerated, Conv2d.OneSampleTakesWinograd(new ConvGeometry(16, 32, 32, 16, 3, pad: 1)));
        Assert.False(Conv2d.OneSampleTakesWinograd(new ConvGeometry(3, 32, 32, 16, 3, pad: 1)));
        // Maps of 5×5 to 8×8 by F(4×4) with the channels in the lanes, up to 64·64 filters; not 4×4 (one tile) nor 9×9 to 13×13.
        Assert.Equal(accelerated, Conv2d.OneSampleTakesWinograd(new ConvGeometry(16, 8, 8, 16, 3, pad: 1)));
        Assert.Equal(accelerated, Conv2d.OneSampleTakesWinograd(new ConvGeometry(64, 8, 8, 64, 3, pad: 1)));
        Assert.Equal(accelerated, Conv2d.OneSampleTakesWinograd(new ConvGeometry(32, 5, 6, 48, 3, pad: 1)));
        Assert.False(Conv2d.OneSampleTakesWinograd(new ConvGeometry(64, 8, 8, 128, 3, pad: 1)));
        Assert.False(Conv2d.OneSampleTakesWinograd(new ConvGeometry(32, 4, 4, 32, 3, pad: 1)));
        Assert.False(Conv2d.OneSampleTakesWinograd(new ConvGeometry(32, 9, 9, 32, 3, pad: 1)));
        Assert.False(Conv2d.OneSampleTakesWinograd(new ConvGeometry(8, 8, 8, 64, 3, pad: 1)));
        Assert.Equal(accelerated, Conv2d.OneSampleTakesWinograd(new ConvGeometry(32, 14, 14, 64, 3, pad: 1)));
        Assert.Equal(accelerated, Conv2d.OneSampleTakesWinograd(new ConvGeometry(32, 16, 16, 64, 3, pad: 1)));
        Assert.False(Conv2d.OneSampleTakesWinograd(new ConvGeometry(32, 12, 16, 64, 3, pad: 1)));
        Assert.False(Conv2d.OneSampleTakesWinograd(new ConvGeometry(64, 16, 16, 64, 3, pad: 1)));
        Assert.False(Conv2d.OneSampleTakesWinograd(new ConvGeometry(32, 16, 16, 64, 3, stride: 2, pad: 1)));
    }
}
