using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// A stride-1 convolution's group input copied once into zero-padded planes [icg, H + 2p, W + 2p]. Indexing the
/// output by its padded-width position <c>q = oh·Wp + ow</c> (ow up to Wp, the last Wp − W′ columns of each row
/// being discarded), the lowered matrix becomes a set of shifts: <c>col[(c·k + i)·k + j, q] = xp[Offset(c, i, j) + q]</c>
/// with <c>Offset = c·Hp·Wp + i·d·Wp + j·d</c>. Every row of col is then a contiguous slice of the padded input,
/// so packing it for the GEMM is plain vector copies (or register transposes) with no bounds tests.
/// Layout in scratch: the row offsets (ints), then the padded planes followed by zeroed slack for the
/// discarded columns' reads past the last plane.
/// </summary>
internal readonly unsafe struct PaddedImage
{
    private readonly int _inWidth;
    private readonly int _inHeight;
    private readonly int _pad;

    /// <summary>Lays the padded image over <paramref name="work"/>, zeroes it and fills the row offsets.</summary>
    internal PaddedImage(in ConvGeometry g, float* work)
    {
        _inWidth = g.InWidth;
        _inHeight = g.InHeight;
        _pad = g.Pad;
        Channels = g.GroupInChannels;
        Width = g.InWidth + (2 * g.Pad);
        Plane = (g.InHeight + (2 * g.Pad)) * Width;
        Positions = g.OutHeight * Width;
        Offsets = (int*)work;
        var patch = g.PatchLength;
        Data = work + RoundUp(patch);
        for (var row = 0; row < patch; row++)
        {
            var area = g.Kernel * g.Kernel;
            int c = row / area, i = row % area / g.Kernel, j = row % g.Kernel;
            Offsets[row] = (c * Plane) + (i * g.Dilation * Width) + (j * g.Dilation);
        }
        new Span<float>(Data, DataLength(g)).Clear();
    }

    /// <summary>Padded width Wp.</summary>
    internal int Width { get; }

    /// <summary>Floats per padded plane, Hp·Wp.</summary>
    internal int Plane { get; }

    /// <summary>Output positions in padded-width indexing, H′·Wp: the GEMM's N (forward) or K (weight gradient).</summary>
    internal int Positions { get; }

    /// <summary>Input channels of the group.</summary>
    internal int Channels { get; }

    /// <summary>Offset of each lowered row (c, i, j) into <see cref="Data"/>.</summary>
    internal int* Offsets { get; }

    /// <summary>The padded planes.</summary>
    internal float* Data { get; }

    /// <summary>Floats of scratch the padded image of <paramref name="g"/> needs (offsets included).</summary>
    internal static int ScratchLength(in ConvGeometry g) => RoundUp(g.PatchLength) + DataLength(g);

    /// <summary>Copies one group of one sample, [icg, H, W], into the interior of the zeroed planes.</summary>
    internal void Fill(float* x)
    {
        for (var c = 0; c < Channels; c++)
        {
            var target = Data + (c * Plane) + (_pad * Width) + _pad;
            var source = x + (c * _inHeight * _inWidth);
            for (var h = 0; h < _inHeight; h++, target += Width, source += _inWidth)
            {
                new ReadOnlySpan<float>(source, _inWidth).CopyTo(new Span<float>(target, _inWidth));
            }
        }
    }

    /// <summary>Planes plus slack: discarded columns read up to (k − 1)·d past the last plane, and packed panels round N up to NR.</summary>
    private static int DataLength(in ConvGeometry g) =>
        (g.GroupInChannels * (g.InHeight + (2 * g.Pad)) * (g.InWidth + (2 * g.Pad))) + (g.Dilation * (g.Kernel - 1)) + 64;

    private static int RoundUp(int count) => (count + 15) / 16 * 16;
}

/// <summary>B = col [PatchLength, H′·Wp] of a <see cref="PaddedImage"/>: each panel row is NR consecutive padded-input values.</summary>
internal readonly unsafe struct ShiftedPanels(PaddedImage image) : IPackedB
{
    public void Pack(int pc, int kc, int jc, int nc, int nr, float* packed, CpuPath path)
    {
        // Columns past nc in the last panel read real (slack or neighbouring) values: finite, and discarded.
        var panels = (nc + nr - 1) / nr;
        for (var r = 0; r < kc; r++)
        {
            var source = image.Data + image.Offsets[pc + r] + jc;
            var target = packed + (r * nr);
            if (path == CpuPath.Vector512 && nr == 32)
            {
                for (var panel = 0; panel < panels; panel++, source += 32, target += kc * 32)
                {
                    Vector512.Load(source).Store(target);
                    Vector512.Load(source + 16).Store(target + 16);
                }
            }
            else
            {
                for (var panel = 0; panel < panels; panel++, source += nr, target += kc * nr)
                {
                    new ReadOnlySpan<float>(source, nr).CopyTo(new Span<float>(target, nr));
                }
            }
        }
    }
}

/// <summary>
/// B = colᵀ [H′·Wp, PatchLength] of a <see cref="PaddedImage"/>, for the weight gradient: the rows of col are
/// slices of the padded input, transposed 16×16 at a time through registers straight into the panels.
/// </summary>
[SkipLocalsInit]
internal readonly unsafe struct ShiftedTransposedPanels(PaddedImage image) : IPackedB
{
    private const int Block = 16;

    public void Pack(int pc, int kc, int jc, int nc, int nr, float* packed, CpuPath path)
    {
        var rows = stackalloc float*[Block];
        for (var jr = 0; jr < nc; jr += nr)
        {
            var panel = packed + (jr * kc);
            for (var half = 0; half < nr; half += Block)
            {
                var count = Math.Min(Block, nr - half);
                for (var t = 0; t < count; t++)
                {
                    // Columns past nc repeat the first row: finite values the micro-kernel computes and discards.
                    var row = jc + jr + half + t;
                    rows[t] = image.Data + image.Offsets[row < jc + nc ? row : jc] + pc;
                }
                var p = 0;
                if (count == Block && path == CpuPath.Vector512 && Avx512F.IsSupported)
                {
                    for (; p + Block <= kc; p += Block)
                    {
                        Transpose16.Run(rows, panel + (p * nr) + half, nr);
                        for (var t = 0; t < Block; t++)
                        {
                            rows[t] += Block;
                        }
                    }
                }
                for (var q = p; q < kc; q++)
                {
                    var target = panel + (q * nr) + half;
                    for (var t = 0; t < count; t++)
                    {
                        target[t] = rows[t][q - p];
                    }
                }
            }
        }
    }
}
