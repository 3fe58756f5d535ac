using System;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Lowers one group of one sample to a matrix so convolution becomes GEMM:
/// <c>col[(c·k + i)·k + j, oh·W' + ow] = x[c, oh·s − p + i·d, ow·s − p + j·d]</c> (zero outside the input),
/// and scatters such a matrix back with <see cref="Accumulate"/> (col2im) for the data gradient.
/// </summary>
internal static class Im2Col
{
    /// <summary>Fills <paramref name="col"/> [PatchLength, OutPlane] from the group's input channels.</summary>
    internal static void Lower(in ConvGeometry g, ReadOnlySpan<float> x, Span<float> col)
    {
        int k = g.Kernel, outH = g.OutHeight, outW = g.OutWidth;
        var row = 0;
        for (var c = 0; c < g.GroupInChannels; c++)
        {
            var plane = x.Slice(c * g.InPlane, g.InPlane);
            for (var i = 0; i < k; i++)
            {
                for (var j = 0; j < k; j++, row++)
                {
                    var target = col.Slice(row * outH * outW, outH * outW);
                    var (first, last) = ValidColumns(g, j);
                    for (var oh = 0; oh < outH; oh++)
                    {
                        var line = target.Slice(oh * outW, outW);
                        var ih = (oh * g.Stride) - g.Pad + (i * g.Dilation);
                        if ((uint)ih >= (uint)g.InHeight || first >= last)
                        {
                            line.Clear();
                            continue;
                        }
                        line[..first].Clear();
                        line[last..].Clear();
                        var source = plane.Slice(ih * g.InWidth);
                        var iw0 = (first * g.Stride) - g.Pad + (j * g.Dilation);
                        if (g.Stride == 1)
                        {
                            source.Slice(iw0, last - first).CopyTo(line[first..last]);
                        }
                        else
                        {
                            for (int ow = first, iw = iw0; ow < last; ow++, iw += g.Stride)
                            {
                                line[ow] = source[iw];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Adds <paramref name="col"/> [PatchLength, OutPlane] back into the group's input-gradient channels.</summary>
    internal static void Accumulate(in ConvGeometry g, ReadOnlySpan<float> col, Span<float> dx)
    {
        int k = g.Kernel, outH = g.OutHeight, outW = g.OutWidth;
        var row = 0;
        for (var c = 0; c < g.GroupInChannels; c++)
        {
            var plane = dx.Slice(c * g.InPlane, g.InPlane);
            for (var i = 0; i < k; i++)
            {
                for (var j = 0; j < k; j++, row++)
                {
                    var source = col.Slice(row * outH * outW, outH * outW);
                    var (first, last) = ValidColumns(g, j);
                    if (first >= last)
                    {
                        continue;
                    }
                    for (var oh = 0; oh < outH; oh++)
                    {
                        var ih = (oh * g.Stride) - g.Pad + (i * g.Dilation);
                        if ((uint)ih >= (uint)g.InHeight)
                        {
                            continue;
                        }
                        var line = source.Slice(oh * outW, outW);
                        var target = plane.Slice(ih * g.InWidth);
                        var iw0 = (first * g.Stride) - g.Pad + (j * g.Dilation);
                        if (g.Stride == 1)
                        {
                            var span = target.Slice(iw0, last - first);
                            System.Numerics.Tensors.TensorPrimitives.Add(span, line[first..last], span);
                        }
                        else
                        {
                            for (int ow = first, iw = iw0; ow < last; ow++, iw += g.Stride)
                            {
                                target[iw] += line[ow];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>The output columns [first, last) whose input column for kernel column j lies inside the image.</summary>
    internal static (int First, int Last) ValidColumns(in ConvGeometry g, int j)
    {
        var offset = (j * g.Dilation) - g.Pad;
        // ow·s + offset ≥ 0  ⇔  ow ≥ ceil(−offset / s);  ow·s + offset ≤ W − 1.
        var first = offset >= 0 ? 0 : (-offset + g.Stride - 1) / g.Stride;
        var lastInclusive = g.InWidth - 1 - offset;
        var last = lastInclusive < 0 ? 0 : Math.Min(g.OutWidth, (lastInclusive / g.Stride) + 1);
        return (Math.Min(first, last), last);
    }
}
