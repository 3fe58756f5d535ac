using System;
using System.Numerics;

namespace Cnn.Runtime.Kernels.Reference;

/// <summary>Pooling by its definition (PyTorch semantics), in any floating-point type.</summary>
public static class ReferencePool
{
    /// <summary>Max over each window (padding excluded, first maximum wins), saving its in-plane index.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="g">Geometry.</param>
    /// <param name="n">Batch.</param>
    /// <param name="x">Input.</param>
    /// <param name="y">Output.</param>
    /// <param name="argmax">Receives indices.</param>
    public static void MaxForward<T>(in PoolGeometry g, int n, ReadOnlySpan<T> x, Span<T> y, Span<int> argmax)
        where T : IFloatingPointIeee754<T>
    {
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        for (var p = 0; p < n * g.Channels; p++)
        {
            for (var oh = 0; oh < g.OutHeight; oh++)
            {
                for (var ow = 0; ow < g.OutWidth; ow++)
                {
                    var best = T.NegativeInfinity;
                    var index = -1;
                    for (var i = 0; i < g.Size; i++)
                    {
                        for (var j = 0; j < g.Size; j++)
                        {
                            var ih = (oh * g.Stride) - g.Pad + i;
                            var iw = (ow * g.Stride) - g.Pad + j;
                            if (ih >= 0 && ih < g.InHeight && iw >= 0 && iw < g.InWidth && (index < 0 || x[(p * inPlane) + (ih * g.InWidth) + iw] > best))
                            {
                                best = x[(p * inPlane) + (ih * g.InWidth) + iw];
                                index = (ih * g.InWidth) + iw;
                            }
                        }
                    }
                    y[(p * outPlane) + (oh * g.OutWidth) + ow] = best;
                    argmax[(p * outPlane) + (oh * g.OutWidth) + ow] = index;
                }
            }
        }
    }

    /// <summary>Average with count_include_pad: divisor = window clipped to the padded input.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="g">Geometry.</param>
    /// <param name="n">Batch.</param>
    /// <param name="x">Input.</param>
    /// <param name="y">Output.</param>
    public static void AvgForward<T>(in PoolGeometry g, int n, ReadOnlySpan<T> x, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        for (var p = 0; p < n * g.Channels; p++)
        {
            for (var oh = 0; oh < g.OutHeight; oh++)
            {
                for (var ow = 0; ow < g.OutWidth; ow++)
                {
                    var sum = T.Zero;
                    var divisor = 0;
                    for (var i = 0; i < g.Size; i++)
                    {
                        for (var j = 0; j < g.Size; j++)
                        {
                            var ih = (oh * g.Stride) - g.Pad + i;
                            var iw = (ow * g.Stride) - g.Pad + j;
                            if (ih < g.InHeight + g.Pad && iw < g.InWidth + g.Pad)
                            {
                                divisor++;
                            }
                            if (ih >= 0 && ih < g.InHeight && iw >= 0 && iw < g.InWidth)
                            {
                                sum += x[(p * inPlane) + (ih * g.InWidth) + iw];
                            }
                        }
                    }
                    y[(p * outPlane) + (oh * g.OutWidth) + ow] = sum / T.CreateChecked(divisor);
                }
            }
        }
    }

    /// <summary>Mean of each channel plane.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="n">Batch.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Pixels per channel.</param>
    /// <param name="x">Input.</param>
    /// <param name="y">Output, [n, channels].</param>
    public static void GlobalAvgForward<T>(int n, int channels, int plane, ReadOnlySpan<T> x, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        for (var p = 0; p < n * channels; p++)
        {
            var sum = T.Zero;
            for (var i = 0; i < plane; i++)
            {
                sum += x[(p * plane) + i];
            }
            y[p] = sum / T.CreateChecked(plane);
        }
    }
}
