using System;

namespace Cnn.Dsl.Tests.Network;

/// <summary>Float comparisons with a relative tolerance and a floor for values near zero.</summary>
internal static class NumericAssert
{
    /// <summary>
    /// Every |actual − expected| ≤ relative·max(|expected|, scale), where scale is the largest
    /// |expected| times <paramref name="floor"/>, and at least 1e-3: values far below the tensor's
    /// magnitude are compared on the tensor's scale, since float32 sums cancel there, and a tensor
    /// that is zero in exact arithmetic (a bias feeding a BatchNorm) is allowed float32 rounding
    /// noise of the gradients that cancel into it (relative·1e-3, 1e-7 at 1e-4).
    /// </summary>
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relative, string what, double floor = 1e-2)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, got {actual.Length}");
        var largest = 0.0;
        foreach (var value in expected)
        {
            largest = Math.Max(largest, Math.Abs(value));
        }
        var scale = Math.Max(largest * floor, 1e-3);
        for (var i = 0; i < expected.Length; i++)
        {
            var tolerance = relative * Math.Max(Math.Abs(expected[i]), scale);
            if (!(Math.Abs(actual[i] - expected[i]) <= tolerance))
            {
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (tolerance {tolerance:G3})");
            }
        }
    }
}
