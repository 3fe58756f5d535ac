using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// The stride-2 case of the phase data gradient: the two column phases of a row phase are multiplied into scratch
/// side by side, then each dx row is written once, its even and odd columns interleaved from the two products
/// (two permutes per 32 values on AVX-512). dx is never cleared and no value of it is read unless accumulating;
/// adding phase by phase into a cleared dx read and wrote each row twice more (masked 16-lane windows half of whose
/// lanes added zeros).
/// </summary>
public static unsafe partial class Conv2d
{
    /// <summary>One group's phase multiplies, as <see cref="PhaseDataGradient"/> prepared them (indexed by phase a·s + b).</summary>
    private readonly struct PhaseSet(float* packed, int packedLength, int* rowCounts, int* depths, int* phaseStart, int* offsets, float* planes, ColumnWindows windows)
    {
        /// <summary>The column-window copies and the offsets of the phases that read them.</summary>
        internal ColumnWindows Windows => windows;

        /// <summary>Row offsets of <paramref name="phase"/> into <see cref="ColumnWindows.Copies"/>.</summary>
        internal int* WindowOffsets(int phase) => windows.Offsets + phaseStart[phase];

        /// <summary>The weights of <paramref name="phase"/>, packed.</summary>
        internal PrepackedA Weights(int phase) => new(packed + (phase * packedLength), rowCounts[phase]);

        /// <summary>K of <paramref name="phase"/>: filters × its taps (0 when no tap reaches it).</summary>
        internal int Depth(int phase) => depths[phase];

        /// <summary>The dy-plane offsets of <paramref name="phase"/>'s rows.</summary>
        internal int* Offsets(int phase) => offsets + phaseStart[phase];

        /// <summary>The zero-bordered dy planes of the current sample.</summary>
        internal float* Planes => planes;
    }

    /// <summary>Where the values of one phase's window lie: value (c, row, column) at <c>Origin + c·ChannelStride + row·RowStride + column</c>.</summary>
    private readonly struct PhaseValues(float* origin, int channelStride, int rowStride)
    {
        internal float* Origin => origin;

        internal int ChannelStride => channelStride;

        internal int RowStride => rowStride;
    }

    /// <summary>
    /// Copies of the dy planes cut to one column phase's window, one per (column phase b, horizontal tap shift dj): a
    /// window row then follows the previous one directly, so the multiply reads its columns as whole vectors. Phases
    /// whose windows are not a whole number of vectors wide take them (ResNet-8's 32→64 layer: 8-wide windows, which
    /// the multiply otherwise reads as two 8-float halves per vector, 130 against 190 GFLOP/s for its GEMM alone).
    /// </summary>
    private readonly struct ColumnWindows(float* copies, int* offsets, int usedKeys)
    {
        internal float* Copies => copies;

        internal int* Offsets => offsets;

        /// <summary>Bit b·(Reach + 1) + dj: the copy of column phase b shifted by dj is read.</summary>
        internal int UsedKeys => usedKeys;
    }

    /// <summary>The widest window read from a column-window copy: narrow windows waste the most lanes read in place, and the copies stay small.</summary>
    private const int MaxWindowColumns = 31;

    /// <summary>Whether phase window <paramref name="window"/> is read from a column-window copy.</summary>
    private static bool ReadsColumnWindow(in PhasePlan plan, in PhaseWindow window, CpuPath path) =>
        path == CpuPath.Vector512 && TakesColumnWindow(plan, window);

    private static bool TakesColumnWindow(in PhasePlan plan, in PhaseWindow window) =>
        window.Rows > 0 && window.Columns <= MaxWindowColumns && window.Columns % 16 != 0 && window.Columns != plan.Width;

