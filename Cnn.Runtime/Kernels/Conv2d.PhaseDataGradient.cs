using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// The data gradient of a strided convolution, phase by phase. Input position <c>s·u + a</c> (padded coordinates)
/// receives only from kernel rows i with <c>i·d ≡ a (mod s)</c>, from output row <c>u − ⌊i·d/s⌋</c>; so each of the
/// s² phases of the padded input gradient is a stride-1 correlation of dy with a sub-kernel:
/// <c>dX_ab[c, u, v] = Σ W[oc, c, i, j] · dy[oc, u − ⌊i·d/s⌋, v − ⌊j·d/s⌋]</c> over i ∈ I_a, j ∈ J_b. With dy copied
/// into zero-padded planes, every (oc, i, j) row is a shifted slice again and the multiply reads it in place, as
/// the forward pass does; the phase results are then added into dx at stride s. No col2im.
/// </summary>
public static unsafe partial class Conv2d
{
    /// <summary>Layout of the phase data gradient's scratch and sizes, shared by the scratch count and the pass.</summary>
    private readonly struct PhasePlan
    {
        internal PhasePlan(in ConvGeometry g)
        {
            Reach = (g.Kernel - 1) * g.Dilation / g.Stride;
            PhaseHeight = (g.InHeight + (2 * g.Pad) + g.Stride - 1) / g.Stride;
            PhaseWidth = (g.InWidth + (2 * g.Pad) + g.Stride - 1) / g.Stride;
            Width = PhaseWidth + Reach;
            Plane = (PhaseHeight + Reach) * Width;
            Positions = PhaseHeight * Width;
            var widest = 0;
            for (var a = 0; a < g.Stride; a++)
            {
                widest = Math.Max(widest, Taps(g, a));
            }
            MaxDepth = g.GroupOutChannels * widest * widest;
            Gradient = RoundUp16(g.GroupOutChannels * g.Kernel * g.Kernel) + (g.GroupOutChannels * Plane) + Reach + (4 * Width) + 64;
            Weights = g.Stride * g.Stride * PackedGemm.PackedALength(g.GroupInChannels, MaxDepth);
        }

        /// <summary>⌊(k − 1)·d/s⌋: how far back a tap reaches in output rows, the zero border of the dy planes.</summary>
        internal int Reach { get; }

        /// <summary>Rows of a phase plane of the padded input.</summary>
        internal int PhaseHeight { get; }

        /// <summary>Columns of a phase plane of the padded input.</summary>
        internal int PhaseWidth { get; }

        /// <summary>Row width of the dy planes (and of the multiply's positions).</summary>
        internal int Width { get; }

        /// <summary>Floats per dy plane.</summary>
        internal int Plane { get; }

        /// <summary>Positions of one phase: PhaseHeight rows of <see cref="Width"/>.</summary>
        internal int Positions { get; }

        /// <summary>The largest K of a phase: filters × taps of the fullest phase.</summary>
        internal int MaxDepth { get; }

        /// <summary>Floats of the row offsets and the zero-bordered dy planes (with slack for the reads of dropped columns and of a last panel's missing rows).</summary>
        internal int Gradient { get; }

        /// <summary>Floats of every phase's packed sub-kernel weights.</summary>
        internal int Weights { get; }

        /// <summary>Column-window copies of stride 2 (<see cref="Stride2Phases"/>): one per column phase and horizontal tap shift.</summary>
        internal int WindowKeys => 2 * (Reach + 1);

        /// <summary>Floats of one column-window copy: every filter's plane rows, as wide as a window that takes copies can be.</summary>
        internal int WindowCopy(in ConvGeometry g) => g.GroupOutChannels * (PhaseHeight + Reach) * Math.Min(PhaseWidth, MaxWindowColumns);

        /// <summary>
        /// Floats of the phase products: stride 2 keeps both column phases of a row phase, then a zero row for phases
        /// no tap reaches, the column-window offsets and copies (with slack for a last panel's reads).
        /// </summary>
        internal int Products(in ConvGeometry g) =>
            g.Stride == 2
                ? (2 * g.GroupInChannels * Positions) + RoundUp16(PhaseWidth) + 16 + RoundUp16(g.GroupOutChannels * g.Kernel * g.Kernel)
                    + (HasColumnWindows(g, this) ? (WindowKeys * WindowCopy(g)) + 64 : 0)
                : g.GroupInChannels * Positions;

        /// <summary>Scratch of the whole pass.</summary>
        internal int ScratchLength(in ConvGeometry g) =>
            Gradient + Weights + (g.GroupInChannels * g.GroupOutChannels * g.Kernel * g.Kernel) + Products(g) + Gemm.ScratchLength(g.GroupInChannels, Positions, MaxDepth);
    }

