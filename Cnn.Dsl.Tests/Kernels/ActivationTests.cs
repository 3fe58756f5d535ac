using System;
using System.Linq;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Kernels.Reference;

namespace Cnn.Dsl.Tests.Kernels;

public class ActivationTests
{
    public static TheoryData<CpuPath> Paths => KernelAssert.Paths();

    private delegate void Forward(ReadOnlySpan<float> x, Span<float> y, CpuPath path);

    private delegate void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, CpuPath path);

    /// <summary>Each activation: kernel forward, kernel backward (given x and y, using what it documents), reference.</summary>
    private static readonly (string Name, Forward F, Backward B, Func<double, double> Reference)[] Cases =
    [
        ("relu", Activations.Relu, (x, y, dy, dx, p) => Activations.ReluBackward(y, dy, dx, p), ReferenceActivations.Relu),
        ("leaky", (x, y, p) => Activations.LeakyRelu(x, y, 0.01f, p), (x, y, dy, dx, p) => Activations.LeakyReluBackward(x, dy, dx, 0.01f, p), v => ReferenceActivations.LeakyRelu(v, 0.01)),
        ("elu", (x, y, p) => Activations.Elu(x, y, 1.3f, p), (x, y, dy, dx, p) => Activations.EluBackward(y, dy, dx, 1.3f, p), v => ReferenceActivations.Elu(v, 1.3)),
        ("tanh", Activations.Tanh, (x, y, dy, dx, p) => Activations.TanhBackward(y, dy, dx, p), ReferenceActivations.Tanh),
        ("sigmoid", Activations.Sigmoid, (x, y, dy, dx, p) => Activations.SigmoidBackward(y, dy, dx, p), ReferenceActivations.Sigmoid),
        ("gelu", Activations.Gelu, (x, y, dy, dx, p) => Activations.GeluBackward(x, dy, dx, p), ReferenceActivations.Gelu),
    ];

    private static float[] Inputs(int length)
        => KernelAssert.Random(length, 1, 6f).Concat([0f, -0f, 1e-4f, -1e-4f, 9f, -9f, 30f, -30f, 1e-30f]).ToArray();

    [Theory]
    [MemberData(nameof(Paths))]
    public void Forward_and_backward_match_the_formulas_and_finite_differences(CpuPath path)
    {
        foreach (var length in new[] { 1, 3, 7, 17, 33, 100 })
        {
            var x = Inputs(length);
            var dy = KernelAssert.Random(x.Length, 2);
            foreach (var (name, forward, backward, reference) in Cases)
            {
                var y = new float[x.Length];
                forward(x, y, path);
                KernelAssert.Close(x.Select(v => reference(v)).ToArray(), y, 2e-6, 2e-7, $"{path} {name}");
                var dx = new float[x.Length];
                backward(x, y, dy, dx, path);
                var h = 1e-6;
                var numeric = x.Select((v, i) => (Math.Abs(v) < 2 * h && name is "relu" or "leaky" or "elu") ? dx[i] : dy[i] * (reference(v + h) - reference(v - h)) / (2 * h)).ToArray();
                KernelAssert.Close(numeric, dx, 1e-4, 1e-6, $"{path} {name}'");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Activations_run_in_place(CpuPath path)
    {
        var x = Inputs(40);
        var expected = new float[x.Length];
        Activations.Gelu(x, expected, path);
        Activations.Gelu(x, x, path);
        Assert.Equal(expected, x);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Softmax_rows_sum_to_one_and_the_backward_matches_finite_differences(CpuPath path)
    {
        int rows = 3, columns = 11;
        var x = KernelAssert.Random(rows * columns, 3, 20f);
        var y = new float[x.Length];
        var expected = new double[x.Length];
        ReferenceActivations.Softmax<double>(rows, columns, KernelAssert.ToDouble(x), expected);
        Activations.Softmax(rows, columns, x, y, path);
        KernelAssert.Close(expected, y, 1e-5, 1e-7, "softmax");
        var r = KernelAssert.Random(x.Length, 4);
        var dx = new float[x.Length];
        Activations.SoftmaxBackward(rows, columns, y, r, dx, path);
        var numeric = KernelAssert.NumericalGradient(
            xv =>
            {
                var yv = new double[xv.Length];
                ReferenceActivations.Softmax<double>(rows, columns, xv, yv);
                return KernelAssert.Dot(yv, KernelAssert.ToDouble(r));
            },
            KernelAssert.ToDouble(x));
        KernelAssert.Close(numeric, dx, 1e-4, 1e-6, "softmax dx");
    }

    [Fact]
    public void Reference_erf_matches_known_values()
    {
        Assert.Equal(0.8427007929497149, ReferenceActivations.Erf(1.0), 14);
        Assert.Equal(-0.9953222650189527, ReferenceActivations.Erf(-2.0), 14);
        Assert.Equal(0.9999779095030014, ReferenceActivations.Erf(3.0), 14);
        Assert.Equal(0.9999999845827421, ReferenceActivations.Erf(4.0), 14);
        Assert.Equal(0.0, ReferenceActivations.Erf(0.0), 15);
    }
}
