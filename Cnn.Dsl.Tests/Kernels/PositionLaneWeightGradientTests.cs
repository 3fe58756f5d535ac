using System;
using System.Linq;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Kernels.Reference;

namespace Cnn.Dsl.Tests.Kernels;

/// <summary>
/// The weight gradient with output positions in the lanes against the reference loops, called directly on many
/// geometries (every sweep: rows of whole vectors read in place, zero-padded rows, one run over the padded width;
/// tiles cut by the filter and tap counts; chunks of samples) and through <see cref="Conv2d.BackwardWeights"/> on
/// every path for the layers it is chosen for.
/// </summary>
public class PositionLaneWeightGradientTests
{
    public static TheoryData<CpuPath> Paths => KernelAssert.Paths();

    private static readonly int[] Widths = [5, 10, 14, 17, 31, 32, 33];

    /// <summary>
    /// Random tensors and stale scratch; the reference in double; the kernel with and without accumulate. With
    /// <paramref name="dyShift"/> ≥ 0 the kernel's dy starts that many floats past a 64-byte boundary.
    /// </summary>
    private static unsafe void Check(ConvGeometry g, int n, string what, int dyShift = -1)
    {
        var x = KernelAssert.Random(n * g.InputLength, 1);
        var dy = KernelAssert.Random(n * g.OutputLength, 2);
        var dyHost = dy;
        var dyOffset = 0;
        if (dyShift >= 0)
        {
            dyHost = GC.AllocateArray<float>(dy.Length + 32, pinned: true);
            fixed (float* start = dyHost)
            {
                dyOffset = ((int)((64 - ((nint)start & 63)) & 63) / sizeof(float)) + dyShift;
            }
            dy.CopyTo(dyHost, dyOffset);
        }
        var scratch = KernelAssert.Random(PositionLaneWeightGradient.ScratchLength(g), 3, 1e30f);
        foreach (var accumulate in new[] { false, true })
        {
            var dw = KernelAssert.Random(g.WeightLength + 2, 4);
            var expected = KernelAssert.ToDouble(dw.AsSpan(0, g.WeightLength));
            ReferenceConv.BackwardWeights<double>(g, n, KernelAssert.ToDouble(x), KernelAssert.ToDouble(dy), expected, [], accumulate);
            PositionLaneWeightGradient.BackwardWeights(g, n, x, dyHost.AsSpan(dyOffset, dy.Length), dw, accumulate, scratch, CpuPath.Vector512);
            var sums = n * g.OutHeight * g.OutWidth;
            KernelAssert.Close(expected, dw, 1e-4, 2e-6 * Math.Sqrt(sums + 1), $"{what} acc={accumulate} {Describe(g)} n {n}");
            Assert.Equal(KernelAssert.Random(g.WeightLength + 2, 4)[g.WeightLength..], dw[g.WeightLength..]);
        }
    }

    private static string Describe(ConvGeometry g) =>
        $"{g.InChannels}×{g.InHeight}×{g.InWidth} → {g.OutChannels} k{g.Kernel} s{g.Stride} p{g.Pad} d{g.Dilation} g{g.Groups}";

    [Fact]
    public void Random_geometries_match_the_reference()
    {
        if (!PositionLaneWeightGradient.Supports(CpuPath.Vector512))
        {
            return;
        }
        var random = new Random(7);
        int[] kernels = [1, 3, 5];
        for (var trial = 0; trial < 160; trial++)
        {
            var kernel = kernels[random.Next(kernels.Length)];
            var dilation = random.Next(1, 3);
            var stride = random.Next(1, 3);
            var pad = random.Next(0, 3);
            var width = Widths[random.Next(Widths.Length)];
            var reach = (dilation * (kernel - 1)) + 1 - (2 * pad);
            if (width < reach)
            {
                continue;
            }
            var height = Math.Max(reach, random.Next(1, 7));
            var filters = trial < 40 ? trial + 1 : random.Next(1, 41);
            var channels = random.Next(1, 21);
            Check(new ConvGeometry(channels, height, width, filters, kernel, stride, pad, dilation), random.Next(1, 6), $"trial {trial}");
        }
    }

