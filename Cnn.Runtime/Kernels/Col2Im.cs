using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// col2im: adds a stored lowered matrix <c>col[(c·k + i)·k + j, oh·W' + ow]</c>, whose entries belong at
/// <c>x[c, oh·s − p + i·d, ow·s − p + j·d]</c> (entries outside the input are dropped), back into an input
/// gradient (the scatter data gradient of <see cref="Conv2d"/>).
/// Lines are short (a feature map's width), so the additions are pointer loops with vector bodies rather than
/// span calls whose per-call cost would exceed the work.
/// </summary>
internal static class Col2Im
{
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
