using System;
using System.Linq;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Kernels.Reference;

namespace Cnn.Dsl.Tests.Kernels;

public class PoolTests
{
    public static TheoryData<CpuPath> Paths => KernelAssert.Paths();

    private static readonly (int N, PoolGeometry G)[] Cases =
    [
        (2, new PoolGeometry(3, 8, 8, 2)),
        (1, new PoolGeometry(2, 7, 9, 3, stride: 2, pad: 1)),
        (2, new PoolGeometry(1, 7, 7, 2, ceilMode: true)),
        (1, new PoolGeometry(2, 17, 5, 3, stride: 2, pad: 1, ceilMode: true)),
        (1, new PoolGeometry(3, 5, 5, 5)),
        (3, new PoolGeometry(1, 1, 1, 1)),
        (1, new PoolGeometry(2, 33, 33, 3, stride: 1, pad: 1)),
        (1, new PoolGeometry(2, 5, 71, 2)),
        (2, new PoolGeometry(1, 4, 50, 2)),
    ];

    /// <summary>Finite differences cost a forward pass per input: only the smaller cases take them.</summary>
    private const int FiniteDifferenceLimit = 700;

    /// <summary>Distinct values, so the maximum of every window is unique and finite differences are exact.</summary>
    private static float[] Distinct(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(i => (float)i / length).OrderBy(_ => random.Next()).ToArray();
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Max_pool_matches_the_reference_values_and_indices_and_routes_gradients(CpuPath path)
    {
        foreach (var (n, g) in Cases)
        {
            var x = Distinct(n * g.InputLength, 1);
            var y = new float[n * g.OutputLength];
            var argmax = new int[y.Length];
            var yExpected = new double[y.Length];
            var argmaxExpected = new int[y.Length];
            ReferencePool.MaxForward<double>(g, n, KernelAssert.ToDouble(x), yExpected, argmaxExpected);
            MaxPool2d.Forward(g, n, x, y, argmax, path);
            KernelAssert.Close(yExpected, y, 0, 0, $"maxpool {g.Size}/{g.Stride}/{g.Pad}");
            Assert.Equal(argmaxExpected, argmax);

            if (x.Length > FiniteDifferenceLimit)
            {
                continue;
            }
            var r = KernelAssert.Random(y.Length, 2);
            var dx = new float[x.Length];
            MaxPool2d.Backward(g, n, r, argmax, dx, false, path);
            var numeric = KernelAssert.NumericalGradient(
                xv =>
                {
                    var yv = new double[y.Length];
                    ReferencePool.MaxForward<double>(g, n, xv, yv, new int[y.Length]);
                    return KernelAssert.Dot(yv, KernelAssert.ToDouble(r));
                },
                KernelAssert.ToDouble(x),
                0.25 / x.Length);
            KernelAssert.Close(numeric, dx, 1e-5, 1e-5, "maxpool dx");
        }
    }

    [Fact]
    public void Max_pool_lets_nan_through_and_never_picks_padding()
    {
        var g = new PoolGeometry(1, 2, 2, 2, stride: 1, pad: 1);
        var x = new float[] { -5, -6, float.NaN, -7 };
        var y = new float[g.OutputLength];
        MaxPool2d.Forward(g, 1, x, y, new int[y.Length]);
        Assert.Equal(-5f, y[0]);
        Assert.Equal(-6f, y[2]);
        Assert.True(float.IsNaN(y[3]) && float.IsNaN(y[7]));
        Assert.True(y.All(v => float.IsNaN(v) || v < 0));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Average_pool_counts_padding_as_pytorch_and_its_gradient_matches_finite_differences(CpuPath path)
    {
        foreach (var (n, g) in Cases)
        {
            var x = KernelAssert.Random(n * g.InputLength, 3);
            var y = new float[n * g.OutputLength];
            var yExpected = new double[y.Length];
            ReferencePool.AvgForward<double>(g, n, KernelAssert.ToDouble(x), yExpected);
            AvgPool2d.Forward(g, n, x, y, path);
            KernelAssert.Close(yExpected, y, 1e-5, 1e-6, "avgpool");

            if (x.Length > FiniteDifferenceLimit)
            {
                continue;
            }
            var r = KernelAssert.Random(y.Length, 4);
            foreach (var accumulate in new[] { false, true })
            {
                var dx = KernelAssert.Random(x.Length, 5);
                var expected = KernelAssert.NumericalGradient(
                    xv =>
                    {
                        var yv = new double[y.Length];
                        ReferencePool.AvgForward<double>(g, n, xv, yv);
                        return KernelAssert.Dot(yv, KernelAssert.ToDouble(r));
                    },
                    KernelAssert.ToDouble(x));
                if (accumulate)
                {
                    expected = expected.Zip(dx, (e, d) => e + d).ToArray();
                }
                AvgPool2d.Backward(g, n, r, dx, accumulate, path);
                KernelAssert.Close(expected, dx, 1e-5, 1e-6, "avgpool dx");
            }
        }
    }

    [Fact]
    public void Ceil_mode_output_sizes_follow_pytorch()
    {
        Assert.Equal(4, new PoolGeometry(1, 7, 7, 2, ceilMode: true).OutHeight);
        Assert.Equal(3, new PoolGeometry(1, 7, 7, 2).OutHeight);
        // The last window would start in the right padding: dropped (PyTorch: 6 + pad 1, size 2, stride 2 → 4, not 5).
        Assert.Equal(4, new PoolGeometry(1, 6, 6, 2, stride: 2, pad: 1, ceilMode: true).OutHeight);
        Assert.Equal(9, new PoolGeometry(1, 17, 5, 3, stride: 2, pad: 1, ceilMode: true).OutHeight);
        Assert.Throws<ArgumentException>(() => new PoolGeometry(1, 4, 4, 2, pad: 2));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Global_average_pool_and_its_gradient(CpuPath path)
    {
        int n = 3, channels = 5, plane = 7 * 7;
        var x = KernelAssert.Random(n * channels * plane, 6);
        var y = new float[n * channels];
        var expected = new double[y.Length];
        ReferencePool.GlobalAvgForward<double>(n, channels, plane, KernelAssert.ToDouble(x), expected);
        GlobalAvgPool2d.Forward(n, channels, plane, x, y, path);
        KernelAssert.Close(expected, y, 1e-5, 1e-6, "gap");
        var r = KernelAssert.Random(y.Length, 7);
        var dx = new float[x.Length];
        GlobalAvgPool2d.Backward(n, channels, plane, r, dx, false, path);
        var numeric = KernelAssert.NumericalGradient(
            xv =>
            {
                var yv = new double[y.Length];
                ReferencePool.GlobalAvgForward<double>(n, channels, plane, xv, yv);
                return KernelAssert.Dot(yv, KernelAssert.ToDouble(r));
            },
            KernelAssert.ToDouble(x));
        KernelAssert.Close(numeric, dx, 1e-5, 1e-7, "gap dx");
    }
}