    [Fact]
    public void Every_sweep_and_groups_match_the_reference()
    {
        if (!PositionLaneWeightGradient.Supports(CpuPath.Vector512))
        {
            return;
        }
        // Rows of whole vectors read in place (32 and 16 wide, stride 2 onto 16), zero-padded rows (17 of 32 lanes
        // beat 21 · 17 rounded over the padded width), one run over the padded width (LeNet's 10-wide rows).
        Check(new ConvGeometry(16, 6, 32, 16, 3, pad: 1), 2, "rows in place");
        Check(new ConvGeometry(5, 32, 32, 7, 3, stride: 2, pad: 1), 2, "strided rows in place");
        Check(new ConvGeometry(3, 4, 17, 5, 3, pad: 2), 3, "padded rows");
        Check(new ConvGeometry(6, 14, 14, 16, 5), 3, "one run");
        // Tiles of 6 filters × 4 taps: LeNet's first layer, and 11 filters × 25 taps (both tiles cut short).
        Check(new ConvGeometry(1, 9, 28, 6, 5, pad: 2), 3, "6 × 4 tiles");
        Check(new ConvGeometry(1, 7, 12, 11, 5, pad: 1), 2, "6 × 4 tiles cut short");
        // Groups: each group's filters against its own channels.
        Check(new ConvGeometry(6, 7, 10, 9, 3, pad: 1, groups: 3), 2, "groups");
        Check(new ConvGeometry(8, 6, 33, 4, 3, stride: 2, pad: 1, dilation: 2, groups: 2), 2, "strided dilated groups");
        Check(new ConvGeometry(4, 5, 5, 8, 3, pad: 1, groups: 4), 2, "depthwise, multiplier 2");
    }

    [Fact]
    public void Dy_read_in_place_or_copied_matches_the_reference()
    {
        if (!PositionLaneWeightGradient.Supports(CpuPath.Vector512))
        {
            return;
        }
        // A 144-row patch reads dy in place only when it lies on cache lines; a 27-row one always (where rows allow).
        Check(new ConvGeometry(16, 6, 32, 16, 3, pad: 1), 2, "long patch, dy aligned", dyShift: 0);
        Check(new ConvGeometry(16, 6, 32, 16, 3, pad: 1), 2, "long patch, dy misaligned", dyShift: 4);
        Check(new ConvGeometry(3, 6, 32, 16, 3, pad: 1), 2, "short patch, dy misaligned", dyShift: 3);
        Check(new ConvGeometry(16, 12, 12, 32, 1, stride: 2), 3, "1×1 stride 2, dy misaligned", dyShift: 1);
    }

    [Fact]
    public void Chunks_of_samples_split_anywhere_match_the_reference()
    {
        if (!PositionLaneWeightGradient.Supports(CpuPath.Vector512))
        {
            return;
        }
        // A small image: many samples per chunk, and 37 samples end part-way through a chunk.
        Check(new ConvGeometry(2, 5, 10, 3, 3, pad: 1), 37, "small images");
        // dy read in place (16-wide rows, no padding lanes) by chunks of samples, the last cut short.
        Check(new ConvGeometry(2, 4, 16, 3, 3, pad: 1), 37, "small images, dy in place");
        // Images too large for two in a chunk: one sample at a time.
        Check(new ConvGeometry(20, 33, 33, 6, 3, pad: 1), 3, "one per chunk");
    }

