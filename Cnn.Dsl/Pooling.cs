using System;

namespace Cnn.Dsl;

/// <summary>
/// Max pooling, PyTorch's <c>nn.MaxPool2d</c>: the largest value of each size×size window,
/// per channel. <c>H' = floor((H + 2·pad − size) / stride) + 1</c> (ceiling with
/// <c>ceilMode</c>). Padding is −∞, so it never wins.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPoolAttribute : LayerAttribute
{
    /// <summary>A square max pooling window.</summary>
    /// <param name="size">Window height and width.</param>
    /// <param name="stride">Step between windows; 0, the default, means <paramref name="size"/> (PyTorch's <c>None</c>).</param>
    /// <param name="pad">Padding on every side; at most half the window.</param>
    /// <param name="ceilMode">Round the output size up instead of down, as PyTorch's <c>ceil_mode</c>.</param>
    public MaxPoolAttribute(int size, int stride = 0, int pad = 0, bool ceilMode = false)
    {
        Size = size;
        Stride = stride;
        Pad = pad;
        CeilMode = ceilMode;
    }

    /// <summary>Window height and width.</summary>
    public int Size { get; }

    /// <summary>Step between windows (0 means the window size).</summary>
    public int Stride { get; }

    /// <summary>Padding on every side.</summary>
    public int Pad { get; }

    /// <summary>Whether the output size rounds up.</summary>
    public bool CeilMode { get; }
}

/// <summary>
/// Average pooling, PyTorch's <c>nn.AvgPool2d</c> (with <c>count_include_pad=True</c>): the mean
/// of each size×size window, per channel, padding counted as zeros. Same output size rule as
/// <see cref="MaxPoolAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPoolAttribute : LayerAttribute
{
    /// <summary>A square average pooling window.</summary>
    /// <param name="size">Window height and width.</param>
    /// <param name="stride">Step between windows; 0, the default, means <paramref name="size"/>.</param>
    /// <param name="pad">Zero padding on every side; at most half the window.</param>
    /// <param name="ceilMode">Round the output size up instead of down.</param>
    public AvgPoolAttribute(int size, int stride = 0, int pad = 0, bool ceilMode = false)
    {
        Size = size;
        Stride = stride;
        Pad = pad;
        CeilMode = ceilMode;
    }

    /// <summary>Window height and width.</summary>
    public int Size { get; }

    /// <summary>Step between windows (0 means the window size).</summary>
    public int Stride { get; }

    /// <summary>Padding on every side.</summary>
    public int Pad { get; }

    /// <summary>Whether the output size rounds up.</summary>
    public bool CeilMode { get; }
}

/// <summary>
/// Global average pooling: C×H×W → C×1×1, the mean of each channel
/// (PyTorch's <c>nn.AdaptiveAvgPool2d(1)</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAvgPoolAttribute : LayerAttribute
{
}
