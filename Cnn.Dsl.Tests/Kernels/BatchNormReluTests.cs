using System;
using System.Linq;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Kernels.Reference;

namespace Cnn.Dsl.Tests.Kernels;

/// <summary>BatchNorm with the ReLU after it fused in (the generator's BatchNorm+ReLU step).</summary>
public class BatchNormReluTests
{
    public static TheoryData<CpuPath> Paths => KernelAssert.Paths();

    private static readonly (int N, int C, int Plane)[] Shapes = [(2, 3, 17), (3, 1, 33), (5, 4, 1), (1, 2, 49), (4, 7, 3), (2, 2, 64)];

    [Theory]
    [MemberData(nameof(Paths))]
    public void Forward_is_the_relu_of_the_plain_normalization(CpuPath path)
    {
        foreach (var (n, c, plane) in Shapes)
        {
            var x = KernelAssert.Random(n * c * plane, 1, 2f);
            var gamma = KernelAssert.Random(c, 2);
            var beta = KernelAssert.Random(c, 3);
            var mean = KernelAssert.Random(c, 4);
            var invStd = KernelAssert.Random(c, 5).Select(v => v + 1.5f).ToArray();
            var plain = new float[x.Length];
            var fused = new float[x.Length];
            BatchNorm2d.Normalize(n, c, plane, x, gamma, beta, mean, invStd, plain, path);
            BatchNorm2d.NormalizeRelu(n, c, plane, x, gamma, beta, mean, invStd, fused, path);
            Assert.Equal(plain.Select(v => Math.Max(v, 0f)), fused);
            Assert.Contains(fused, v => v == 0f);
            Assert.Contains(fused, v => v > 0f);

            var variance = invStd.Select(v => 1f / (v * v)).ToArray();
            BatchNorm2d.ForwardInference(n, c, plane, x, gamma, beta, mean, variance, 1e-5f, plain, path);
            BatchNorm2d.ForwardInferenceRelu(n, c, plane, x, gamma, beta, mean, variance, 1e-5f, fused, path);
            Assert.Equal(plain.Select(v => Math.Max(v, 0f)), fused);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Backward_matches_finite_differences_of_relu_after_the_training_forward(CpuPath path)
    {
        foreach (var (n, c, plane) in Shapes.Where(s => s.N * s.Plane > 1))
        {
            var (x, gamma, beta, y, mean, invStd) = TrainingForward(n, c, plane, seed: 6, path);
            var r = KernelAssert.Random(x.Length, 9);
            var (dx, dGamma, dBeta) = FusedBackward(n, c, plane, x, y, r, gamma, mean, invStd, accumulateOnto: null, path);

            var xd = KernelAssert.ToDouble(x);
            var gd = KernelAssert.ToDouble(gamma);
            var bd = KernelAssert.ToDouble(beta);
            double Loss(double[] xv, double[] gv, double[] bv)
            {
                var yv = new double[xv.Length];
                ReferenceBatchNorm.ForwardTraining<double>(n, c, plane, xv, gv, bv, yv, new double[c], new double[c], 0.1, 1e-5);
                return KernelAssert.Dot(yv.Select(v => Math.Max(v, 0.0)).ToArray(), KernelAssert.ToDouble(r));
            }
            KernelAssert.Close(KernelAssert.NumericalGradient(v => Loss(v, gd, bd), xd), dx, 1e-3, 1e-4, $"bn+relu dx {n}×{c}×{plane}");
            KernelAssert.Close(KernelAssert.NumericalGradient(v => Loss(xd, v, bd), gd), dGamma, 1e-4, 1e-4, "bn+relu dγ");
            KernelAssert.Close(KernelAssert.NumericalGradient(v => Loss(xd, gd, v), bd), dBeta, 1e-4, 1e-4, "bn+relu dβ");
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Backward_equals_the_plain_backward_of_the_gated_gradient_and_accumulates(CpuPath path)
    {
        foreach (var (n, c, plane) in Shapes.Where(s => s.N * s.Plane > 1))
        {
            var (x, gamma, _, y, mean, invStd) = TrainingForward(n, c, plane, seed: 10, path);
            var dy = KernelAssert.Random(x.Length, 13);
            var gated = new float[x.Length];
            Activations.ReluBackward(y, dy, gated, path);
            float[] dx = new float[x.Length], dGamma = new float[c], dBeta = new float[c];
            BatchNorm2d.Backward(n, c, plane, x, gated, gamma, mean, invStd, dx, dGamma, dBeta, false, new double[2 * c], path);

            var fused = FusedBackward(n, c, plane, x, y, dy, gamma, mean, invStd, accumulateOnto: null, path);
            KernelAssert.Close(KernelAssert.ToDouble(dx), fused.Dx, 1e-5, 1e-6, "dx");
            KernelAssert.Close(KernelAssert.ToDouble(dGamma), fused.DGamma, 1e-5, 1e-6, "dγ");
            KernelAssert.Close(KernelAssert.ToDouble(dBeta), fused.DBeta, 1e-5, 1e-6, "dβ");

            var earlier = KernelAssert.Random(x.Length, 14);
            var added = FusedBackward(n, c, plane, x, y, dy, gamma, mean, invStd, accumulateOnto: earlier, path);
            KernelAssert.Close(earlier.Zip(dx, (e, d) => (double)e + d).ToArray(), added.Dx, 1e-5, 1e-6, "accumulated dx");
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Backward_with_the_gate_recomputed_from_x_is_the_gated_backward_bit_for_bit(CpuPath path)
    {
        foreach (var (n, c, plane) in Shapes.Where(s => s.N * s.Plane > 1))
        {
            var (x, gamma, beta, _, mean, invStd) = TrainingForward(n, c, plane, seed: 20, path);
            // The ReLU's output as the fused forward writes it: the gate the recomputation must reproduce.
            var y = new float[x.Length];
            BatchNorm2d.NormalizeRelu(n, c, plane, x, gamma, beta, mean, invStd, y, path);
            Assert.Contains(y, v => v == 0f);
            Assert.Contains(y, v => v > 0f);
            var dy = KernelAssert.Random(x.Length, 23);
            double[] sumDy = new double[c], sumDyXhat = new double[c], recomputedDy = new double[c], recomputedDyXhat = new double[c];
            BatchNorm2d.GradientSumsRelu(n, c, plane, x, y, dy, mean, invStd, sumDy, sumDyXhat, accumulate: false, path);
            BatchNorm2d.InputGatedGradientSums(n, c, plane, x, dy, gamma, beta, mean, invStd, recomputedDy, recomputedDyXhat, path);
            Assert.Equal(sumDy, recomputedDy);
            Assert.Equal(sumDyXhat, recomputedDyXhat);

            float[] dx = new float[x.Length], recomputed = KernelAssert.Random(x.Length, 24);
            BatchNorm2d.BackwardDataRelu(n, c, plane, x, y, dy, gamma, mean, invStd, (long)n * plane, sumDy, sumDyXhat, dx, accumulate: false, path);
            BatchNorm2d.InputGatedBackwardData(n, c, plane, x, dy, gamma, beta, mean, invStd, (long)n * plane, sumDy, sumDyXhat, recomputed, path);
            Assert.Equal(dx, recomputed);
        }
    }

    /// <summary>Random x, γ, β (seeds <paramref name="seed"/> to seed + 2) and the training forward with its ReLU: y, mean, 1/σ.</summary>
    private static (float[] X, float[] Gamma, float[] Beta, float[] Y, float[] Mean, float[] InvStd) TrainingForward(int n, int c, int plane, int seed, CpuPath path)
    {
        var x = KernelAssert.Random(n * c * plane, seed, 2f);
        var gamma = KernelAssert.Random(c, seed + 1);
        var beta = KernelAssert.Random(c, seed + 2);
        float[] mean = new float[c], invStd = new float[c], y = new float[x.Length];
        BatchNorm2d.ForwardTraining(n, c, plane, x, gamma, beta, y, mean, invStd, new float[c], new float[c], 0.1f, 1e-5f, new double[2 * c], path);
        Activations.Relu(y, y, path);
        return (x, gamma, beta, y, mean, invStd);
    }

    private static (float[] Dx, float[] DGamma, float[] DBeta) FusedBackward(int n, int c, int plane, float[] x, float[] y, float[] dy, float[] gamma,
        float[] mean, float[] invStd, float[]? accumulateOnto, CpuPath path)
    {
        double[] sumDy = new double[c], sumDyXhat = new double[c];
        var half = n / 2;
        var split = half * c * plane;
        // Two parts combined through the sums, as two workers do.
        BatchNorm2d.GradientSumsRelu(half, c, plane, x, y, dy, mean, invStd, sumDy, sumDyXhat, accumulate: false, path);
        BatchNorm2d.GradientSumsRelu(n - half, c, plane, x.AsSpan(split), y.AsSpan(split), dy.AsSpan(split), mean, invStd, sumDy, sumDyXhat, accumulate: true, path);
        float[] dGamma = new float[c], dBeta = new float[c];
        BatchNorm2d.ParameterGradients(sumDy, sumDyXhat, dGamma, dBeta, accumulate: false);
        var dx = accumulateOnto?.ToArray() ?? new float[x.Length];
        BatchNorm2d.BackwardDataRelu(n, c, plane, x, y, dy, gamma, mean, invStd, (long)n * plane, sumDy, sumDyXhat, dx, accumulateOnto is not null, path);
        return (dx, dGamma, dBeta);
    }
}