    /// <summary>Kernel rows i with i·d ≡ a (mod s).</summary>
    private static int Taps(in ConvGeometry g, int a)
    {
        var count = 0;
        for (var i = 0; i < g.Kernel; i++)
        {
            count += i * g.Dilation % g.Stride == a ? 1 : 0;
        }
        return count;
    }

    private static int RoundUp16(int count) => (count + 15) / 16 * 16;

    /// <summary>dx (+)= the data gradient of a strided convolution.</summary>
    private static void PhaseDataGradient(in ConvGeometry g, int n, float* dy, float* weight, float* dx, bool accumulate, float* work, CpuPath path)
    {
        // Stride 2 writes every value of dx from its two column phases at once; larger strides add phase by phase.
        if (!accumulate && g.Stride != 2)
        {
            new Span<float>(dx, n * g.InputLength).Clear();
        }
        var plan = new PhasePlan(g);
        int icg = g.GroupInChannels, ocg = g.GroupOutChannels, s = g.Stride, area = g.Kernel * g.Kernel;
        var offsets = (int*)work;
        var planes = work + RoundUp16(ocg * area);
        var packed = work + plan.Gradient;
        var dense = packed + plan.Weights;
        var product = dense + (icg * ocg * area);
        var gemmWork = product + plan.Products(g);
        new Span<float>(planes, plan.Gradient - RoundUp16(ocg * area)).Clear();
        var packedLength = PackedGemm.PackedALength(icg, plan.MaxDepth);
        // Phase (a, b) uses rows offsets[phaseStart..] and weights packed at packed + phase·packedLength.
        var phaseStart = stackalloc int[s * s];
        var depths = stackalloc int[s * s];
        var rowCounts = stackalloc int[s * s];
        for (var group = 0; group < g.Groups; group++)
        {
            var next = 0;
            for (var phase = 0; phase < s * s; phase++)
            {
                phaseStart[phase] = next;
                depths[phase] = ocg * Taps(g, phase / s) * Taps(g, phase % s);
                next += depths[phase];
            }
            PhaseRows(g, plan, weight + (group * ocg * icg * area), phaseStart, offsets, dense);
            for (var phase = 0; phase < s * s; phase++)
            {
                rowCounts[phase] = depths[phase] == 0 ? 0 : PackedGemm.PackAll(true, dense + (phaseStart[phase] * icg), icg, icg, depths[phase], packed + (phase * packedLength), path);
            }
            var windows = s == 2 ? PlanWindows(g, plan, depths, phaseStart, product, path) : default;
            var fillsPlanes = s != 2 || ReadsPlanes(g, plan, depths, path);
            var tiles = s == 2 ? Stride2Tiles(g, plan, depths, path) : 0;
            for (var sample = 0; sample < n; sample++)
            {
                var gradOut = dy + ((long)sample * g.OutputLength) + (group * ocg * g.OutPlane);
                var gradIn = dx + ((long)sample * g.InputLength) + (group * icg * g.InPlane);
                // The next sample's dy and dx, a few lines after each tile of this one's multiplies.
                var prefetch = s == 2 && sample + 1 < n && g.Groups == 1
                    ? new SamplePrefetch(gradOut + g.OutputLength, g.OutputLength, gradIn + g.InputLength, g.InputLength, tiles)
                    : default;
                if (s == 2 && ReadsGradientInPlace(g, plan, path))
                {
                    var phases = new PhaseSet(packed, packedLength, rowCounts, depths, phaseStart, offsets, gradOut, windows);
                    Stride2Phases(g, plan, phases, gradOut, product, gemmWork, gradIn, accumulate, path, ref prefetch);
                    continue;
                }
                if (fillsPlanes)
                {
                    CopyGradient(g, plan, gradOut, planes);
                }
                if (s == 2)
                {
                    var phases = new PhaseSet(packed, packedLength, rowCounts, depths, phaseStart, offsets, planes, windows);
                    Stride2Phases(g, plan, phases, gradOut, product, gemmWork, gradIn, accumulate, path, ref prefetch);
                    continue;
                }
                for (var phase = 0; phase < s * s; phase++)
                {
                    if (depths[phase] == 0)
                    {
                        continue;
                    }
                    var weights = new PrepackedA(packed + (phase * packedLength), rowCounts[phase]);
                    var window = new PhaseWindow(g, plan, phase / s, phase % s);
                    if (ReadsRealOutputs(window.Columns, path) && window.Rows > 0)
                    {
                        // Only the window that lands inside the input: its rows of whole (or paired half) vectors.
                        var origin = planes + (window.FirstRow * plan.Width) + window.FirstColumn;
                        PackedGemm.LoopShifted(icg, window.Rows * window.Columns, depths[phase], weights, origin, offsets + phaseStart[phase], window.Columns, plan.Width, product, window.Rows * window.Columns, false, gemmWork, path);
                        AddPhase(g, window, product, window.Rows * window.Columns, window.Columns, gradIn, path);
                    }
                    else
                    {
                        MultiplyShifted(icg, plan.Positions, depths[phase], weights, planes, offsets + phaseStart[phase], product, gemmWork, path);
                        AddPhase(g, window, product + (window.FirstRow * plan.Width) + window.FirstColumn, plan.Positions, plan.Width, gradIn, path);
                    }
                }
            }
        }
    }

