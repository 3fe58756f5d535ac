using System;
using System.Runtime.CompilerServices;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Average pooling over NCHW float32 (PyTorch's AvgPool2d with count_include_pad = true): the divisor is
/// the window's size clipped to the padded input, so padding counts as zeros but a ceil-mode window
/// hanging past the padding does not. On Vector512 the forward pass runs <see cref="PoolScan"/> (strides 1 and 2, each
/// window summed in the scalar order, so the results are equal) and the backward pass <see cref="PoolGather"/> (any stride).
/// </summary>
public static class AvgPool2d
{
    /// <summary><c>y = Σ window / divisor</c>.</summary>
    /// <param name="g">The pooling.</param>
    /// <param name="n">Batch size.</param>
    /// <param name="x">Input, [n, Channels, InHeight, InWidth].</param>
    /// <param name="y">Output, [n, Channels, OutHeight, OutWidth].</param>
    /// <param name="path">The instruction set to use.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Forward(in PoolGeometry g, int n, ReadOnlySpan<float> x, Span<float> y, CpuPath path = CpuPath.Auto)
    {
        MaxPool2d.Check(g, n, x.Length, y.Length);
        if (PoolTap.Supports(g, path))
        {
            fixed (float* xBase = x, yBase = y)
            {
                PoolScan.Run<AverageReduction>(g, n * g.Channels, xBase, yBase, null);
            }
            return;
        }
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        for (var plane = 0; plane < n * g.Channels; plane++)
        {
            var input = x.Slice(plane * inPlane, inPlane);
            var output = y.Slice(plane * outPlane, outPlane);
            for (var oh = 0; oh < g.OutHeight; oh++)
            {
                var (hs, he, hCount) = Window(oh, g.Stride, g.Pad, g.Size, g.InHeight);
                for (var ow = 0; ow < g.OutWidth; ow++)
                {
                    var (ws, we, wCount) = Window(ow, g.Stride, g.Pad, g.Size, g.InWidth);
                    var sum = 0f;
                    for (var ih = hs; ih < he; ih++)
                    {
                        var row = input.Slice(ih * g.InWidth);
                        for (var iw = ws; iw < we; iw++)
                        {
                            sum += row[iw];
                        }
                    }
                    output[(oh * g.OutWidth) + ow] = sum / (hCount * wCount);
                }
            }
        }
    }

    /// <summary><c>dx[window] (+)= dy / divisor</c>.</summary>
    /// <param name="g">The pooling.</param>
    /// <param name="n">Batch size.</param>
    /// <param name="dy">Output gradient, [n, Channels, OutHeight, OutWidth].</param>
    /// <param name="dx">Input gradient, [n, Channels, InHeight, InWidth].</param>
    /// <param name="accumulate">Add into dx rather than overwrite it.</param>
    /// <param name="path">The instruction set to use: Vector512 gathers each input's gradient (<see cref="PoolGather"/>), the other paths scatter.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Backward(in PoolGeometry g, int n, ReadOnlySpan<float> dy, Span<float> dx, bool accumulate, CpuPath path = CpuPath.Auto)
    {
        MaxPool2d.Check(g, n, dx.Length, dy.Length);
        if (PoolGather.Supports(g, path))
        {
            fixed (float* dyBase = dy, dxBase = dx)
            {
                PoolGather.Run(g, n * g.Channels, dyBase, dxBase, accumulate);
            }
            return;
        }
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        if (!accumulate)
        {
            dx[..(n * g.InputLength)].Clear();
        }
        for (var plane = 0; plane < n * g.Channels; plane++)
        {
            var gradIn = dx.Slice(plane * inPlane, inPlane);
            var gradOut = dy.Slice(plane * outPlane, outPlane);
            for (var oh = 0; oh < g.OutHeight; oh++)
            {
                var (hs, he, hCount) = Window(oh, g.Stride, g.Pad, g.Size, g.InHeight);
                for (var ow = 0; ow < g.OutWidth; ow++)
                {
                    var (ws, we, wCount) = Window(ow, g.Stride, g.Pad, g.Size, g.InWidth);
                    var share = gradOut[(oh * g.OutWidth) + ow] / (hCount * wCount);
                    for (var ih = hs; ih < he; ih++)
                    {
                        var row = gradIn.Slice(ih * g.InWidth);
                        for (var iw = ws; iw < we; iw++)
                        {
                            row[iw] += share;
                        }
                    }
                }
            }
        }
    }

    /// <summary>The window's clamped input range and its divisor extent (clipped to the padded input, as PyTorch).</summary>
    private static (int Start, int End, int Count) Window(int o, int stride, int pad, int size, int input)
    {
        var start = (o * stride) - pad;
        var end = Math.Min(start + size, input + pad);
        var count = end - start;
        return (Math.Max(start, 0), Math.Min(end, input), count);
    }
}
