using System;

namespace Cnn.Runtime.Kernels;

/// <summary>Global average pooling (PyTorch's AdaptiveAvgPool2d(1)): [n, C, H, W] → [n, C].</summary>
public static class GlobalAvgPool2d
{
    /// <summary><c>y[n, c] = mean of x[n, c, ·, ·]</c>.</summary>
    /// <param name="n">Batch size.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Pixels per channel (H·W).</param>
    /// <param name="x">Input, [n, channels, plane].</param>
    /// <param name="y">Output, [n, channels].</param>
    /// <param name="path">The instruction set to use.</param>
    public static void Forward(int n, int channels, int plane, ReadOnlySpan<float> x, Span<float> y, CpuPath path = CpuPath.Auto)
    {
        for (var i = 0; i < n * channels; i++)
        {
            y[i] = Reductions.Sum(x.Slice(i * plane, plane), path) / plane;
        }
    }

    /// <summary><c>dx[n, c, ·] (+)= dy[n, c] / plane</c>.</summary>
    /// <param name="n">Batch size.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Pixels per channel (H·W).</param>
    /// <param name="dy">Output gradient, [n, channels].</param>
    /// <param name="dx">Input gradient, [n, channels, plane].</param>
    /// <param name="accumulate">Add into dx rather than overwrite it.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void Backward(int n, int channels, int plane, ReadOnlySpan<float> dy, Span<float> dx, bool accumulate, CpuPath path = CpuPath.Auto)
    {
        for (var i = 0; i < n * channels; i++)
        {
            var target = dx.Slice(i * plane, plane);
            var share = dy[i] / plane;
            if (accumulate)
            {
                Elementwise.Map(new AffineOp(1f, share), target, target, path);
            }
            else
            {
                target.Fill(share);
            }
        }
    }
}
