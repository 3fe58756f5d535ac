using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// A convolution's group input copied once into zero-padded planes, split by stride phase: phase (a, b) holds
/// <c>xpad[c, s·u + a, s·v + b]</c> in planes of Hs × Ws = ⌈(H + 2p)/s⌉ × ⌈(W + 2p)/s⌉ (stride 1: one phase, the
/// padded image itself). Indexing the output by <c>q = oh·Ws + ow</c> (ow up to Ws, the columns past W′ being
/// computed and discarded), the lowered matrix becomes a set of shifts:
/// <c>col[(c·k + i)·k + j, q] = xs[Offset(c, i, j) + q]</c> with
/// <c>Offset = phase(i·d mod s, j·d mod s) + c·Hs·Ws + ⌊i·d/s⌋·Ws + ⌊j·d/s⌋</c>. Every row of col is then a contiguous
/// slice, so the GEMM reads it in place (<see cref="ShiftedRows"/>) or packs it with plain copies, and batch-1
/// <see cref="DirectConv"/> convolves it directly.
/// Layout in scratch: the row offsets (ints), then the phase planes (up to the last phase a tap reads) followed by
/// zeroed slack for the discarded columns' reads past the last plane.
/// </summary>
internal readonly unsafe struct PaddedImage
{
    private readonly int _inWidth;
    private readonly int _inHeight;
    private readonly int _pad;
    private readonly int _stride;
    private readonly int _usedPhases;

    /// <summary>Lays the image over <paramref name="work"/>, zeroes it and fills the row offsets.</summary>
    internal PaddedImage(in ConvGeometry g, float* work)
    {
        _inWidth = g.InWidth;
        _inHeight = g.InHeight;
        _pad = g.Pad;
        _stride = g.Stride;
        Channels = g.GroupInChannels;
        Width = PhaseWidth(g);
        Plane = PhaseHeight(g) * Width;
        Positions = g.OutHeight * Width;
        Offsets = (int*)work;
        Data = work + RoundUp(g.PatchLength);
        // Channel 0's taps, then every other channel's as the same taps one plane further per channel:
        // the offsets are rebuilt on every call, so no division per row.
        var area = g.Kernel * g.Kernel;
        for (var t = 0; t < area; t++)
        {
            var phase = TapPhase(g, t, out var i, out var j);
            _usedPhases |= 1 << phase;
            Offsets[t] = (phase * Channels * Plane) + (i / g.Stride * Width) + (j / g.Stride);
        }
        for (var row = area; row < g.PatchLength; row++)
        {
            Offsets[row] = Offsets[row - area] + Plane;
        }
        new Span<float>(Data, DataLength(g, BitOperations.Log2((uint)_usedPhases) + 1)).Clear();
    }

    /// <summary>Phase plane width Ws: output positions per output row.</summary>
    internal int Width { get; }

    /// <summary>Floats per phase plane, Hs·Ws.</summary>
    internal int Plane { get; }

    /// <summary>Output positions in phase-width indexing, H′·Ws: the GEMM's N (forward) or K (weight gradient).</summary>
    internal int Positions { get; }

    /// <summary>Input channels of the group.</summary>
    internal int Channels { get; }

    /// <summary>Offset of each lowered row (c, i, j) into <see cref="Data"/>.</summary>
    internal int* Offsets { get; }

    /// <summary>The phase planes.</summary>
    internal float* Data { get; }

    /// <summary>Floats of scratch the image of <paramref name="g"/> needs (offsets included).</summary>
    internal static int ScratchLength(in ConvGeometry g) => RoundUp(g.PatchLength) + DataLength(g, PhaseBlocks(g));

    /// <summary>Output positions H′·Ws of <paramref name="g"/> in phase-width indexing.</summary>
    internal static int PositionsOf(in ConvGeometry g) => g.OutHeight * PhaseWidth(g);

    /// <summary>Copies one group of one sample, [icg, H, W], into the phase planes the kernel reads (padding stays zero).</summary>
    internal void Fill(float* x)
    {
        if (_stride == 1)
        {
            var vectors = RowCopy.IsSupported;
            var tail = RowCopy.TailMask(_inWidth);
            for (var c = 0; c < Channels; c++)
            {
                var target = Data + (c * Plane) + (_pad * Width) + _pad;
                var source = x + (c * _inHeight * _inWidth);
                for (var h = 0; h < _inHeight; h++, target += Width, source += _inWidth)
                {
                    if (vectors)
                    {
                        RowCopy.Copy(source, target, _inWidth, tail);
                    }
                    else
                    {
                        new ReadOnlySpan<float>(source, _inWidth).CopyTo(new Span<float>(target, _inWidth));
                    }
                }
            }
            return;
        }
        if (_stride == 2 && _usedPhases == 0b1111 && Avx512F.IsSupported)
        {
            FillStride2(x);
            return;
        }
        for (var phase = 0; phase < _stride * _stride; phase++)
        {
            if ((_usedPhases & (1 << phase)) != 0)
            {
                FillPhase(x, phase / _stride, phase % _stride, Data + (phase * Channels * Plane));
            }
        }
    }

    /// <summary>
    /// Stride 2 with all four phases read: each input row goes to row ⌊(ih + p)/2⌋ of phases ((ih + p) mod 2, 0) and
    /// (…, 1), which lie one phase block apart, 16 columns per step (one permute gathers the 8 even columns, one
    /// the 8 odd). Avx512F's permute, not Vector512.Shuffle, which the JIT follows with a compare and a mask against
    /// out-of-range indices at every step (three more instructions per permute in this copy's loop).
    /// </summary>
    private void FillStride2(float* x)
    {
        var evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 0, 0, 0, 0, 0, 0, 0, 0);
        var odds = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 0, 0, 0, 0, 0, 0, 0, 0);
        var phaseBlock = Channels * Plane;
        // Even input columns (counted from 0) land in column phase p mod 2, odd ones in the other.
        var evenPlane = (_pad & 1) * phaseBlock;
        var oddPlane = ((_pad + 1) & 1) * phaseBlock;
        for (var c = 0; c < Channels; c++)
        {
            for (var ih = 0; ih < _inHeight; ih++)
            {
                var row = ih + _pad;
                var from = x + (((c * _inHeight) + ih) * _inWidth);
                var to = Data + ((row & 1) * 2 * phaseBlock) + (c * Plane) + ((row >> 1) * Width);
                var iw = 0;
                for (; iw <= _inWidth - Vector512<float>.Count; iw += Vector512<float>.Count)
                {
                    var values = Vector512.Load(from + iw);
                    Avx512F.PermuteVar16x32(values, evens).GetLower().Store(to + evenPlane + ((iw + _pad) >> 1));
                    Avx512F.PermuteVar16x32(values, odds).GetLower().Store(to + oddPlane + ((iw + _pad + 1) >> 1));
                }
                for (; iw < _inWidth; iw++)
                {
                    to[(((iw + _pad) & 1) * phaseBlock) + ((iw + _pad) >> 1)] = from[iw];
                }
            }
        }
    }

    /// <summary>Phase (a, b): target[c, u, v] = x[c, s·u + a − p, s·v + b − p] where that lies inside the input.</summary>
    private void FillPhase(float* x, int a, int b, float* target)
    {
        // Columns v with 0 ≤ s·v + b − p < W, rows likewise; none when the phase's first column already lies past the input
        // (W − 1 + p − b < 0, which integer division would round up to column 0: a 1-wide input at stride 3, pad 1).
        var firstColumn = Math.Max(0, (_pad - b + _stride - 1) / _stride);
        var lastColumn = LastInside(_inWidth - 1 + _pad - b, Width);
        var firstRow = Math.Max(0, (_pad - a + _stride - 1) / _stride);
        var lastRow = LastInside(_inHeight - 1 + _pad - a, Plane / Width);
        var gather = _stride == 2 && EveryOtherGather.IsSupported;
        for (var c = 0; c < Channels; c++)
        {
            var channel = x + (c * _inHeight * _inWidth);
            if (gather)
            {
                if (lastRow > firstRow)
                {
                    var source = channel + ((((_stride * firstRow) + a - _pad) * _inWidth) + b - _pad + (_stride * firstColumn));
                    EveryOtherGather.CopyRows(source, _stride * _inWidth, target + (c * Plane) + (firstRow * Width) + firstColumn, Width, lastColumn - firstColumn, lastRow - firstRow);
                }
                continue;
            }
            for (var u = firstRow; u < lastRow; u++)
            {
                var source = channel + (((_stride * u) + a - _pad) * _inWidth) + b - _pad;
                var line = target + (c * Plane) + (u * Width);
                for (var v = firstColumn; v < lastColumn; v++)
                {
                    line[v] = source[_stride * v];
                }
            }
        }
    }

    /// <summary>One past the last phase index v with s·v ≤ <paramref name="reach"/> (0 when it is negative), at most <paramref name="size"/>.</summary>
    private int LastInside(int reach, int size) => reach < 0 ? 0 : Math.Min(size, (reach / _stride) + 1);

    /// <summary>
    /// Copies <paramref name="count"/> values of lowered row <paramref name="row"/> in compact indexing (position
    /// oh·W′ + ow, no discarded columns), starting at output (<paramref name="oh"/>, <paramref name="ow"/>): one plain
    /// copy per output row, since the padding is already in the planes.
    /// </summary>
    internal void CopyCompact(int row, int outWidth, int oh, int ow, int count, float* target)
    {
        var source = Data + Offsets[row];
        while (count > 0)
        {
            var run = Math.Min(outWidth - ow, count);
            new ReadOnlySpan<float>(source + (oh * Width) + ow, run).CopyTo(new Span<float>(target, run));
            target += run;
            count -= run;
            oh++;
            ow = 0;
        }
    }

    /// <summary>Width Ws of a phase plane: ⌈(W + 2p)/s⌉.</summary>
    internal static int PhaseWidth(in ConvGeometry g) => (g.InWidth + (2 * g.Pad) + g.Stride - 1) / g.Stride;

    private static int PhaseHeight(in ConvGeometry g) => (g.InHeight + (2 * g.Pad) + g.Stride - 1) / g.Stride;

    /// <summary>
    /// Phase planes plus slack: discarded columns read up to (k − 1)·d past the last plane, panels round N up to NR,
    /// and a half-filled last panel of 8-wide rows (<see cref="HalfShiftedRows"/>) reads up to three rows further.
    /// </summary>
    private static int DataLength(in ConvGeometry g, int phaseBlocks) =>
        (phaseBlocks * g.GroupInChannels * PhaseHeight(g) * PhaseWidth(g)) + (g.Dilation * (g.Kernel - 1)) + (4 * PhaseWidth(g)) + 64;

    /// <summary>
    /// Phase blocks laid out: up to the last one a tap reads, so a 1×1 kernel's image at stride 2 is phase (0, 0) alone, a
    /// quarter of the four blocks (less scratch to clear and to keep in cache: its weight gradient fits twice as many samples
    /// in a chunk). The constructor reads the same count off the phases its offsets use.
    /// </summary>
    /// <remarks>
    /// A tap's block is s·(i·d mod s) + (j·d mod s), its row and column phases taking the same values, so the last block is the
    /// largest phase m taken for both: s·m + m. One remainder per kernel row, none at stride 1, instead of four divisions per tap:
    /// batch-1 inference checks its scratch on every call (<see cref="DirectConv"/>), and the 100 divisions of a 5×5 kernel
    /// were 3.5 % of a LeNet-5 pass's perf samples.
    /// </remarks>
    internal static int PhaseBlocks(in ConvGeometry g)
    {
        var last = 0;
        for (var i = 1; i < g.Kernel && last < g.Stride - 1; i++)
        {
            last = Math.Max(last, i * g.Dilation % g.Stride);
        }
        return (g.Stride * last) + last + 1;
    }

    /// <summary>Tap <paramref name="t"/>'s phase block, s·(i mod s) + (j mod s), with its dilated kernel row i and column j.</summary>
    private static int TapPhase(in ConvGeometry g, int t, out int i, out int j)
    {
        i = t / g.Kernel * g.Dilation;
        j = t % g.Kernel * g.Dilation;
        return (i % g.Stride * g.Stride) + (j % g.Stride);
    }

    private static int RoundUp(int count) => (count + 15) / 16 * 16;
}

