using System;
using System.Linq;
using Cnn.Runtime.Kernels;

namespace Cnn.Dsl.Tests.Kernels;

/// <summary>Random tensors, tolerance comparisons and finite differences shared by the kernel tests.</summary>
internal static class KernelAssert
{
    /// <summary>Every path this machine accelerates, as xunit data.</summary>
    public static TheoryData<CpuPath> Paths()
    {
        var data = new TheoryData<CpuPath>();
        foreach (var path in CpuPaths.Supported)
        {
            data.Add(path);
        }
        return data;
    }

    public static float[] Random(int length, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1) * scale).ToArray();
    }

    public static double[] ToDouble(ReadOnlySpan<float> values) => values.ToArray().Select(v => (double)v).ToArray();

    /// <summary>|actual − expected| ≤ atol + rtol·|expected| everywhere, naming the first index that fails.</summary>
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double rtol = 1e-4, double atol = 1e-5, string what = "")
    {
        Assert.True(actual.Length >= expected.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (var i = 0; i < expected.Length; i++)
        {
            var error = Math.Abs(actual[i] - expected[i]);
            if (!(error <= atol + (rtol * Math.Abs(expected[i]))))
            {
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (error {error:G3})");
            }
        }
    }

    /// <summary>Central differences of a scalar function in double: ∂f/∂xᵢ ≈ (f(x + hεᵢ) − f(x − hεᵢ)) / 2h.</summary>
    public static double[] NumericalGradient(Func<double[], double> f, double[] x, double h = 1e-5)
    {
        var gradient = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            var saved = x[i];
            x[i] = saved + h;
            var up = f(x);
            x[i] = saved - h;
            var down = f(x);
            x[i] = saved;
            gradient[i] = (up - down) / (2 * h);
        }
        return gradient;
    }

    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
