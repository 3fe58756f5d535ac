using System;
using System.Collections.Generic;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Kernels.Reference;

namespace Cnn.Dsl.Tests.Kernels;

/// <summary>
/// Strided convolutions (the direct 1×1 stride-2 kernel of ResNet's projections, the phase data gradient written row by row from two column phases at stride 2 and its
/// column-window copies, the stride-2 phase gather of 1×1 and dilated kernels, forward passes onto rows an odd
/// multiple of 8 wide) against the double-precision reference, on the ResNet-8 layers and on random geometries:
/// strides 2 and 3, kernels 1–4, padding, dilation, groups, odd sizes, batches 1–3.
/// </summary>
public class StridedConvTests
{
    public static TheoryData<CpuPath> Paths => KernelAssert.Paths();

    /// <summary>ResNet-8's strided layers (3×3 and 1×1 shortcuts) and their 8×8-output and odd-width neighbours.</summary>
    private static readonly (int N, ConvGeometry G)[] Layers =
    [
        (2, new ConvGeometry(16, 32, 32, 32, 3, stride: 2, pad: 1)),
        (2, new ConvGeometry(32, 16, 16, 64, 3, stride: 2, pad: 1)),
        (2, new ConvGeometry(16, 32, 32, 32, 1, stride: 2)),
        (3, new ConvGeometry(32, 16, 16, 64, 1, stride: 2)),
        (1, new ConvGeometry(16, 33, 31, 8, 1, stride: 2)),
        (2, new ConvGeometry(8, 35, 33, 16, 3, stride: 2, pad: 1)),
        (1, new ConvGeometry(8, 16, 16, 8, 1, stride: 2, pad: 1)),
        // Output rows an odd multiple of 8 wide (column-shifted forward copies, the data gradient's column windows): 24 wide,
        // dilated, grouped, and a 2×2 kernel.
        (1, new ConvGeometry(6, 11, 47, 5, 3, stride: 2, pad: 1)),
        (1, new ConvGeometry(4, 16, 16, 6, 3, stride: 2, pad: 2, dilation: 2)),
        (2, new ConvGeometry(8, 16, 16, 6, 3, stride: 2, pad: 1, groups: 2)),
        (1, new ConvGeometry(3, 9, 16, 5, 2, stride: 2)),
        // Phase planes exactly as wide as the output, read as one run by the forward GEMM: a 1×1 kernel on 15-wide rows with
        // an odd number of 8-wide phase rows (the last one gathered alone), and a 3×3 kernel at stride 3.
        (3, new ConvGeometry(5, 13, 15, 7, 1, stride: 2)),
        (1, new ConvGeometry(4, 12, 12, 6, 3, stride: 3)),
        // StridedPointwise's other shapes: rows of two output vectors (32 wide), 8-wide rows with 48 input channels, with bias.
        (2, new ConvGeometry(16, 16, 64, 32, 1, stride: 2)),
        (5, new ConvGeometry(48, 16, 16, 16, 1, stride: 2)),
        // Phases whose last row and column lie wholly in the padding (1×1 input, stride 3, pad 1).
        (2, new ConvGeometry(2, 1, 1, 3, 3, stride: 3, pad: 1)),
    ];

    [Theory]
    [MemberData(nameof(Paths))]
    public void ResNet_strided_layers_match_the_reference(CpuPath path)
    {
        foreach (var (n, g) in Layers)
        {
            AssertAllPasses(n, g, path, seed: 1);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Random_strided_geometries_match_the_reference(CpuPath path)
    {
        var random = new Random(20261202);
        foreach (var (n, g) in RandomGeometries(random, 60))
        {
            AssertAllPasses(n, g, path, random.Next());
        }
    }

    /// <summary>Valid strided convolutions drawn at random (invalid draws are skipped).</summary>
    private static IEnumerable<(int N, ConvGeometry G)> RandomGeometries(Random random, int count)
    {
        var made = 0;
        while (made < count)
        {
            var groups = random.Next(4) == 0 ? 2 : 1;
            var inChannels = groups * random.Next(1, 10);
            var outChannels = groups * random.Next(1, 10);
            var kernel = random.Next(1, 5);
            var stride = random.Next(2, 4);
            var dilation = random.Next(3) == 0 ? 2 : 1;
            var pad = random.Next(0, kernel + 1);
            int height = random.Next(1, 24), width = random.Next(1, 40);
            if (height + (2 * pad) - (dilation * (kernel - 1)) - 1 < 0 || width + (2 * pad) - (dilation * (kernel - 1)) - 1 < 0)
            {
                continue;
            }
            made++;
            yield return (random.Next(1, 4), new ConvGeometry(inChannels, height, width, outChannels, kernel, stride, pad, dilation, groups));
        }
    }

    /// <summary>Forward, data gradient and weight gradient, with and without accumulate, against <see cref="ReferenceConv"/> in double.</summary>
    private static void AssertAllPasses(int n, ConvGeometry g, CpuPath path, int seed)
    {
        var what = $"{path} n={n} {g.InChannels}→{g.OutChannels} {g.InHeight}×{g.InWidth} k{g.Kernel} s{g.Stride} p{g.Pad} d{g.Dilation} g{g.Groups}";
        var x = KernelAssert.Random(n * g.InputLength, seed);
        var w = KernelAssert.Random(g.WeightLength, seed + 1);
        var b = KernelAssert.Random(g.OutChannels, seed + 2);
        var dy = KernelAssert.Random(n * g.OutputLength, seed + 3);
        var scratch = new float[Conv2d.ScratchLength(g, n)];
        var y = KernelAssert.Random(n * g.OutputLength, seed + 4);
        var yExpected = new double[y.Length];
        ReferenceConv.Forward<double>(g, n, KernelAssert.ToDouble(x), KernelAssert.ToDouble(w), KernelAssert.ToDouble(b), yExpected);
        Conv2d.Forward(g, n, x, w, b, y, scratch, path);
        KernelAssert.Close(yExpected, y, 1e-4, 1e-5, $"{what} forward");
        foreach (var accumulate in new[] { false, true })
        {
            var dx = KernelAssert.Random(x.Length, seed + 5);
            var dw = KernelAssert.Random(w.Length, seed + 6);
            var db = KernelAssert.Random(g.OutChannels, seed + 7);
            var dxExpected = KernelAssert.ToDouble(dx);
            var dwExpected = KernelAssert.ToDouble(dw);
            var dbExpected = KernelAssert.ToDouble(db);
            ReferenceConv.BackwardData<double>(g, n, KernelAssert.ToDouble(dy), KernelAssert.ToDouble(w), dxExpected, accumulate);
            ReferenceConv.BackwardWeights<double>(g, n, KernelAssert.ToDouble(x), KernelAssert.ToDouble(dy), dwExpected, dbExpected, accumulate);
            Conv2d.BackwardData(g, n, dy, w, dx, accumulate, scratch, path);
            Conv2d.BackwardWeights(g, n, x, dy, dw, db, accumulate, scratch, path);
            KernelAssert.Close(dxExpected, dx, 1e-4, 1e-5, $"{what} dx acc={accumulate}");
            KernelAssert.Close(dwExpected, dw, 1e-4, 5e-5, $"{what} dW acc={accumulate}");
            KernelAssert.Close(dbExpected, db, 1e-4, 5e-5, $"{what} db acc={accumulate}");
        }
    }
}