    /// <summary>Whether some phase a tap reaches takes column-window copies (on Vector512), so the scratch holds them.</summary>
    private static bool HasColumnWindows(in ConvGeometry g, in PhasePlan plan)
    {
        for (var phase = 0; phase < 4; phase++)
        {
            if (Taps(g, phase / 2) * Taps(g, phase % 2) > 0 && TakesColumnWindow(plan, new PhaseWindow(g, plan, phase / 2, phase % 2)))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Lays out the column-window copies in <paramref name="product"/>'s region and gives each row (filter oc, tap (i, j))
    /// of a phase that reads them its offset there, in <see cref="PhaseRows"/>' order (decoding the rows' dy-plane
    /// offsets instead, four integer divisions a row, took 10 µs per call on ResNet-8's 32→64 layer). Keys whose copies
    /// would be equal (the same window width and the same column shift of dy: at pad 1, column phase 0 shifted by one
    /// tap and column phase 1 unshifted) share the first one's copy.
    /// </summary>
    private static ColumnWindows PlanWindows(in ConvGeometry g, in PhasePlan plan, int* depths, int* phaseStart, float* product, CpuPath path)
    {
        int icg = g.GroupInChannels, k = g.Kernel, d = g.Dilation, area = k * k, copy = plan.WindowCopy(g), rowsPerPlane = plan.PhaseHeight + plan.Reach;
        var windowOffsets = (int*)(product + (2 * icg * plan.Positions) + RoundUp16(plan.PhaseWidth) + 16);
        var copies = (float*)windowOffsets + RoundUp16(g.GroupOutChannels * area);
        var used = 0;
        var windows = stackalloc PhaseWindow[4];
        var next = stackalloc int[4];
        for (var phase = 0; phase < 4; phase++)
        {
            windows[phase] = new PhaseWindow(g, plan, phase / 2, phase % 2);
            next[phase] = phaseStart[phase];
        }
        // Each key's shared key once, not per row: every lookup decodes windows with integer divisions.
        var sharedKeys = stackalloc int[plan.WindowKeys];
        for (var key = 0; key < plan.WindowKeys; key++)
        {
            sharedKeys[key] = SharedKey(g, plan, key);
        }
        for (var oc = 0; oc < g.GroupOutChannels; oc++)
        {
            for (var t = 0; t < area; t++)
            {
                int i = t / k * d, j = t % k * d, phase = (i % 2 * 2) + (j % 2), row = next[phase]++;
                var window = windows[phase];
                if (depths[phase] == 0 || !ReadsColumnWindow(plan, window, path))
                {
                    continue;
                }
                var key = sharedKeys[(window.B * (plan.Reach + 1)) + (j / 2)];
                used |= 1 << key;
                windowOffsets[row] = (key * copy) + (((oc * rowsPerPlane) + window.FirstRow + plan.Reach - (i / 2)) * window.Columns);
            }
        }
        return new ColumnWindows(copies, windowOffsets, used);
    }

    /// <summary>The first key whose copy equals <paramref name="key"/>'s: the same window width and dy column shift.</summary>
    private static int SharedKey(in ConvGeometry g, in PhasePlan plan, int key)
    {
        var (columns, shift) = WindowShift(g, plan, key);
        for (var first = 0; first < key; first++)
        {
            if (WindowShift(g, plan, first) == (columns, shift))
            {
                return first;
            }
        }
        return key;
    }

    /// <summary>
    /// Key b·(Reach + 1) + dj's window width and the dy column its first column reads: copy row r, column t holds
    /// <c>dy[oc, r − Reach, t + Shift]</c> (zero outside dy).
    /// </summary>
    private static (int Columns, int Shift) WindowShift(in ConvGeometry g, in PhasePlan plan, int key)
    {
        var window = new PhaseWindow(g, plan, 0, key / (plan.Reach + 1));
        return (window.Columns, window.FirstColumn - (key % (plan.Reach + 1)));
    }

    /// <summary>
    /// Fills the column-window copies the phases read straight from this sample's dy (no zero-bordered planes in
    /// between): copy row r of filter oc is dy's row r − Reach shifted by the key's column shift, zeros outside dy.
    /// 8-wide windows of 8-wide dy rows move two rows per 512-bit permute.
    /// </summary>
    private static void CopyColumnWindows(in ConvGeometry g, in PhasePlan plan, in ColumnWindows windows, float* gradOut)
    {
        int rowsPerPlane = plan.PhaseHeight + plan.Reach, width = g.OutWidth, height = g.OutHeight;
        var lanes = Vector512<int>.Indices;
        for (var key = 0; key < plan.WindowKeys; key++)
        {
            if ((windows.UsedKeys & (1 << key)) == 0)
            {
                continue;
            }
            var (columns, shift) = WindowShift(g, plan, key);
            var target = windows.Copies + (key * plan.WindowCopy(g));
            // Lanes t with dy column t + shift inside the row, in each of a window row's two vectors; the lanes a row stores.
            var inside = WindowLanes(lanes, Math.Max(0, -shift), Math.Min(columns, width - shift));
            var inside16 = WindowLanes(lanes + Vector512.Create(16), Math.Max(0, -shift), Math.Min(columns, width - shift));
            var store = Vector512.LessThan(lanes, Vector512.Create(columns)).AsSingle();
            var store16 = Vector512.LessThan(lanes, Vector512.Create(columns - 16)).AsSingle();
            var paired = columns == 8 && width == 8;
            // Two 8-wide rows per vector: lane l takes row column (l mod 8) + shift, or zero (index 16 reads the zero operand).
            var column = (lanes & Vector512.Create(7)) + Vector512.Create(shift);
            var pairIndex = Vector512.ConditionalSelect(WindowLanes(column, 0, 8), (lanes & Vector512.Create(8)) + column, Vector512.Create(16));
            for (var oc = 0; oc < g.GroupOutChannels; oc++)
            {
                var plane = gradOut + (oc * g.OutPlane);
                var row = 0;
                for (; row < plan.Reach; row++, target += columns)
                {
                    ZeroRow(target, columns, store, store16);
                }
                if (paired)
                {
                    for (var r = 0; r + 2 <= height; r += 2, row += 2, target += 16)
                    {
                        Avx512F.PermuteVar16x32x2(Vector512.Load(plane + (r * 8)), pairIndex, Vector512<float>.Zero).Store(target);
                    }
                }
                for (; row < plan.Reach + height; row++, target += columns)
                {
                    var source = plane + ((row - plan.Reach) * width) + shift;
                    Avx512F.MaskStore(target, store, Avx512F.MaskLoad(source, inside.AsSingle(), Vector512<float>.Zero));
                    if (columns > 16)
                    {
                        Avx512F.MaskStore(target + 16, store16, Avx512F.MaskLoad(source + 16, inside16.AsSingle(), Vector512<float>.Zero));
                    }
                }
                for (; row < rowsPerPlane; row++, target += columns)
                {
                    ZeroRow(target, columns, store, store16);
                }
            }
        }
    }

    /// <summary>The lanes l (of a vector starting at window column t₀, <paramref name="lanes"/> = t₀ + l) with <c>lo ≤ t₀ + l &lt; hi</c>.</summary>
    private static Vector512<int> WindowLanes(Vector512<int> lanes, int lo, int hi) =>
        Vector512.GreaterThanOrEqual(lanes, Vector512.Create(lo)) & Vector512.LessThan(lanes, Vector512.Create(hi));

    /// <summary>Zeros one window row of <paramref name="columns"/> floats (at most 31).</summary>
    private static void ZeroRow(float* target, int columns, Vector512<float> store, Vector512<float> store16)
    {
        Avx512F.MaskStore(target, store, Vector512<float>.Zero);
        if (columns > 16)
        {
            Avx512F.MaskStore(target + 16, store16, Vector512<float>.Zero);
        }
    }

    /// <summary>dx (+)= one sample's and group's stride-2 data gradient, each dx row written once from its two column phases.</summary>
    private static void Stride2Phases(in ConvGeometry g, in PhasePlan plan, in PhaseSet phases, float* gradOut, float* product, float* gemmWork, float* dx, bool accumulate, CpuPath path,
        ref SamplePrefetch prefetch)
    {
        int icg = g.GroupInChannels, pad = g.Pad;
        var zeros = product + (2 * icg * plan.Positions);
        new Span<float>(zeros, RoundUp16(plan.PhaseWidth) + 16).Clear();
        var vector = path == CpuPath.Vector512 && Avx512F.IsSupported;
        if (phases.Windows.UsedKeys != 0)
        {
            CopyColumnWindows(g, plan, phases.Windows, gradOut);
        }
        for (var a = 0; a < 2; a++)
        {
            var rows = new PhaseWindow(g, plan, a, 0).Rows;
            if (rows == 0)
            {
                continue;
            }
            // Input column iw comes from column phase (iw + p) mod 2, at window column ⌊iw / 2⌋; likewise rows.
            var even = PhaseProduct(g, plan, phases, a, pad & 1, product + ((pad & 1) * icg * plan.Positions), zeros, gemmWork, path, ref prefetch);
            var odd = PhaseProduct(g, plan, phases, a, (pad + 1) & 1, product + (((pad + 1) & 1) * icg * plan.Positions), zeros, gemmWork, path, ref prefetch);
            if (accumulate && even.ChannelStride == 0 && odd.ChannelStride == 0)
            {
                // No tap reaches these rows (1×1 kernels' odd rows): they would add zeros.
                continue;
            }
            var firstRow = (a + pad) & 1;
            // 16-wide dx rows (8×8 outputs) whose two phases' window rows follow each other, or are the zero row (1×1 kernels'
            // odd columns): two rows per step, unmasked.
            var pairs = vector && g.InWidth == 16 && FollowsInPairs(even) && FollowsInPairs(odd);
            for (var c = 0; c < icg; c++)
            {
                var row = 0;
                if (pairs)
                {
                    for (; row + 2 <= rows; row += 2)
                    {
                        InterleaveRowPair(even.Origin + (c * even.ChannelStride) + (row * even.RowStride), odd.Origin + (c * odd.ChannelStride) + (row * odd.RowStride),
                            dx + (c * g.InPlane) + ((firstRow + (2 * row)) * 16), accumulate);
                    }
                }
                for (; row < rows; row++)
                {
                    var evenRow = even.Origin + (c * even.ChannelStride) + (row * even.RowStride);
                    var oddRow = odd.Origin + (c * odd.ChannelStride) + (row * odd.RowStride);
                    var target = dx + (c * g.InPlane) + ((firstRow + (2 * row)) * g.InWidth);
                    if (vector)
                    {
                        InterleaveRow(evenRow, oddRow, target, g.InWidth, accumulate);
                    }
                    else
                    {
                        for (var iw = 0; iw < g.InWidth; iw++)
                        {
                            var value = (iw & 1) == 0 ? evenRow[iw >> 1] : oddRow[iw >> 1];
                            target[iw] = accumulate ? target[iw] + value : value;
                        }
                    }
                }
            }
        }
    }

    /// <summary>Whether a phase's window rows are 8 values one after another, or the zero row (16 zeros, read for every row).</summary>
    private static bool FollowsInPairs(in PhaseValues values) => values.RowStride == 8 || (values.RowStride == 0 && values.ChannelStride == 0);

    /// <summary>Multiplies phase (a, b) into <paramref name="buffer"/> and says where its window's values lie (a zero row when no tap reaches the phase).</summary>
    private static PhaseValues PhaseProduct(in ConvGeometry g, in PhasePlan plan, in PhaseSet phases, int a, int b, float* buffer, float* zeros, float* gemmWork, CpuPath path,
        ref SamplePrefetch prefetch)
    {
        var phase = (2 * a) + b;
        var window = new PhaseWindow(g, plan, a, b);
        var depth = phases.Depth(phase);
        if (depth == 0 || window.Columns == 0)
        {
            return new PhaseValues(zeros, 0, 0);
        }
        var icg = g.GroupInChannels;
        var positions = window.Rows * window.Columns;
        if (ReadsColumnWindow(plan, window, path))
        {
            PackedGemm.LoopShifted(icg, positions, depth, phases.Weights(phase), phases.Windows.Copies, phases.WindowOffsets(phase), positions, positions, buffer, positions, false, gemmWork, path, ref prefetch);
            return new PhaseValues(buffer, positions, window.Columns);
        }
        if (ReadsRealOutputs(window.Columns, path) || (path == CpuPath.Vector512 && window.Columns == plan.Width))
        {
            // Only the window that lands inside the input: its rows of whole (or paired half) vectors, or one run when they follow each other.
            var origin = phases.Planes + (window.FirstRow * plan.Width) + window.FirstColumn;
            var run = window.Columns == plan.Width;
            PackedGemm.LoopShifted(icg, positions, depth, phases.Weights(phase), origin, phases.Offsets(phase), run ? positions : window.Columns, run ? positions : plan.Width, buffer, positions, false, gemmWork, path, ref prefetch);
            return new PhaseValues(buffer, positions, window.Columns);
        }
        MultiplyShifted(icg, plan.Positions, depth, phases.Weights(phase), phases.Planes, phases.Offsets(phase), buffer, gemmWork, path);
        return new PhaseValues(buffer + (window.FirstRow * plan.Width) + window.FirstColumn, plan.Positions, plan.Width);
    }

    /// <summary>
    /// <see cref="InterleaveRow"/> for two 16-wide dx rows 32 floats apart (every other row of a 16-wide input) whose 8 even
    /// and 8 odd values each follow one another (or are zeros): one load per phase and one permute and one store per row, no
    /// masks (the masked path took about a tenth of ResNet-8's 32→64 data gradient).
    /// </summary>
    private static void InterleaveRowPair(float* even, float* odd, float* target, bool accumulate)
    {
        var e = Vector512.Load(even);
        var o = Vector512.Load(odd);
        var first = Avx512F.PermuteVar16x32x2(e, Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23), o);
        var second = Avx512F.PermuteVar16x32x2(e, Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31), o);
        if (accumulate)
        {
            first += Vector512.Load(target);
            second += Vector512.Load(target + 32);
        }
        first.Store(target);
        second.Store(target + 32);
    }

