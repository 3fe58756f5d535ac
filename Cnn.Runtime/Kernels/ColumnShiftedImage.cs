using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// One sample of an ungrouped, undilated convolution's input copied once per kernel column j and per row phase a
/// into planes exactly as wide as the output: <c>copy[a, j][c, u, ow] = x[c, s·u + a − p, s·ow + j − p]</c> (zero
/// outside the input), <c>u</c> over <c>H′ + ⌊(k − 1)/s⌋</c> rows. Indexing the output compactly by
/// <c>q = oh·W′ + ow</c>, row (c, i, j) of the lowered matrix is then the contiguous run <c>Offsets[(c·k + i)·k + j] + q</c>
/// with <c>Offset = copy(i mod s, j) + c·plane + ⌊i/s⌋·W′</c>: a 1-D convolution over q whose result is already in
/// NCHW order. Unlike <see cref="PaddedImage"/>'s single padded copy, no output column is computed and dropped
/// (<see cref="PaddedImage"/>'s rows are W + 2p wide: 8 outputs in 10 columns on an 8×8 map), at the price of k
/// copies of the input instead of one.
/// Layout in scratch: the row offsets (ints), the copies, then <see cref="Slack"/> zeroed floats for the last tile's reads.
/// </summary>
[SkipLocalsInit]
internal readonly unsafe struct ColumnShiftedImage
{
    /// <summary>Floats past the last copy that a tile rounded up to whole vectors may read (kept zero).</summary>
    internal const int Slack = 32;

    private readonly int _inHeight;
    private readonly int _inWidth;
    private readonly int _kernel;
    private readonly int _stride;
    private readonly int _pad;
    private readonly int _rows;

    /// <summary>Lays the image of <paramref name="g"/> over <paramref name="work"/> and fills the row offsets.</summary>
    internal ColumnShiftedImage(in ConvGeometry g, float* work)
    {
        _inHeight = g.InHeight;
        _inWidth = g.InWidth;
        _kernel = g.Kernel;
        _stride = g.Stride;
        _pad = g.Pad;
        _rows = Rows(g);
        Channels = g.InChannels;
        Width = g.OutWidth;
        Plane = _rows * Width;
        Offsets = (int*)work;
        Data = work + RoundUp(g.PatchLength);
        // Locals, not the properties being constructed: a store through the offsets could alias this struct's fields, so the
        // JIT would reload each of them after every store (DirectConv's set-up, this constructor inlined, went from 6.6 % to 2.0 % of a
        // LeNet-5 6 → 16 layer's perf samples).
        var offsets = (int*)work;
        int kernel = _kernel, stride = _stride, width = Width, plane = Plane;
        var area = kernel * kernel;
        // One division per kernel row, not two per tap, and none at stride 1: batch-1 inference lays the image out on every call.
        for (int i = 0, t = 0; i < kernel; i++)
        {
            var row = stride == 1 ? i * width : ((i % stride) * kernel * plane) + (i / stride * width);
            for (var j = 0; j < kernel; j++, t++)
            {
                offsets[t] = row + (j * plane);
            }
        }
        // Every other channel's taps are channel 0's one channel block further per channel: no division per row.
        var block = stride * kernel * plane;
        var patch = g.PatchLength;
        for (var row = area; row < patch; row++)
        {
            offsets[row] = offsets[row - area] + block;
        }
        new Span<float>(Data + (Channels * block), Slack).Clear();
    }

    /// <summary>Output width W′: the row pitch of every plane.</summary>
    internal int Width { get; }

    /// <summary>Floats per channel plane of one copy.</summary>
    internal int Plane { get; }

    /// <summary>Input channels.</summary>
    internal int Channels { get; }

    /// <summary>Offset of each lowered row (c, i, j) into <see cref="Data"/>.</summary>
    internal int* Offsets { get; }

    /// <summary>The copies.</summary>
    internal float* Data { get; }

    /// <summary>Floats of scratch the image of <paramref name="g"/> needs (offsets and slack included).</summary>
    internal static int ScratchLength(in ConvGeometry g) =>
        RoundUp(g.PatchLength) + (g.Stride * g.Kernel * g.InChannels * Rows(g) * g.OutWidth) + Slack;

    /// <summary>Writes every row of every copy from one sample <paramref name="x"/>, [C, H, W] (padding included, so nothing is cleared first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Fill(float* x, CpuPath path)
    {
        var vector = path == CpuPath.Vector512 && Avx512F.IsSupported && _stride <= 2;
        // Stride 1 with the output as wide as the input ("same" padding): each copy's rows of input are the input
        // plane itself, shifted by j − p, so they are written as one run instead of row by row.
        var planes = vector && _stride == 1 && Width == _inWidth;
        if (vector && !planes && Width <= Vector512<float>.Count && (_stride * (Width - 1)) + _kernel <= 3 * Vector512<float>.Count)
        {
            FillNarrow(x);
            return;
        }
        var target = Data;
        for (var c = 0; c < Channels; c++)
        {
            var channel = x + ((long)c * _inHeight * _inWidth);
            for (var a = 0; a < _stride; a++)
            {
                for (var j = 0; j < _kernel; j++)
                {
                    if (planes)
                    {
                        for (var u = 0; u < _rows; u++, target += Width)
                        {
                            if (u == _pad)
                            {
                                if (_inWidth >= Vector512<float>.Count)
                                {
                                    ShiftedRows512(channel, j - _pad, target);
                                }
                                else
                                {
                                    ShiftedPlane512(channel, j - _pad, target);
                                }
                                u += _inHeight - 1;
                                target += (_inHeight - 1) * Width;
                            }
                            else
                            {
                                Zero(target, vector);
                            }
                        }
                        continue;
                    }
                    // Output columns [first, end) read input column s·ow + j − p inside the input; the rest are padding.
                    var shift = j - _pad;
                    var first = Math.Min(Width, shift >= 0 ? 0 : (-shift + _stride - 1) / _stride);
                    var last = _inWidth - 1 - shift;
                    var end = last < 0 ? first : Math.Max(first, Math.Min(Width, (last / _stride) + 1));
                    for (var u = 0; u < _rows; u++, target += Width)
                    {
                        var ih = (_stride * u) + a - _pad;
                        if ((uint)ih >= (uint)_inHeight)
                        {
                            Zero(target, vector);
                        }
                        else if (vector)
                        {
                            Row512(channel + ((long)ih * _inWidth) + shift, first, end, target);
                        }
                        else
                        {
                            Row(channel + ((long)ih * _inWidth) + shift, first, end, target);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// <c>target[q] = source[q + shift]</c> over a whole [H, W] plane, zero where column <c>q mod W</c> + shift falls outside
    /// the row: 16 values per step, the column of each lane carried along (not divided), masked loads reading only the
    /// values kept. The last step stores a whole vector into the rows written after it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ShiftedPlane512(float* source, int shift, float* target)
    {
        var length = _inHeight * _inWidth;
        var lanes = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        var width = Vector512.Create(_inWidth);
        var step = Vector512.Create(Vector512<float>.Count % _inWidth);
        // Lane l's column, l mod W, without a division: lanes past W wrap at most 16 / W times.
        var column = lanes;
        while (Vector512.GreaterThanOrEqualAny(column, width))
        {
            column -= width & Vector512.GreaterThanOrEqual(column, width);
        }
        var low = Vector512.Create(-shift);
        var high = Vector512.Create(_inWidth - shift);
        for (var q = 0; q < length; q += Vector512<float>.Count)
        {
            var keep = Vector512.GreaterThanOrEqual(column, low) & Vector512.LessThan(column, high) & Vector512.LessThan(lanes, Vector512.Create(length - q));
            Avx512F.MaskLoad(source + q + shift, keep.AsSingle(), Vector512<float>.Zero).Store(target + q);
            column += step;
            column -= width & Vector512.GreaterThanOrEqual(column, width);
        }
    }

    /// <summary>
    /// <see cref="ShiftedPlane512"/> row by row, for rows of 16 values or more: each vector's mask depends only on its place in
    /// the row, so no lane's column is carried from vector to vector (that chain of dependent steps made LeNet-5's 1 → 6 copy
    /// cost as much as half its tiles). Rows go in order: a row's last store, running into the next row, is overwritten by it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ShiftedRows512(float* source, int shift, float* target)
    {
        var lanes = Vector512.CreateSequence(0, 1);
        var low = Vector512.Create(-shift);
        var high = Vector512.Create(Math.Min(_inWidth, _inWidth - shift));
        for (var ih = 0; ih < _inHeight; ih++, source += _inWidth, target += Width)
        {
            for (var ow = 0; ow < _inWidth; ow += Vector512<float>.Count)
            {
                var column = lanes + Vector512.Create(ow);
                var keep = (Vector512.GreaterThanOrEqual(column, low) & Vector512.LessThan(column, high)).AsSingle();
                Avx512F.MaskLoad(source + ow + shift, keep, Vector512<float>.Zero).Store(target + ow);
            }
        }
    }

    /// <summary>
    /// Output rows of at most 16 values whose kernel columns' values all lie inside 48 input values (s·(W′ − 1) + k ≤ 48:
    /// every such row at strides 1 and 2, e.g. 8 or 16 outputs of a 3×3 kernel at stride 2, or LeNet-5's 10 outputs of a
    /// 5×5 kernel on 14 columns at stride 1, which row by row took 420 masked row copies): each input row is read once,
    /// two masked loads (three when some copy reaches past its 32nd value), and each of the k copies' rows is one permute
    /// of them (lane ow takes value s·ow + j; two permutes and a blend for a copy whose lanes reach past the 32nd value)
    /// and one masked store. The planes of a stride-1 "same" convolution are copied whole instead
    /// (<see cref="ShiftedPlane512"/>).
    /// </summary>
    /// <remarks>
    /// The third value vector was added for resnet8's 16 → 32 stride-2 layer on 32×32 (16 outputs reaching input column
    /// 31, the 33rd value from column −1), whose 1,632 copy rows went one masked row copy each (<see cref="Row512"/>).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FillNarrow(float* x)
    {
        const int V = 16;
        var sequence = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        // Input columns −p + e, e in [0, 48): read when inside the row and used by some copy (e < s·(W′ − 1) + k).
        var used = Vector512.Create((_stride * (Width - 1)) + _kernel);
        var width = Vector512.Create(_inWidth);
        var lowColumns = sequence - Vector512.Create(_pad);
        var low = Read(sequence, lowColumns, used, width);
        var high = Read(sequence + Vector512.Create(V), lowColumns + Vector512.Create(V), used, width);
        var top = Read(sequence + Vector512.Create(2 * V), lowColumns + Vector512.Create(2 * V), used, width);
        // The last lane of copy j takes value s·(W′ − 1) + j: copies with j ≥ 2·16 − that reach into the third vector.
        var reach = _stride * (Width - 1);
        var third = reach + _kernel > 2 * V;
        var store = Vector512.LessThan(sequence, Vector512.Create(Width)).AsSingle();
        var spread = sequence * _stride;
        var block = _stride * _kernel * Plane;
        for (var c = 0; c < Channels; c++)
        {
            var channel = x + ((long)c * _inHeight * _inWidth) - _pad;
            for (var a = 0; a < _stride; a++)
            {
                var copies = Data + ((long)c * block) + (a * _kernel * Plane);
                for (var u = 0; u < _rows; u++)
                {
                    var ih = (_stride * u) + a - _pad;
                    var inside = (uint)ih < (uint)_inHeight;
                    var row = channel + ((long)ih * _inWidth);
                    var lower = inside ? Avx512F.MaskLoad(row, low, Vector512<float>.Zero) : Vector512<float>.Zero;
                    var upper = inside ? Avx512F.MaskLoad(row + V, high, Vector512<float>.Zero) : Vector512<float>.Zero;
                    var last = inside && third ? Avx512F.MaskLoad(row + (2 * V), top, Vector512<float>.Zero) : Vector512<float>.Zero;
                    var target = copies + (u * Width);
                    for (var j = 0; j < _kernel; j++, target += Plane)
                    {
                        var index = spread + Vector512.Create(j);
                        var values = Avx512F.PermuteVar16x32x2(lower, index, upper);
                        if (reach + j >= 2 * V)
                        {
                            // Lanes taking value 32 or later take it from the second and third vectors.
                            var beyond = Vector512.GreaterThanOrEqual(index, Vector512.Create(2 * V)).AsSingle();
                            values = Vector512.ConditionalSelect(beyond, Avx512F.PermuteVar16x32x2(upper, index - Vector512.Create(V), last), values);
                        }
                        // Copies of one row phase follow each other: a whole-vector store would spill into the next copy's first row, already written.
                        Avx512F.MaskStore(target, store, values);
                    }
                }
            }
        }
    }

    /// <summary>
    /// The load mask of one vector of <see cref="FillNarrow"/>'s input values: lane l holds value <paramref name="value"/>[l], input
    /// column <paramref name="column"/>[l], read when some copy uses it (value &lt; <paramref name="used"/>) and it lies inside the row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Read(Vector512<int> value, Vector512<int> column, Vector512<int> used, Vector512<int> width) =>
        (Vector512.LessThan(value, used) & Vector512.GreaterThanOrEqual(column, Vector512<int>.Zero) & Vector512.LessThan(column, width)).AsSingle();

    /// <summary>Zeroes one row (rows are 8–32 floats: a call to a general clear would cost more than the stores).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Zero(float* target, bool vector)
    {
        var ow = 0;
        if (vector)
        {
            // Whole vectors, the last one running into the next row or the slack (written after it).
            for (; ow < Width; ow += Vector512<float>.Count)
            {
                Vector512<float>.Zero.Store(target + ow);
            }
        }
        for (; ow < Width; ow++)
        {
            target[ow] = 0;
        }
    }

    /// <summary><c>target[ow] = source[s·ow]</c> for ow in [<paramref name="first"/>, <paramref name="end"/>), zero elsewhere in the row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Row(float* source, int first, int end, float* target)
    {
        for (var ow = 0; ow < first; ow++)
        {
            target[ow] = 0;
        }
        for (var ow = first; ow < end; ow++)
        {
            target[ow] = source[_stride * ow];
        }
        for (var ow = end; ow < Width; ow++)
        {
            target[ow] = 0;
        }
    }

    /// <summary>
    /// <see cref="Row"/> for strides 1 and 2, 16 columns per step: masked loads read only the columns inside the input
    /// (masked-off lanes neither read memory nor fault, and load zero), stride 2 keeps the even ones with one permute.
    /// The last step stores whole vectors past the row's end: into the next row, written after it, or the slack.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Row512(float* source, int first, int end, float* target)
    {
        var lanes = Vector512.CreateSequence(0, 1);
        var evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        for (var ow = 0; ow < Width; ow += Vector512<float>.Count)
        {
            if (_stride == 1)
            {
                var inside = Vector512.GreaterThanOrEqual(lanes, Vector512.Create(first - ow)) & Vector512.LessThan(lanes, Vector512.Create(end - ow));
                Avx512F.MaskLoad(source + ow, inside.AsSingle(), Vector512<float>.Zero).Store(target + ow);
            }
            else
            {
                // Input columns 2·ow + e, e in [0, 32): those from 2·first to 2·(end − 1) are read (the last one read is
                // the last one kept, so no load strays past the input), and the even ones kept.
                var low = Vector512.Create((2 * first) - (2 * ow));
                var high = Vector512.Create((2 * end) - (2 * ow) - 1);
                var lower = Vector512.GreaterThanOrEqual(lanes, low) & Vector512.LessThan(lanes, high);
                var upper = Vector512.GreaterThanOrEqual(lanes + Vector512.Create(16), low) & Vector512.LessThan(lanes + Vector512.Create(16), high);
                var from = source + (2 * ow);
                var even = Avx512F.PermuteVar16x32x2(
                    Avx512F.MaskLoad(from, lower.AsSingle(), Vector512<float>.Zero), evens, Avx512F.MaskLoad(from + 16, upper.AsSingle(), Vector512<float>.Zero));
                even.Store(target + ow);
            }
        }
    }

    /// <summary>Rows of each plane: the output's plus the ⌊(k − 1)/s⌋ the lowest taps reach below it.</summary>
    private static int Rows(in ConvGeometry g) => g.OutHeight + ((g.Kernel - 1) / g.Stride);

    private static int RoundUp(int count) => (count + 15) / 16 * 16;
}
