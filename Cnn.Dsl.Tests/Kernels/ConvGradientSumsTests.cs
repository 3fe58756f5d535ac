using System;
using System.Linq;
using Cnn.Runtime.Kernels;

namespace Cnn.Dsl.Tests.Kernels;

/// <summary>
/// A convolution's data gradient taking the backward sums of the BatchNorm+ReLU whose output is its input (<see cref="Conv2d.BackwardDataSummed"/>):
/// the data gradient, then <see cref="BatchNorm2d.InputGatedGradientSums"/> over it, bit for bit, sample by sample or over the whole tensor.
/// </summary>
public class ConvGradientSumsTests
{
    public static TheoryData<CpuPath> Paths => KernelAssert.Paths();

    // The data gradient by Winograd (sample by sample: 3×3 with 32 channels each way, on the Vector512 path), as a convolution of dy
    // (sample by sample: 3×3 and 1×1 with 8 input channels or more), direct (fewer), by phases
    // (strided), scattered (a padding wider than the kernel's reach) and depthwise (the last three over the whole tensor).
    private static readonly (int N, ConvGeometry G)[] Geometries =
    [
        (3, new ConvGeometry(32, 6, 6, 32, 3, pad: 1)),
        (3, new ConvGeometry(16, 6, 6, 16, 3, pad: 1)),
        (2, new ConvGeometry(8, 5, 7, 12, 3, pad: 1)),
        (3, new ConvGeometry(8, 5, 5, 6, 1)),
        (2, new ConvGeometry(4, 6, 6, 5, 3, pad: 1)),
        (2, new ConvGeometry(8, 8, 8, 16, 3, stride: 2, pad: 1)),
        (2, new ConvGeometry(8, 4, 4, 8, 1, pad: 1)),
        (2, new ConvGeometry(4, 6, 6, 4, 3, pad: 1, groups: 4)),
    ];

    [Theory]
    [MemberData(nameof(Paths))]
    public void The_sums_equal_the_batch_norm_pass_over_the_data_gradient(CpuPath path)
    {
        for (var i = 0; i < Geometries.Length; i++)
        {
            var (n, g) = Geometries[i];
            foreach (var accumulate in new[] { false, true })
            {
                int channels = g.InChannels, plane = g.InPlane;
                var what = $"geometry {i}, accumulate={accumulate}";
                var x = KernelAssert.Random(n * g.InputLength, 1, 2f);
                var gamma = KernelAssert.Random(channels, 2);
                var beta = KernelAssert.Random(channels, 3);
                var mean = KernelAssert.Random(channels, 4, 0.5f);
                var invStd = Array.ConvertAll(KernelAssert.Random(channels, 5), v => 0.5f + Math.Abs(v));
                var dy = KernelAssert.Random(n * g.OutputLength, 6);
                var weight = KernelAssert.Random(g.WeightLength, 7);
                var before = KernelAssert.Random(n * g.InputLength, 8);
                var scratch = new float[Conv2d.ScratchLength(g, n)];

                var expected = before.ToArray();
                Conv2d.BackwardData(g, n, dy, weight, expected, accumulate, scratch, path);
                double[] sumDy = new double[channels], sumDyXhat = new double[channels];
                BatchNorm2d.InputGatedGradientSums(n, channels, plane, x, expected, gamma, beta, mean, invStd, sumDy, sumDyXhat, path);

                var actual = before.ToArray();
                var sums = Enumerable.Repeat(double.NaN, 2 * channels).ToArray();
                Conv2d.BackwardDataSummed(g, n, dy, weight, actual, accumulate, new BatchNorm2d.ReluGradientSums(x, gamma, beta, mean, invStd, sums), scratch, path);

                Assert.True(expected.AsSpan().SequenceEqual(actual), what + ": dx");
                Assert.True(sumDy.AsSpan().SequenceEqual(sums.AsSpan(0, channels)), what + ": Σg");
                Assert.True(sumDyXhat.AsSpan().SequenceEqual(sums.AsSpan(channels, channels)), what + ": Σg·x̂");
                Assert.Contains(sumDy, v => v != 0);
            }
        }
    }
}