    /// <summary>Micro-kernel tiles of one sample's stride-2 phase multiplies (what <see cref="SamplePrefetch"/> spreads the next sample over).</summary>
    private static int Stride2Tiles(in ConvGeometry g, in PhasePlan plan, int* depths, CpuPath path)
    {
        var tiles = 0;
        for (var phase = 0; phase < 4; phase++)
        {
            var window = new PhaseWindow(g, plan, phase / 2, phase % 2);
            if (depths[phase] > 0 && window.Columns > 0)
            {
                tiles += PackedGemm.Tiles(g.GroupInChannels, window.Rows * window.Columns, depths[phase], path);
            }
        }
        return tiles;
    }

    /// <summary>
    /// Whether some stride-2 phase a tap reaches multiplies from the zero-bordered dy planes; when every one reads
    /// column-window copies (ResNet-8's 32→64 layer, 8-wide windows), which are cut from dy itself, the planes are not filled.
    /// </summary>
    private static bool ReadsPlanes(in ConvGeometry g, in PhasePlan plan, int* depths, CpuPath path)
    {
        for (var phase = 0; phase < 4; phase++)
        {
            var window = new PhaseWindow(g, plan, phase / 2, phase % 2);
            if (depths[phase] > 0 && window.Columns > 0 && !ReadsColumnWindow(plan, window, path))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Whether the multiplies can read dy itself as the planes: unpadded 1×1 kernels, whose planes have no border and
    /// are exactly dy's, on Vector512 with planes of whole 32-column panels (so no read goes past a plane).
    /// </summary>
    private static bool ReadsGradientInPlace(in ConvGeometry g, in PhasePlan plan, CpuPath path) =>
        g.Kernel == 1 && g.Pad == 0 && plan.Width == g.OutWidth && plan.Plane == g.OutPlane && g.OutPlane % 32 == 0 && path == CpuPath.Vector512;

    /// <summary>
    /// One sample's and group's dy into the zero-bordered planes: a plane at a time when the planes have no border
    /// (1×1 kernels), else a row at a time by vectors (a <c>Span.CopyTo</c> per 8- or 16-wide row cost a fifth of the
    /// 1×1 shortcut's data gradient).
    /// </summary>
    private static void CopyGradient(in ConvGeometry g, in PhasePlan plan, float* gradOut, float* planes)
    {
        int width = g.OutWidth, plane = g.OutPlane;
        if (plan.Reach == 0 && plan.Width == width)
        {
            for (var oc = 0; oc < g.GroupOutChannels; oc++)
            {
                new ReadOnlySpan<float>(gradOut + (oc * plane), plane).CopyTo(new Span<float>(planes + (oc * plan.Plane), plane));
            }
            return;
        }
        var vectors = RowCopy.IsSupported;
        var tail = RowCopy.TailMask(width);
        for (var oc = 0; oc < g.GroupOutChannels; oc++)
        {
            var target = planes + (oc * plan.Plane) + (plan.Reach * plan.Width) + plan.Reach;
            for (var oh = 0; oh < g.OutHeight; oh++, gradOut += width, target += plan.Width)
            {
                if (vectors)
                {
                    RowCopy.Copy(gradOut, target, width, tail);
                }
                else
                {
                    new ReadOnlySpan<float>(gradOut, width).CopyTo(new Span<float>(target, width));
                }
            }
        }
    }

    /// <summary>
    /// Fills every phase's row offsets (one per filter and tap: phase (a, b) holds taps i·d ≡ a, j·d ≡ b (mod s), its rows
    /// from <c>phaseStart[a·s + b]</c>, filter-major) and its dense sub-kernel matrix, transposed: <c>[filters × taps, icg]</c>
    /// at <c>dense + phaseStart·icg</c>, each row written in order from one filter's weights (about 30 µs per call on
    /// ResNet-8's 32→64 layer with the row found through tables for every value, as long as one sample's multiplies).
    /// </summary>
    private static void PhaseRows(in ConvGeometry g, in PhasePlan plan, float* weight, int* phaseStart, int* offsets, float* dense)
    {
        int icg = g.GroupInChannels, ocg = g.GroupOutChannels, k = g.Kernel, d = g.Dilation, s = g.Stride, area = k * k;
        var perFilter = stackalloc int[s * s];
        for (var phase = 0; phase < s * s; phase++)
        {
            perFilter[phase] = Taps(g, phase / s) * Taps(g, phase % s);
        }
        var seen = stackalloc int[s * s];
        new Span<int>(seen, s * s).Clear();
        // Row of tap t for filter 0, and how far each further filter moves it.
        var first = stackalloc int[area];
        var step = stackalloc int[area];
        for (var t = 0; t < area; t++)
        {
            int i = t / k, j = t % k;
            var phase = (i * d % s * s) + (j * d % s);
            first[t] = phaseStart[phase] + seen[phase]++;
            step[t] = perFilter[phase];
        }
        for (var oc = 0; oc < ocg; oc++)
        {
            var source = weight + (oc * icg * area);
            for (var t = 0; t < area; t++)
            {
                var row = first[t] + (oc * step[t]);
                offsets[row] = (oc * plan.Plane) + ((plan.Reach - (t / k * d / s)) * plan.Width) + plan.Reach - (t % k * d / s);
                var target = dense + (row * icg);
                for (var c = 0; c < icg; c++)
                {
                    target[c] = source[(c * area) + t];
                }
            }
        }
    }

    /// <summary>The rows and columns of phase (a, b) that land inside the input: u in [FirstRow, FirstRow + Rows), v likewise.</summary>
    private readonly struct PhaseWindow
    {
        internal PhaseWindow(in ConvGeometry g, in PhasePlan plan, int a, int b)
        {
            int s = g.Stride, pad = g.Pad;
            A = a;
            B = b;
            // One past the last row u with s·u + a − p ≤ H − 1, counted from a non-negative numerator: 0 when a − p > H − 1.
            FirstRow = Math.Max(0, (pad - a + s - 1) / s);
            Rows = Math.Max(0, Math.Min(plan.PhaseHeight, (g.InHeight - 1 + pad - a + s) / s) - FirstRow);
            FirstColumn = Math.Max(0, (pad - b + s - 1) / s);
            Columns = Math.Max(0, Math.Min(plan.PhaseWidth, (g.InWidth - 1 + pad - b + s) / s) - FirstColumn);
        }

        internal int A { get; }

        internal int B { get; }

        internal int FirstRow { get; }

        internal int Rows { get; }

        internal int FirstColumn { get; }

        internal int Columns { get; }
    }

    /// <summary>
    /// dx[c, s·u + a − p, s·v + b − p] += the window's values: <paramref name="product"/> holds value (c, u, v) of the
    /// window at <c>c·channelStride + (u − FirstRow)·rowStride + v − FirstColumn</c>.
    /// </summary>
    private static void AddPhase(in ConvGeometry g, in PhaseWindow window, float* product, int channelStride, int rowStride, float* dx, CpuPath path)
    {
        var interleaved = g.Stride == 2 && path == CpuPath.Vector512 && Avx512F.IsSupported;
        int s = g.Stride, pad = g.Pad, a = window.A, b = window.B;
        int firstColumn = window.FirstColumn, lastColumn = window.FirstColumn + window.Columns;
        for (var c = 0; c < g.GroupInChannels; c++)
        {
            for (var row = 0; row < window.Rows; row++)
            {
                var u = window.FirstRow + row;
                var source = product + (c * channelStride) + (row * rowStride) - firstColumn;
                var target = dx + (c * g.InPlane) + (((s * u) + a - pad) * g.InWidth) + b - pad;
                var v = firstColumn;
                if (interleaved)
                {
                    v = AddEveryOther(source, target, v, lastColumn, g.InWidth - b + pad);
                }
                for (; v < lastColumn; v++)
                {
                    target[s * v] += source[v];
                }
            }
        }
    }

    /// <summary>
    /// Stride 2 on AVX-512: <c>target[2v] += source[v]</c> for v in [<paramref name="v"/>, <paramref name="end"/>), eight
    /// values at a time spread over a 16-lane window with zeros in the odd lanes; masked loads and stores keep the
    /// window inside the row (<paramref name="rowEnd"/> = the row's length measured from <paramref name="target"/>).
    /// </summary>
    /// <returns>Where the scalar loop continues (always <paramref name="end"/>).</returns>
    private static int AddEveryOther(float* source, float* target, int v, int end, int rowEnd)
    {
        var spread = Vector512.Create(0, 16, 1, 16, 2, 16, 3, 16, 4, 16, 5, 16, 6, 16, 7, 16);
        var lanes = Vector512.CreateSequence(0, 1);
        for (; v < end; v += 8)
        {
            var count = Math.Min(8, end - v);
            var width = Math.Min(2 * count, rowEnd - (2 * v));
            var values = Avx512F.MaskLoad(source + v, Vector512.LessThan(lanes, Vector512.Create(count)).AsSingle(), Vector512<float>.Zero);
            var window = Vector512.LessThan(lanes, Vector512.Create(width)).AsSingle();
            var sum = Avx512F.MaskLoad(target + (2 * v), window, Vector512<float>.Zero) + Avx512F.PermuteVar16x32x2(values, spread, Vector512<float>.Zero);
            Avx512F.MaskStore(target + (2 * v), window, sum);
        }
        return end;
    }
}