/// <summary>B = col [PatchLength, H′·Ws] of a <see cref="PaddedImage"/> (row p at <c>data + offsets[p]</c>), packed with plain copies for the paths that cannot read it in place.</summary>
internal readonly unsafe struct ShiftedPanels(float* data, int* offsets) : IPackedB
{
    public void Pack(int pc, int kc, int jc, int nc, int nr, float* packed, CpuPath path)
    {
        // Columns past nc in the last panel read real (slack or neighbouring) values: finite, and discarded.
        var panels = (nc + nr - 1) / nr;
        for (var r = 0; r < kc; r++)
        {
            var source = data + offsets[pc + r] + jc;
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
/// B = col [PatchLength, H′·W′] of a <see cref="PaddedImage"/> in compact indexing: for small maps (8×8), where
/// the discarded columns of <see cref="ShiftedRows"/> would cost a third of the FMAs, panels are packed from
/// whole output-row runs of the planes instead.
/// </summary>
[SkipLocalsInit]
internal readonly unsafe struct CompactPanels(PaddedImage image, int outWidth) : IPackedB
{
    public void Pack(int pc, int kc, int jc, int nc, int nr, float* packed, CpuPath path)
    {
        var panels = (nc + nr - 1) / nr;
        var starts = stackalloc int[2 * panels];
        for (var panel = 0; panel < panels; panel++)
        {
            var position = jc + (panel * nr);
            starts[2 * panel] = position / outWidth;
            starts[(2 * panel) + 1] = position % outWidth;
        }
        for (var r = 0; r < kc; r++)
        {
            var target = packed + (r * nr);
            for (var panel = 0; panel < panels; panel++, target += kc * nr)
            {
                var columns = Math.Min(nr, nc - (panel * nr));
                image.CopyCompact(pc + r, outWidth, starts[2 * panel], starts[(2 * panel) + 1], columns, target);
                new Span<float>(target + columns, nr - columns).Clear();
            }
        }
    }
}

/// <summary>
/// B = colᵀ [H′·Ws, PatchLength] of a <see cref="PaddedImage"/>, for the weight gradient: the rows of col are
/// slices of the phase planes, transposed 16×16 at a time through registers straight into the panels.
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
