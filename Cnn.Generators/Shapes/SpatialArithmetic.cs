using System;

namespace Cnn.Generators.Shapes;

/// <summary>
/// PyTorch's output-size arithmetic along one spatial dimension, and the saturating counts
/// shape inference needs. Everything is in <c>long</c>: arguments are any <c>int</c> a user can
/// write, so <c>in + 2·pad</c> or <c>dilation·(kernel − 1)</c> must not wrap around.
/// </summary>
internal static class SpatialArithmetic
{
    /// <summary>Division rounding toward −∞ (C# rounds toward 0, which would turn a too-large kernel's −0.5 into 0 and its output into 1).</summary>
    public static long FloorDiv(long numerator, long denominator)
    {
        var quotient = numerator / denominator;
        return numerator % denominator != 0 && (numerator < 0) != (denominator < 0) ? quotient - 1 : quotient;
    }

    /// <summary>Rows a dilated kernel spans: <c>dilation·(kernel − 1) + 1</c>.</summary>
    public static long EffectiveKernel(long kernel, long dilation) => dilation * (kernel - 1) + 1;

    /// <summary><c>nn.Conv2d</c>: <c>floor((in + 2·pad − dilation·(kernel − 1) − 1) / stride) + 1</c>.</summary>
    public static long ConvOutput(long input, long kernel, long stride, long pad, long dilation) =>
        FloorDiv(input + 2 * pad - EffectiveKernel(kernel, dilation), stride) + 1;

    /// <summary><c>nn.ConvTranspose2d</c> with dilation 1: <c>(in − 1)·stride − 2·pad + (kernel − 1) + outputPad + 1</c>.</summary>
    public static long TransposedOutput(long input, long kernel, long stride, long pad, long outputPad) =>
        (input - 1) * stride - 2 * pad + (kernel - 1) + outputPad + 1;

    /// <summary>
    /// <c>nn.MaxPool2d</c>/<c>nn.AvgPool2d</c> (PyTorch's <c>pooling_output_shape</c>): floor or
    /// ceiling of <c>(in + 2·pad − size) / stride</c>, plus one; in ceiling mode the last window
    /// is dropped when it would start in the right padding.
    /// </summary>
    public static long PoolOutput(long input, long size, long stride, long pad, bool ceilMode)
    {
        var output = FloorDiv(input + 2 * pad - size + (ceilMode ? stride - 1 : 0), stride) + 1;
        if (ceilMode && (output - 1) * stride >= input + pad)
        {
            output--;
        }
        return output;
    }

    /// <summary>
    /// Input rows (not padding) after the end of the last window, which no window reads.
    /// Windows start at padded row 0, <c>stride</c>, …; the real rows are <c>pad … pad + in − 1</c>.
    /// </summary>
    public static long UnreadTrailingRows(long input, long window, long stride, long pad, long outputs) =>
        Math.Max(0, pad + input - 1 - ((outputs - 1) * stride + window - 1));

    /// <summary>
    /// Whether the windows stop short of the input's end by more than a stride's normal gap: a
    /// window narrower than its stride skips <c>stride − window</c> rows between windows by
    /// design (a 1×1 convolution at stride 2), so only rows beyond that gap are silently lost.
    /// </summary>
    public static bool DropsRows(long input, long window, long stride, long pad, long outputs) =>
        UnreadTrailingRows(input, window, stride, pad, outputs) > Math.Max(0, stride - window);

    /// <summary><c>a·b</c> for non-negative counts, saturating at <see cref="long.MaxValue"/>.</summary>
    public static long Multiply(long a, long b)
    {
        if (a <= 0 || b <= 0)
        {
            return 0;
        }
        return a > long.MaxValue / b ? long.MaxValue : a * b;
    }

    /// <summary><c>a·b·c·…</c> for non-negative counts, saturating.</summary>
    public static long Multiply(params long[] factors)
    {
        var product = 1L;
        foreach (var factor in factors)
        {
            product = Multiply(product, factor);
        }
        return product;
    }

    /// <summary><c>a + b</c> for non-negative counts, saturating at <see cref="long.MaxValue"/>.</summary>
    public static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}