    /// <summary>
    /// Through <see cref="Conv2d.BackwardWeights"/> on every path: layers this kernel is chosen for on Vector512
    /// (ResNet-8's 3→16 stem and 16→16 on shorter maps, its 1×1 stride-2 shortcut, 1-channel inputs, 8 filters on
    /// 33-wide rows, grouped) and one it is not (LeNet's 6→16), each with its bias gradient.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void Conv2d_weight_gradients_match_the_reference_on_every_path(CpuPath path)
    {
        (int N, ConvGeometry G)[] cases =
        [
            (3, new ConvGeometry(3, 6, 32, 16, 3, pad: 1)),
            (2, new ConvGeometry(16, 4, 32, 16, 3, pad: 1)),
            (2, new ConvGeometry(16, 12, 12, 32, 1, stride: 2)),
            (2, new ConvGeometry(1, 28, 28, 6, 5, pad: 2)),
            (2, new ConvGeometry(5, 7, 33, 8, 3, pad: 1)),
            (2, new ConvGeometry(8, 6, 32, 8, 3, pad: 1, groups: 2)),
            (4, new ConvGeometry(6, 14, 14, 16, 5)),
        ];
        foreach (var (n, g) in cases)
        {
            var x = KernelAssert.Random(n * g.InputLength, 11);
            var dy = KernelAssert.Random(n * g.OutputLength, 12);
            var scratch = KernelAssert.Random(Conv2d.ScratchLength(g, n), 13, 1e30f);
            foreach (var accumulate in new[] { false, true })
            {
                var dw = KernelAssert.Random(g.WeightLength, 14);
                var db = KernelAssert.Random(g.OutChannels, 15);
                var dwExpected = KernelAssert.ToDouble(dw);
                var dbExpected = KernelAssert.ToDouble(db);
                ReferenceConv.BackwardWeights<double>(g, n, KernelAssert.ToDouble(x), KernelAssert.ToDouble(dy), dwExpected, dbExpected, accumulate);
                Conv2d.BackwardWeights(g, n, x, dy, dw, db, accumulate, scratch, path);
                var sums = n * g.OutHeight * g.OutWidth;
                KernelAssert.Close(dwExpected, dw, 1e-4, 2e-6 * Math.Sqrt(sums + 1), $"{path} dW acc={accumulate} {Describe(g)}");
                KernelAssert.Close(dbExpected, db, 1e-4, 2e-6 * Math.Sqrt(sums + 1), $"{path} db acc={accumulate} {Describe(g)}");
            }
        }
    }

    [Fact]
    public void An_empty_batch_clears_or_keeps_the_gradient()
    {
        if (!PositionLaneWeightGradient.Supports(CpuPath.Vector512))
        {
            return;
        }
        var g = new ConvGeometry(3, 8, 8, 5, 3, pad: 1);
        var scratch = new float[PositionLaneWeightGradient.ScratchLength(g)];
        var dw = KernelAssert.Random(g.WeightLength, 5);
        var kept = dw.ToArray();
        PositionLaneWeightGradient.BackwardWeights(g, 0, [], [], dw, true, scratch, CpuPath.Vector512);
        Assert.Equal(kept, dw);
        PositionLaneWeightGradient.BackwardWeights(g, 0, [], [], dw, false, scratch, CpuPath.Vector512);
        Assert.All(dw, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Other_paths_and_short_operands_are_refused()
    {
        var g = new ConvGeometry(3, 8, 8, 5, 3, pad: 1);
        var x = new float[2 * g.InputLength];
        var dy = new float[2 * g.OutputLength];
        var dw = new float[g.WeightLength];
        var scratch = new float[PositionLaneWeightGradient.ScratchLength(g)];
        Assert.False(PositionLaneWeightGradient.Supports(CpuPath.Vector256));
        Assert.Throws<ArgumentException>(() => PositionLaneWeightGradient.BackwardWeights(g, 2, x, dy, dw, false, scratch, CpuPath.Vector256));
        if (!PositionLaneWeightGradient.Supports(CpuPath.Vector512))
        {
            return;
        }
        Assert.Throws<ArgumentException>(() => PositionLaneWeightGradient.BackwardWeights(g, 2, x, dy, dw, false, scratch.AsSpan(1), CpuPath.Vector512));
        Assert.Throws<ArgumentException>(() => PositionLaneWeightGradient.BackwardWeights(g, 3, x, dy, dw, false, scratch, CpuPath.Vector512));
    }
}