    /// <summary>
    /// <c>target[2t] (+)= even[t]</c>, <c>target[2t + 1] (+)= odd[t]</c> for a row of <paramref name="width"/> values: 32 per
    /// step from two loads and two two-source permutes, masked at the row's end (nothing read or written past it).
    /// </summary>
    private static void InterleaveRow(float* even, float* odd, float* target, int width, bool accumulate)
    {
        var low = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        var high = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        var t = 0;
        for (; (2 * t) + 32 <= width; t += 16, target += 32)
        {
            var e = Vector512.Load(even + t);
            var o = Vector512.Load(odd + t);
            var first = Avx512F.PermuteVar16x32x2(e, low, o);
            var second = Avx512F.PermuteVar16x32x2(e, high, o);
            if (accumulate)
            {
                first += Vector512.Load(target);
                second += Vector512.Load(target + 16);
            }
            first.Store(target);
            second.Store(target + 16);
        }
        var count = width - (2 * t);
        if (count > 0)
        {
            var lanes = Vector512<int>.Indices;
            var e = Avx512F.MaskLoad(even + t, Vector512.LessThan(lanes, Vector512.Create((count + 1) / 2)).AsSingle(), Vector512<float>.Zero);
            var o = Avx512F.MaskLoad(odd + t, Vector512.LessThan(lanes, Vector512.Create(count / 2)).AsSingle(), Vector512<float>.Zero);
            var firstMask = Vector512.LessThan(lanes, Vector512.Create(count)).AsSingle();
            var secondMask = Vector512.LessThan(lanes, Vector512.Create(count - 16)).AsSingle();
            var first = Avx512F.PermuteVar16x32x2(e, low, o);
            var second = Avx512F.PermuteVar16x32x2(e, high, o);
            if (accumulate)
            {
                first += Avx512F.MaskLoad(target, firstMask, Vector512<float>.Zero);
                second += Avx512F.MaskLoad(target + 16, secondMask, Vector512<float>.Zero);
            }
            Avx512F.MaskStore(target, firstMask, first);
            Avx512F.MaskStore(target + 16, secondMask, second);
        }
    }
}
