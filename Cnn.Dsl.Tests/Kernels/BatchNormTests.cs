using System;
using System.Linq;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Kernels.Reference;

namespace Cnn.Dsl.Tests.Kernels;

public class BatchNormTests
{
    public static TheoryData<CpuPath> Paths => KernelAssert.Paths();

    private static readonly (int N, int C, int Plane)[] Shapes = [(2, 3, 17), (3, 1, 33), (5, 4, 1), (1, 2, 49), (4, 7, 3)];

    [Theory]
    [MemberData(nameof(Paths))]
    public void Training_forward_matches_the_two_pass_reference_and_updates_running_statistics(CpuPath path)
    {
        foreach (var (n, c, plane) in Shapes)
        {
            var x = KernelAssert.Random(n * c * plane, 1, 3f).Select(v => v + 2f).ToArray();
            var gamma = KernelAssert.Random(c, 2);
            var beta = KernelAssert.Random(c, 3);
            var runningMean = KernelAssert.Random(c, 4);
            var runningVar = KernelAssert.Random(c, 5).Select(v => v + 2f).ToArray();
            var yExpected = new double[x.Length];
            var meanExpected = KernelAssert.ToDouble(runningMean);
            var varExpected = KernelAssert.ToDouble(runningVar);
            ReferenceBatchNorm.ForwardTraining<double>(n, c, plane, KernelAssert.ToDouble(x), KernelAssert.ToDouble(gamma), KernelAssert.ToDouble(beta), yExpected, meanExpected, varExpected, 0.1, 1e-5);
            var y = new float[x.Length];
            BatchNorm2d.ForwardTraining(n, c, plane, x, gamma, beta, y, new float[c], new float[c], runningMean, runningVar, 0.1f, 1e-5f, new double[2 * c], path);
            KernelAssert.Close(yExpected, y, 1e-4, 1e-4, $"bn y {n}×{c}×{plane}");
            KernelAssert.Close(meanExpected, runningMean, 1e-5, 1e-6, "running mean");
            KernelAssert.Close(varExpected, runningVar, 1e-5, 1e-6, "running var");
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Backward_matches_finite_differences_of_the_training_forward(CpuPath path)
    {
        foreach (var (n, c, plane) in Shapes)
        {
            var x = KernelAssert.Random(n * c * plane, 6, 2f);
            var gamma = KernelAssert.Random(c, 7);
            var beta = KernelAssert.Random(c, 8);
            var r = KernelAssert.Random(x.Length, 9);
            var mean = new float[c];
            var invStd = new float[c];
            var y = new float[x.Length];
            BatchNorm2d.ForwardTraining(n, c, plane, x, gamma, beta, y, mean, invStd, new float[c], new float[c], 0.1f, 1e-5f, new double[2 * c], path);
            var dx = new float[x.Length];
            var dGamma = new float[c];
            var dBeta = new float[c];
            BatchNorm2d.Backward(n, c, plane, x, r, gamma, mean, invStd, dx, dGamma, dBeta, false, new double[2 * c], path);

            var xd = KernelAssert.ToDouble(x);
            var gd = KernelAssert.ToDouble(gamma);
            var bd = KernelAssert.ToDouble(beta);
            double Loss(double[] xv, double[] gv, double[] bv)
            {
                var yv = new double[xv.Length];
                ReferenceBatchNorm.ForwardTraining<double>(n, c, plane, xv, gv, bv, yv, new double[c], new double[c], 0.1, 1e-5);
                return KernelAssert.Dot(yv, KernelAssert.ToDouble(r));
            }
            KernelAssert.Close(KernelAssert.NumericalGradient(v => Loss(v, gd, bd), xd), dx, 1e-3, 1e-4, $"bn dx {n}×{c}×{plane}");
            KernelAssert.Close(KernelAssert.NumericalGradient(v => Loss(xd, v, bd), gd), dGamma, 1e-4, 1e-4, "bn dγ");
            KernelAssert.Close(KernelAssert.NumericalGradient(v => Loss(xd, gd, v), bd), dBeta, 1e-4, 1e-4, "bn dβ");
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Inference_uses_the_running_statistics(CpuPath path)
    {
        int n = 3, c = 4, plane = 10;
        var x = KernelAssert.Random(n * c * plane, 10);
        var gamma = KernelAssert.Random(c, 11);
        var beta = KernelAssert.Random(c, 12);
        var mean = KernelAssert.Random(c, 13);
        var variance = KernelAssert.Random(c, 14).Select(v => v + 1.5f).ToArray();
        var expected = new double[x.Length];
        ReferenceBatchNorm.ForwardInference<double>(n, c, plane, KernelAssert.ToDouble(x), KernelAssert.ToDouble(gamma), KernelAssert.ToDouble(beta), KernelAssert.ToDouble(mean), KernelAssert.ToDouble(variance), 1e-5, expected);
        var y = new float[x.Length];
        BatchNorm2d.ForwardInference(n, c, plane, x, gamma, beta, mean, variance, 1e-5f, y, path);
        KernelAssert.Close(expected, y, 1e-5, 1e-6, "bn eval");
    }

    [Fact]
    public void Two_half_batches_combined_through_sums_equal_the_whole_batch()
    {
        int n = 6, c = 3, plane = 11, half = 3;
        var x = KernelAssert.Random(n * c * plane, 15, 2f);
        var dy = KernelAssert.Random(x.Length, 16);
        var gamma = KernelAssert.Random(c, 17);
        var beta = KernelAssert.Random(c, 18);
        float[] mean = new float[c], invStd = new float[c], rm = new float[c], rv = Enumerable.Repeat(1f, c).ToArray();
        var y = new float[x.Length];
        BatchNorm2d.ForwardTraining(n, c, plane, x, gamma, beta, y, mean, invStd, rm, rv, 0.1f, 1e-5f, new double[2 * c]);
        float[] dx = new float[x.Length], dGamma = new float[c], dBeta = new float[c];
        BatchNorm2d.Backward(n, c, plane, x, dy, gamma, mean, invStd, dx, dGamma, dBeta, false, new double[2 * c]);

        var first = x.AsSpan(0, half * c * plane);
        var second = x.AsSpan(half * c * plane);
        double[] sum = new double[c], sumSquares = new double[c];
        BatchNorm2d.Sums(half, c, plane, first, sum, sumSquares, accumulate: false);
        BatchNorm2d.Sums(n - half, c, plane, second, sum, sumSquares, accumulate: true);
        float[] splitMean = new float[c], splitInvStd = new float[c], splitRm = new float[c], splitRv = Enumerable.Repeat(1f, c).ToArray();
        BatchNorm2d.Statistics((long)n * plane, sum, sumSquares, 1e-5f, 0.1f, splitMean, splitInvStd, splitRm, splitRv);
        var splitY = new float[x.Length];
        BatchNorm2d.Normalize(half, c, plane, first, gamma, beta, splitMean, splitInvStd, splitY);
        BatchNorm2d.Normalize(n - half, c, plane, second, gamma, beta, splitMean, splitInvStd, splitY.AsSpan(half * c * plane));

        double[] sumDy = new double[c], sumDyXhat = new double[c];
        var dyFirst = dy.AsSpan(0, half * c * plane);
        var dySecond = dy.AsSpan(half * c * plane);
        BatchNorm2d.GradientSums(half, c, plane, first, dyFirst, splitMean, splitInvStd, sumDy, sumDyXhat, accumulate: false);
        BatchNorm2d.GradientSums(n - half, c, plane, second, dySecond, splitMean, splitInvStd, sumDy, sumDyXhat, accumulate: true);
        float[] splitDx = new float[x.Length], splitDGamma = new float[c], splitDBeta = new float[c];
        BatchNorm2d.ParameterGradients(sumDy, sumDyXhat, splitDGamma, splitDBeta, false);
        BatchNorm2d.BackwardData(half, c, plane, first, dyFirst, gamma, splitMean, splitInvStd, (long)n * plane, sumDy, sumDyXhat, splitDx, false);
        BatchNorm2d.BackwardData(n - half, c, plane, second, dySecond, gamma, splitMean, splitInvStd, (long)n * plane, sumDy, sumDyXhat, splitDx.AsSpan(half * c * plane), false);

        KernelAssert.Close(KernelAssert.ToDouble(y), splitY, 1e-6, 1e-6, "split y");
        KernelAssert.Close(KernelAssert.ToDouble(rv), splitRv, 1e-6, 1e-7, "split running var");
        KernelAssert.Close(KernelAssert.ToDouble(dx), splitDx, 1e-5, 1e-6, "split dx");
        KernelAssert.Close(KernelAssert.ToDouble(dGamma), splitDGamma, 1e-6, 1e-6, "split dγ");
        KernelAssert.Close(KernelAssert.ToDouble(dBeta), splitDBeta, 1e-6, 1e-6, "split dβ");
    }

    [Fact]
    public void One_value_per_channel_cannot_train()
        => Assert.Throws<ArgumentException>(() => BatchNorm2d.ForwardTraining(1, 2, 1, new float[2], new float[2], new float[2], new float[2], new float[2], new float[2], new float[2], new float[2], 0.1f, 1e-5f, new double[4]));
}
