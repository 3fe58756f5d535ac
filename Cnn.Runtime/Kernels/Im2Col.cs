using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Lowers one group of one sample to a matrix so convolution becomes GEMM:
/// <c>col[(c·k + i)·k + j, oh·W' + ow] = x[c, oh·s − p + i·d, ow·s − p + j·d]</c> (zero outside the input),
/// and scatters such a matrix back with <see cref="Accumulate"/> (col2im) for the data gradient.
/// Lines are short (a feature map's width), so the copies are pointer loops with vector bodies rather than
/// span calls whose per-call cost would exceed the copy.
/// </summary>
internal static class Im2Col
{
    /// <summary>Fills <paramref name="col"/> [PatchLength, OutPlane] from the group's input channels.</summary>
    internal static unsafe void Lower(in ConvGeometry g, ReadOnlySpan<float> x, Span<float> col)
    {
        int k = g.Kernel, outH = g.OutHeight, outW = g.OutWidth, stride = g.Stride;
        if (x.Length < g.GroupInChannels * g.InPlane || col.Length < g.PatchLength * g.OutPlane)
        {
            throw new ArgumentException("im2col operands too short.");
        }
        fixed (float* xBase = x, colBase = col)
        {
            var line = colBase;
            for (var c = 0; c < g.GroupInChannels; c++)
            {
                var plane = xBase + (c * g.InPlane);
                for (var i = 0; i < k; i++)
                {
                    for (var j = 0; j < k; j++)
                    {
                        var (first, last) = ValidColumns(g, j);
                        var columnOffset = (j * g.Dilation) - g.Pad;
                        for (var oh = 0; oh < outH; oh++, line += outW)
                        {
                            var ih = (oh * stride) - g.Pad + (i * g.Dilation);
                            if ((uint)ih >= (uint)g.InHeight || first >= last)
                            {
                                Zero(line, outW);
                                continue;
                            }
                            Zero(line, first);
                            Zero(line + last, outW - last);
                            var source = plane + (ih * g.InWidth) + columnOffset;
                            if (stride == 1)
                            {
                                Copy(source + first, line + first, last - first);
                            }
                            else
                            {
                                for (var ow = first; ow < last; ow++)
                                {
                                    line[ow] = source[ow * stride];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Adds <paramref name="col"/> [PatchLength, OutPlane] back into the group's input-gradient channels.</summary>
    internal static unsafe void Accumulate(in ConvGeometry g, ReadOnlySpan<float> col, Span<float> dx)
    {
        int k = g.Kernel, outH = g.OutHeight, outW = g.OutWidth, stride = g.Stride;
        if (dx.Length < g.GroupInChannels * g.InPlane || col.Length < g.PatchLength * g.OutPlane)
        {
            throw new ArgumentException("col2im operands too short.");
        }
        fixed (float* dxBase = dx, colBase = col)
        {
            var line = colBase;
            for (var c = 0; c < g.GroupInChannels; c++)
            {
                var plane = dxBase + (c * g.InPlane);
                for (var i = 0; i < k; i++)
                {
                    for (var j = 0; j < k; j++)
                    {
                        var (first, last) = ValidColumns(g, j);
                        var columnOffset = (j * g.Dilation) - g.Pad;
                        for (var oh = 0; oh < outH; oh++, line += outW)
                        {
                            var ih = (oh * stride) - g.Pad + (i * g.Dilation);
                            if ((uint)ih >= (uint)g.InHeight || first >= last)
                            {
                                continue;
                            }
                            var target = plane + (ih * g.InWidth) + columnOffset;
                            if (stride == 1)
                            {
                                AddTo(line + first, target + first, last - first);
                            }
                            else
                            {
                                for (var ow = first; ow < last; ow++)
                                {
                                    target[ow * stride] += line[ow];
                                }
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Zero(float* target, int count)
    {
        var i = 0;
        for (; i + 16 <= count; i += 16)
        {
            Vector512<float>.Zero.Store(target + i);
        }
        for (; i < count; i++)
        {
            target[i] = 0f;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Copy(float* source, float* target, int count)
    {
        var i = 0;
        for (; i + 16 <= count; i += 16)
        {
            Vector512.Load(source + i).Store(target + i);
        }
        if (i + 8 <= count)
        {
            Vector256.Load(source + i).Store(target + i);
            i += 8;
        }
        for (; i < count; i++)
        {
            target[i] = source[i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AddTo(float* source, float* target, int count)
    {
        var i = 0;
        for (; i + 16 <= count; i += 16)
        {
            (Vector512.Load(target + i) + Vector512.Load(source + i)).Store(target + i);
        }
        if (i + 8 <= count)
        {
            (Vector256.Load(target + i) + Vector256.Load(source + i)).Store(target + i);
            i += 8;
        }
        for (; i < count; i++)
        {
            target[i] += source[i];
        }
    }
}
