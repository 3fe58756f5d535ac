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

    /// <summary>
    /// Geometries for the vector paths against the scalar one: 2×2/2 on outputs under, at and past 8 and 16 wide (the
    /// paired kernels, one and two output rows per step), odd heights, ceil mode, padding, strides 1–3, windows 1–5,
    /// outputs past 16 wide (several steps per row) and several planes.
    /// </summary>
    private static readonly (int N, PoolGeometry G)[] PathCases =
    [
        (1, new PoolGeometry(3, 14, 14, 2)),
        (1, new PoolGeometry(2, 28, 28, 2)),
        (1, new PoolGeometry(2, 10, 10, 2)),
        (2, new PoolGeometry(2, 15, 17, 2)),
        (1, new PoolGeometry(2, 16, 16, 2)),
        (1, new PoolGeometry(1, 9, 40, 2)),
        (1, new PoolGeometry(2, 7, 7, 2, ceilMode: true)),
        (1, new PoolGeometry(2, 13, 13, 3, stride: 2, pad: 1)),
        (2, new PoolGeometry(2, 15, 15, 3, stride: 2, ceilMode: true)),
        (1, new PoolGeometry(2, 16, 35, 3, stride: 2, pad: 1)),
        (1, new PoolGeometry(2, 13, 13, 2, stride: 1)),
        (1, new PoolGeometry(2, 6, 5, 3, stride: 1, pad: 1)),
        (1, new PoolGeometry(1, 9, 37, 3, stride: 1, pad: 1)),
        (1, new PoolGeometry(2, 12, 12, 4, stride: 2, pad: 2, ceilMode: true)),
        (1, new PoolGeometry(2, 11, 11, 5, stride: 2, pad: 2)),
        (1, new PoolGeometry(1, 17, 17, 3, stride: 3, pad: 1, ceilMode: true)),
        (1, new PoolGeometry(2, 4, 4, 1, stride: 2)),
        (1, new PoolGeometry(1, 3, 3, 2, stride: 2, pad: 1, ceilMode: true)),
    ];

    /// <summary>Values with ties (a few levels), NaNs and infinities, so the first-maximum and NaN rules are exercised.</summary>
    private static float[] Awkward(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => random.Next(12) switch
        {
            0 => float.NaN,
            1 => float.NegativeInfinity,
            2 => float.PositiveInfinity,
            _ => random.Next(5) - 2f,
        }).ToArray();
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Max_pool_values_and_indices_equal_the_scalar_path_exactly_with_ties_and_nans(CpuPath path)
    {
        foreach (var (n, g) in PathCases.Concat(Cases))
        {
            foreach (var seed in new[] { 1, 2, 3 })
            {
                var x = Awkward(n * g.InputLength, seed);
                var expected = new float[n * g.OutputLength];
                var expectedIndices = new int[expected.Length];
                MaxPool2d.Forward(g, n, x, expected, expectedIndices, CpuPath.Scalar);
                // Stale values past the output must survive (masked stores), and inference passes no indices.
                var y = Enumerable.Repeat(7f, expected.Length + 17).ToArray();
                var indices = Enumerable.Repeat(-9, expected.Length + 17).ToArray();
                MaxPool2d.Forward(g, n, x, y, indices, path);
                var context = $"{path} maxpool {g.Channels}×{g.InHeight}×{g.InWidth} k{g.Size} s{g.Stride} p{g.Pad} ceil {g.CeilMode}";
                Assert.True(expected.AsSpan().SequenceEqual(y.AsSpan(0, expected.Length)), context);
                Assert.Equal(expectedIndices, indices.Take(expected.Length).ToArray());
                Assert.All(y.Skip(expected.Length), v => Assert.Equal(7f, v));
                Assert.All(indices.Skip(expected.Length), v => Assert.Equal(-9, v));
                var inference = new float[expected.Length];
                MaxPool2d.Forward(g, n, x, inference, [], path);
                Assert.True(expected.AsSpan().SequenceEqual(inference), context + " without indices");
            }
        }
    }

    /// <summary>
    /// The backward passes of every path against the scalar scatter: the vector gather visits each input's windows in the
    /// scatter's order, so the sums are equal (overwriting, and adding into stale gradients), overlapping windows included.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void Backward_passes_equal_the_scalar_scatter(CpuPath path)
    {
        foreach (var (n, g) in PathCases.Concat(Cases))
        {
            var x = Distinct(n * g.InputLength, 5);
            var argmax = new int[n * g.OutputLength];
            MaxPool2d.Forward(g, n, x, new float[argmax.Length], argmax, CpuPath.Scalar);
            var dy = KernelAssert.Random(argmax.Length, 6);
            var context = $"{path} pool backward {g.Channels}×{g.InHeight}×{g.InWidth} k{g.Size} s{g.Stride} p{g.Pad} ceil {g.CeilMode}";
            foreach (var accumulate in new[] { false, true })
            {
                var stale = KernelAssert.Random(x.Length + 5, 7);
                var expected = stale.ToArray();
                var actual = stale.ToArray();
                MaxPool2d.Backward(g, n, dy, argmax, expected, accumulate, CpuPath.Scalar);
                MaxPool2d.Backward(g, n, dy, argmax, actual, accumulate, path);
                KernelAssert.Close(KernelAssert.ToDouble(expected), actual, 0, 0, $"max {context} accumulate {accumulate}");
                expected = stale.ToArray();
                actual = stale.ToArray();
                AvgPool2d.Backward(g, n, dy, expected, accumulate, CpuPath.Scalar);
                AvgPool2d.Backward(g, n, dy, actual, accumulate, path);
                KernelAssert.Close(KernelAssert.ToDouble(expected), actual, 0, 0, $"avg {context} accumulate {accumulate}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Average_pool_forward_equals_the_scalar_path(CpuPath path)
    {
        foreach (var (n, g) in PathCases.Concat(Cases))
        {
            var x = KernelAssert.Random(n * g.InputLength, 8);
            var expected = new float[n * g.OutputLength];
            AvgPool2d.Forward(g, n, x, expected, CpuPath.Scalar);
            var y = Enumerable.Repeat(7f, expected.Length + 17).ToArray();
            AvgPool2d.Forward(g, n, x, y, path);
            KernelAssert.Close(KernelAssert.ToDouble(expected), y, 0, 0, $"{path} avgpool {g.Channels}×{g.InHeight}×{g.InWidth} k{g.Size} s{g.Stride} p{g.Pad} ceil {g.CeilMode}");
            Assert.All(y.Skip(expected.Length), v => Assert.Equal(7f, v));
        }
    }
}
