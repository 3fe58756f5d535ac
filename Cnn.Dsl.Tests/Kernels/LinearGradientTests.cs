using System;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Kernels.Reference;

namespace Cnn.Dsl.Tests.Kernels;

/// <summary>
/// The dense layer's data and weight gradients against the reference GEMM in double, on every path, with sizes
/// that leave remainders in each blocking (columns past a multiple of 32 and of the 128-column chunks, depths
/// past one GEMM depth block, batches that are not whole register tiles), overwriting and accumulating.
/// </summary>
public class LinearGradientTests
{
    public static TheoryData<CpuPath> Paths => KernelAssert.Paths();

    private static readonly (int N, int In, int Out)[] Sizes =
    [
        (1, 1, 1), (3, 31, 5), (5, 32, 7), (2, 33, 13), (7, 47, 3), (13, 160, 9), (4, 200, 300), (32, 291, 17), (1, 4096, 3), (9, 64, 513),
    ];

    [Theory]
    [MemberData(nameof(Paths))]
    public void Data_gradient_matches_the_reference(CpuPath path)
    {
        foreach (var (n, inF, outF) in Sizes)
        {
            foreach (var accumulate in new[] { false, true })
            {
                var dy = KernelAssert.Random(n * outF, 1);
                var w = KernelAssert.Random(outF * inF, 2);
                var dx = KernelAssert.Random(n * inF + 5, 3);
                var expected = KernelAssert.ToDouble(dx);
                ReferenceGemm.Multiply<double>(false, false, n, inF, outF, KernelAssert.ToDouble(dy), outF, KernelAssert.ToDouble(w), inF, expected, inF, accumulate);
                Linear.BackwardData(n, inF, outF, dy, w, dx, accumulate, new float[Linear.ScratchLength(n, inF, outF)], path);
                KernelAssert.Close(expected, dx, 1e-4, 4e-6 * Math.Sqrt(outF + 1), $"{path} dx {n}×{outF} → {inF}, accumulate {accumulate}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Weight_gradient_matches_the_reference(CpuPath path)
    {
        foreach (var (n, inF, outF) in Sizes)
        {
            foreach (var accumulate in new[] { false, true })
            {
                var x = KernelAssert.Random(n * inF, 4);
                var dy = KernelAssert.Random(n * outF, 5);
                var dw = KernelAssert.Random(outF * inF + 5, 6);
                var db = KernelAssert.Random(outF, 7);
                var expected = KernelAssert.ToDouble(dw);
                ReferenceGemm.Multiply<double>(true, false, outF, inF, n, KernelAssert.ToDouble(dy), outF, KernelAssert.ToDouble(x), inF, expected, inF, accumulate);
                var expectedBias = new double[outF];
                for (var j = 0; j < outF; j++)
                {
                    expectedBias[j] = accumulate ? db[j] : 0;
                    for (var s = 0; s < n; s++)
                    {
                        expectedBias[j] += dy[(s * outF) + j];
                    }
                }
                Linear.BackwardWeights(n, inF, outF, x, dy, dw, db, accumulate, new float[Linear.ScratchLength(n, inF, outF)], path);
                KernelAssert.Close(expected, dw, 1e-4, 4e-6 * Math.Sqrt(n + 1), $"{path} dW {n}: {inF} → {outF}, accumulate {accumulate}");
                KernelAssert.Close(expectedBias, db, 1e-4, 4e-6 * Math.Sqrt(n + 1), $"{path} db {n}: {inF} → {outF}, accumulate {accumulate}");
            }
        }
    }

    [Fact]
    public void Too_short_scratch_throws_before_writing()
    {
        if (!CpuPaths.IsAccelerated(CpuPath.Vector512))
        {
            return;
        }
        var dx = new float[2 * 64];
        Assert.Throws<ArgumentException>(() => Linear.BackwardData(2, 64, 8, new float[16], new float[512], dx, false, new float[16], CpuPath.Vector512));
        Assert.All(dx, v => Assert.Equal(0f, v));
    }
}
