using System;
using Cnn.Runtime.Kernels;

namespace Cnn.Dsl.Tests.Kernels;

/// <summary>A residual join applying the BatchNorms it alone reads (<see cref="BatchNorm2d.NormalizedSum"/>): the separate passes' values, bit for bit.</summary>
public class BatchNormJoinTests
{
    public static TheoryData<CpuPath> Paths => KernelAssert.Paths();

    [Theory]
    [MemberData(nameof(Paths))]
    public void The_sum_of_mapped_sides_equals_the_batch_norm_passes_then_the_join(CpuPath path)
    {
        // Planes of whole vectors and planes with tails (per plane in the join, per tensor in the separate Add).
        foreach (var (n, channels, plane) in new[] { (2, 3, 64), (3, 2, 49), (1, 4, 7), (2, 5, 16) })
        {
            var length = n * channels * plane;
            var a = KernelAssert.Random(length, 1, 3f);
            var b = KernelAssert.Random(length, 2, 3f);
            float[] gammaA = KernelAssert.Random(channels, 3), betaA = KernelAssert.Random(channels, 4), gammaB = KernelAssert.Random(channels, 5),
                betaB = KernelAssert.Random(channels, 6), meanA = KernelAssert.Random(channels, 7), meanB = KernelAssert.Random(channels, 8);
            var spreadA = Array.ConvertAll(KernelAssert.Random(channels, 9), v => 0.5f + Math.Abs(v));
            var spreadB = Array.ConvertAll(KernelAssert.Random(channels, 10), v => 0.5f + Math.Abs(v));
            foreach (var relu in new[] { false, true })
            {
                foreach (var inference in new[] { false, true })
                {
                    // Separately: each side's BatchNorm pass (training's batch statistics, or inference's running ones), then the join.
                    float[] normalizedA = new float[length], normalizedB = new float[length], expected = new float[length], identity = new float[length];
                    if (inference)
                    {
                        BatchNorm2d.ForwardInference(n, channels, plane, a, gammaA, betaA, meanA, spreadA, 1e-5f, normalizedA, path);
                        BatchNorm2d.ForwardInference(n, channels, plane, b, gammaB, betaB, meanB, spreadB, 1e-3f, normalizedB, path);
                    }
                    else
                    {
                        BatchNorm2d.Normalized(n, channels, plane, a, gammaA, betaA, meanA, spreadA, normalizedA, relu: false, path);
                        BatchNorm2d.Normalized(n, channels, plane, b, gammaB, betaB, meanB, spreadB, normalizedB, relu: false, path);
                    }
                    Join(normalizedA, normalizedB, expected, relu, path);
                    Join(normalizedA, b, identity, relu, path);

                    var both = KernelAssert.Random(length, 11);
                    var one = KernelAssert.Random(length, 12);
                    if (inference)
                    {
                        BatchNorm2d.NormalizedSum(n, channels, plane, a, BatchNorm2d.ChannelAffine.Inference(gammaA, betaA, meanA, spreadA, 1e-5f), b,
                            BatchNorm2d.ChannelAffine.Inference(gammaB, betaB, meanB, spreadB, 1e-3f), both, relu, path);
                        BatchNorm2d.NormalizedSum(n, channels, plane, a, BatchNorm2d.ChannelAffine.Inference(gammaA, betaA, meanA, spreadA, 1e-5f), b,
                            BatchNorm2d.ChannelAffine.None, one, relu, path);
                    }
                    else
                    {
                        BatchNorm2d.NormalizedSum(n, channels, plane, a, BatchNorm2d.ChannelAffine.Training(gammaA, betaA, meanA, spreadA), b,
                            BatchNorm2d.ChannelAffine.Training(gammaB, betaB, meanB, spreadB), both, relu, path);
                        BatchNorm2d.NormalizedSum(n, channels, plane, a, BatchNorm2d.ChannelAffine.Training(gammaA, betaA, meanA, spreadA), b,
                            BatchNorm2d.ChannelAffine.None, one, relu, path);
                    }
                    Assert.Equal(expected, both);
                    Assert.Equal(identity, one);
                }
            }
        }
    }

    private static void Join(float[] a, float[] b, float[] y, bool relu, CpuPath path)
    {
        if (relu)
        {
            TensorOps.AddRelu(a, b, y, path);
        }
        else
        {
            TensorOps.Add(a, b, y, path);
        }
    }
}
