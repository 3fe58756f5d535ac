using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// B = the lowered matrix <c>col[PatchLength, OutPlane]</c> of one sample's group (see <see cref="Im2Col"/>),
/// packed straight from the image into the GEMM's NR-column panels: the forward convolution never stores
/// col, so each input value is written once (into the L2-resident packed block) instead of three times.
/// </summary>
/// <param name="g">The convolution.</param>
/// <param name="x">The group's first input channel.</param>
[SkipLocalsInit]
internal readonly unsafe struct ImagePanels(in ConvGeometry g, float* x) : IPackedB
{
    private readonly ConvGeometry _g = g;

    public void Pack(int pc, int kc, int jc, int nc, int nr, float* packed, CpuPath path)
    {
        var g = _g;
        var panels = (nc + nr - 1) / nr;
        var starts = stackalloc int[2 * panels];
        for (var panel = 0; panel < panels; panel++)
        {
            var position = jc + (panel * nr);
            starts[2 * panel] = position / g.OutWidth;
            starts[(2 * panel) + 1] = position % g.OutWidth;
        }
        var row = new PatchRow(g, pc);
        for (var r = 0; r < kc; r++, row.Next(g))
        {
            var channel = x + (row.Channel * g.InPlane);
            var target = packed + (r * nr);
            for (var panel = 0; panel < panels; panel++, target += kc * nr)
            {
                var columns = Math.Min(nr, nc - (panel * nr));
                Im2Col.LowerRun(g, channel, row.RowOffset, row.ColumnOffset, row.First, row.Last, starts[2 * panel], starts[(2 * panel) + 1], columns, target);
                Im2Col.Zero(target + columns, nr - columns);
            }
        }
    }
}

/// <summary>
/// B = colᵀ <c>[OutPlane, PatchLength]</c> of one sample's group, for the weight gradient <c>dW = dy·colᵀ</c>:
/// 16 rows of col at a time are lowered into an L1-sized buffer and transposed into the panel through
/// registers (<see cref="Transpose16"/>), so col is never stored whole either.
/// </summary>
/// <param name="g">The convolution.</param>
/// <param name="x">The group's first input channel.</param>
/// <param name="buffer">At least <see cref="BufferLength"/> floats.</param>
[SkipLocalsInit]
internal readonly unsafe struct TransposedImagePanels(in ConvGeometry g, float* x, float* buffer) : IPackedB
{
    private const int Block = 16;
    private readonly ConvGeometry _g = g;

    /// <summary>Floats of buffer <see cref="Pack"/> needs for a depth of at most <paramref name="kc"/> positions.</summary>
    internal static int BufferLength(int kc) => Block * RoundUp(kc);

    public void Pack(int pc, int kc, int jc, int nc, int nr, float* packed, CpuPath path)
    {
        var g = _g;
        var stride = RoundUp(kc);
        var oh = pc / g.OutWidth;
        var ow = pc % g.OutWidth;
        var rows = stackalloc float*[Block];
        var row = new PatchRow(g, jc);
        for (var jr = 0; jr < nc; jr += nr)
        {
            var panel = packed + (jr * kc);
            for (var half = 0; half < nr; half += Block)
            {
                var count = Math.Min(Block, nr - half);
                for (var t = 0; t < count; t++)
                {
                    var line = buffer + (t * stride);
                    rows[t] = line;
                    if (jr + half + t < nc)
                    {
                        Im2Col.LowerRun(g, x + (row.Channel * g.InPlane), row.RowOffset, row.ColumnOffset, row.First, row.Last, oh, ow, kc, line);
                        row.Next(g);
                    }
                    else
                    {
                        Im2Col.Zero(line, kc);
                    }
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
                for (; p < kc; p++)
                {
                    var target = panel + (p * nr) + half;
                    for (var t = 0; t < count; t++)
                    {
                        target[t] = buffer[(t * stride) + p];
                    }
                }
            }
        }
    }

    private static int RoundUp(int kc) => (kc + Block - 1) / Block * Block;
}

/// <summary>Walks the rows (c, i, j) of the lowered matrix without a division per row.</summary>
internal struct PatchRow
{
    private int _i;
    private int _j;

    /// <summary>Starts at row <paramref name="row"/> = (c·k + i)·k + j.</summary>
    internal PatchRow(in ConvGeometry g, int row)
    {
        var area = g.Kernel * g.Kernel;
        Channel = row / area;
        _i = row % area / g.Kernel;
        _j = row % g.Kernel;
        Update(g);
    }

    /// <summary>The row's input channel within the group.</summary>
    internal int Channel { get; private set; }

    /// <summary>i·d − p: added to oh·s to find the input row.</summary>
    internal int RowOffset { get; private set; }

    /// <summary>j·d − p: added to ow·s to find the input column.</summary>
    internal int ColumnOffset { get; private set; }

    /// <summary>The first output column whose input column is inside the image.</summary>
    internal int First { get; private set; }

    /// <summary>One past the last output column whose input column is inside the image.</summary>
    internal int Last { get; private set; }

    /// <summary>Moves to the next row.</summary>
    internal void Next(in ConvGeometry g)
    {
        if (++_j == g.Kernel)
        {
            _j = 0;
            if (++_i == g.Kernel)
            {
                _i = 0;
                Channel++;
            }
        }
        Update(g);
    }

    private void Update(in ConvGeometry g)
    {
        RowOffset = (_i * g.Dilation) - g.Pad;
        ColumnOffset = (_j * g.Dilation) - g.Pad;
        (First, Last) = Im2Col.ValidColumns(g, _j);
    }
}
