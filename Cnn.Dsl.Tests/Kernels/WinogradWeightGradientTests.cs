using System;
using System.Linq;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Kernels.Reference;

namespace Cnn.Dsl.Tests.Kernels;

/// <summary>
/// The weight gradient by F(2×2, 3×3) against the double-precision reference, directly on every layout of its strips and
/// through <see cref="Conv2d.BackwardWeights"/> where it dispatches to it, within a bound that scales with the sum of the
/// terms' magnitudes, Σ|x|·|dy|.
/// </summary>
public class WinogradWeightGradientTests
{
    /// <summary>
    /// Channel pairs: one vector of output channels (16 × 1 register tiles), two and three (8 × 2 tiles, the last overlapping),
    /// input channels that fill no whole tile (20, 17, 24: the last tile overlaps the one before).
    /// </summary>
    private static readonly (int In, int Out)[] Channels = [(16, 16), (20, 16), (17, 32), (24, 48), (32, 32), (64, 64)];

    /// <summary>
    /// Maps: 1×1, odd sides (a last tile row and column half outside), tile rows of at most 4 and 8 tiles (several samples per
    /// strip), 14 tiles in a 16-lane row, rows of more than 16 tiles, and maps whose tile rows are cut into strips.
    /// </summary>
    private static readonly (int H, int W)[] Maps = [(1, 1), (5, 7), (8, 8), (14, 14), (16, 16), (7, 18), (4, 33), (33, 17), (32, 32), (28, 28)];

    private static bool Accelerated => Winograd.Supports(new ConvGeometry(16, 1, 1, 16, 3, pad: 1), CpuPath.Vector512);

    private static double[] Abs(float[] values) => values.Select(v => (double)Math.Abs(v)).ToArray();

    /// <summary>The reference weight gradient of <paramref name="g"/>, and the magnitudes (Σ|x|·|dy|) that bound the rounding.</summary>
    private static (double[] Expected, double[] Magnitude) Reference(in ConvGeometry g, int n, float[] x, float[] dy)
    {
        double[] expected = new double[g.WeightLength], magnitude = new double[g.WeightLength];
        ReferenceConv.BackwardWeights<double>(g, n, KernelAssert.ToDouble(x), KernelAssert.ToDouble(dy), expected, [], accumulate: false);
        ReferenceConv.BackwardWeights<double>(g, n, Abs(x), Abs(dy), magnitude, [], accumulate: false);
        return (expected, magnitude);
    }

    [Fact]
    public unsafe void Weight_gradient_matches_the_reference_on_every_channel_count_and_map_overwriting_and_adding()
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
                if ((long)g.MultiplyAdds > 4_000_000)
                {
                    continue;
                }
                // 1 sample; 4, which fill strips of several samples partly.
                foreach (var n in new[] { 1, 4 })
                {
                    var x = KernelAssert.Random(n * g.InputLength, 1);
                    var dy = KernelAssert.Random(n * g.OutputLength, 2);
                    var (expected, magnitude) = Reference(g, n, x, dy);
                    var what = $"{inC}→{outC} on {h}×{w}, n {n}";
                    // Stale values in the gradient and the scratch must not leak into the result; the gradient's tail stays.
                    var actual = KernelAssert.Random(g.WeightLength + 3, 3);
                    var scratch = KernelAssert.Random(Winograd.WeightGradientScratchLength(g), 4, 1e30f);
                    fixed (float* xp = x, dyp = dy, dw = actual, work = scratch)
                    {
                        Winograd.WeightGradient(g, n, xp, dyp, dw, accumulate: false, work);
                    }
                    WinogradTests.CloseToTerms(expected, magnitude, actual, what);
                    Assert.Equal(KernelAssert.Random(g.WeightLength + 3, 3)[^3..], actual[^3..]);

                    var stale = KernelAssert.Random(g.WeightLength, 5);
                    var sum = (float[])stale.Clone();
                    fixed (float* xp = x, dyp = dy, dw = sum, work = scratch)
                    {
                        Winograd.WeightGradient(g, n, xp, dyp, dw, accumulate: true, work);
                    }
                    WinogradTests.CloseToTerms(expected.Select((v, i) => v + stale[i]).ToArray(), magnitude.Select(v => v + 1).ToArray(), sum, $"added {what}");
                }
            }
        }
    }

    /// <summary>
    /// Layers <see cref="Conv2d"/> sends to the Winograd weight gradient on Vector512 (and to its other kernels elsewhere):
    /// ResNet-8's 32 → 32 and 64 → 64 (several samples per strip, the last strip partly filled), a map cut into strips; and
    /// layers it keeps on the direct kernels (16 channels, a 14×14 map's partly filled lanes).
    /// </summary>
    private static readonly (int N, ConvGeometry G, bool Winograd)[] Dispatched =
    [
        (5, new ConvGeometry(32, 16, 16, 32, 3, pad: 1), true),
        (7, new ConvGeometry(64, 8, 8, 64, 3, pad: 1), true),
        (2, new ConvGeometry(32, 64, 32, 32, 3, pad: 1), true),
        (3, new ConvGeometry(16, 32, 32, 16, 3, pad: 1), false),
        (3, new ConvGeometry(32, 14, 14, 64, 3, pad: 1), false),
    ];

    [Theory]
    [MemberData(nameof(WinogradTests.Paths), MemberType = typeof(WinogradTests))]
    public void Conv2d_weight_gradient_matches_the_reference_where_it_takes_winograd_and_where_not(CpuPath path)
    {
        foreach (var (n, g, winograd) in Dispatched)
        {
            Assert.Equal(winograd && Accelerated && CpuPaths.Resolve(path) == CpuPath.Vector512, Conv2d.UsesWinogradWeightGradient(g, CpuPaths.Resolve(path)));
            var x = KernelAssert.Random(n * g.InputLength, 1);
            var dy = KernelAssert.Random(n * g.OutputLength, 2);
            var (expected, magnitude) = Reference(g, n, x, dy);
            var actual = KernelAssert.Random(g.WeightLength, 3);
            Conv2d.BackwardWeights(g, n, x, dy, actual, [], accumulate: false, KernelAssert.Random(Conv2d.ScratchLength(g, n), 4, 1e30f), path);
            WinogradTests.CloseToTerms(expected, magnitude, actual, $"{path} {g.InChannels}→{g.OutChannels} on {g.InHeight}×{g.InWidth}");
        }
    }
}
