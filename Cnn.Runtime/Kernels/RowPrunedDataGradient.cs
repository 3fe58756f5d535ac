using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// The data gradient of a stride-1 convolution whose input rows fit one vector, computed directly over whole rows of dx:
/// <c>dx[c, y, x] = Σ_f Σ_i Σ_j W[f, c, i, j] · dy[f, y + p − i, x + p − j]</c>, x in the vector lanes. A tile is 6 input channels
/// × 4 rows of dx (24 accumulators); for each (f, i) it computes only the rows whose dy row <c>y + p − i</c> exists, so the kernel
/// rows that would fall on dy's zero padding above and below cost nothing. <see cref="DirectConv"/> on dy padded on every side
/// (<c>Conv2d</c>'s other direct data gradient) multiplies them by zeros: on LeNet-5's 6 → 16 layer (5×5, no padding, dx 14 rows
/// from dy's 10) 20 of the 70 row pairs, and its padded rows of 18 put 14 positions in each 16 lanes besides.
/// </summary>
/// <remarks>
/// Horizontally dy is padded in a per-sample copy, each row at <c>k − 1 − p</c> zeros from the left of a row of whole vectors, so
/// lane x of tap j reads <c>dy[f, oh, x + p − j]</c> or a zero; the lanes past dx's width compute values that are not stored.
/// Each output is summed over f, then i, then j in order, from zero, one fused multiply-add each.
/// </remarks>
[SkipLocalsInit]
internal static unsafe class RowPrunedDataGradient
{
    private const int V = 16;

    /// <summary>Input channels per tile.</summary>
    private const int Channels = 6;

    /// <summary>Rows of dx per tile.</summary>
    private const int Rows = 4;

    /// <summary>
    /// Whether <see cref="Run"/> computes <paramref name="g"/>'s data gradient: Vector512 with AVX-512F, stride 1, dilation 1, one
    /// group, input rows of at most 16 values, padding below the kernel (so dy's padded copy begins each row with zeros, not a crop).
    /// </summary>
    /// <param name="g">The convolution.</param>
    /// <param name="path">The instruction set.</param>
    /// <returns>True when <see cref="Run"/> accepts it.</returns>
    internal static bool Supports(in ConvGeometry g, CpuPath path = CpuPath.Auto) =>
        CpuPaths.Resolve(path) == CpuPath.Vector512 && Avx512F.IsSupported
        && g.Stride == 1 && g.Dilation == 1 && g.Groups == 1 && g.InWidth <= V && g.Pad < g.Kernel && g.OutHeight > 0 && g.OutWidth > 0;

    /// <summary>
    /// Whether <see cref="Run"/> is expected to beat <see cref="DirectConv"/> on padded dy: <see cref="Supports"/>, and at least a
    /// fifth of dx's (row, kernel row) pairs fall on dy's padding (LeNet-5's 6 → 16 layer: 20 of 70; a 3×3, padding-1 layer on
    /// 8 rows: 2 of 24).
    /// </summary>
    /// <param name="g">The convolution.</param>
    /// <param name="path">The instruction set.</param>
    /// <returns>True when the pruned rows pay.</returns>
    internal static bool Pays(in ConvGeometry g, CpuPath path = CpuPath.Auto) => Supports(g, path) && 5 * PrunedRowPairs(g) >= g.InHeight * g.Kernel;

    /// <summary>dx's (row, kernel row) pairs whose dy row lies outside dy.</summary>
    /// <param name="g">The convolution.</param>
    /// <returns>The count, of InHeight · Kernel.</returns>
    internal static int PrunedRowPairs(in ConvGeometry g)
    {
        var pruned = 0;
        for (var y = 0; y < g.InHeight; y++)
        {
            for (var i = 0; i < g.Kernel; i++)
            {
                var row = y + g.Pad - i;
                pruned += row < 0 || row >= g.OutHeight ? 1 : 0;
            }
        }
        return pruned;
    }

    /// <summary>Floats of scratch <see cref="Run"/> needs: one sample's horizontally padded dy, and room to start it on a cache line.</summary>
    /// <param name="g">The convolution.</param>
    /// <returns>The scratch length in floats.</returns>
    internal static int ScratchLength(in ConvGeometry g) => (g.OutChannels * g.OutHeight * RowWidth(g)) + V;

    /// <summary><c>dx = dyᵀ ⋆ W</c> (the data gradient, overwriting dx) for <paramref name="n"/> samples.</summary>
    /// <param name="g">The convolution (see <see cref="Supports"/>).</param>
    /// <param name="n">Batch size.</param>
    /// <param name="dy">Output gradient, [n, OutChannels, OutHeight, OutWidth].</param>
    /// <param name="weight">Weight, [OutChannels, InChannels, Kernel, Kernel].</param>
    /// <param name="dx">Input gradient, [n, InChannels, InHeight, InWidth] (overwritten).</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Run(in ConvGeometry g, int n, float* dy, float* weight, float* dx, float* scratch)
    {
        if (!Supports(g))
        {
            throw new ArgumentException($"RowPrunedDataGradient does not compute a {g.InChannels}×{g.InHeight}×{g.InWidth} → {g.OutChannels} convolution's data gradient (kernel {g.Kernel}, stride {g.Stride}, pad {g.Pad}) here.");
        }
        var keep = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(g.InWidth)).AsSingle();
        var taps = g.Kernel * g.Kernel;
        // Rows start on cache lines (the scratch's last 16 floats are the room to move): a tap's load then spans at most two lines.
        scratch = (float*)(((nint)scratch + 63) & ~(nint)63);
        // The padded copy's zeros are the same for every sample: written once, then each sample overwrites only dy's values.
        new Span<float>(scratch, g.OutChannels * g.OutHeight * RowWidth(g)).Clear();
        for (var s = 0; s < n; s++)
        {
            Pad(g, dy + ((long)s * g.OutputLength), scratch);
            var sample = dx + ((long)s * g.InputLength);
            for (var first = 0; first < g.InChannels; first += Channels)
            {
                var channels = Math.Min(Channels, g.InChannels - first);
                for (var y = 0; y < g.InHeight; y += Rows)
                {
                    Tile(g, scratch, weight + (first * taps), channels, y, sample + ((long)first * g.InHeight * g.InWidth), keep);
                }
            }
        }
    }

    /// <summary>Floats per row of the padded copy: the loads of 16 lanes at every tap, in whole vectors.</summary>
    private static int RowWidth(in ConvGeometry g) => (V + g.Kernel - 1 + V - 1) / V * V;

    /// <summary>Writes one sample's dy into <paramref name="padded"/>, each row at <c>k − 1 − p</c> from its row's start (the zeros around it written beforehand).</summary>
    private static void Pad(in ConvGeometry g, float* dy, float* padded)
    {
        var width = RowWidth(g);
        var left = g.Kernel - 1 - g.Pad;
        var rows = g.OutChannels * g.OutHeight;
        var tail = RowCopy.TailMask(g.OutWidth);
        for (var r = 0; r < rows; r++)
        {
            RowCopy.Copy(dy + ((long)r * g.OutWidth), padded + ((long)r * width) + left, g.OutWidth, tail);
        }
    }

    /// <summary>
    /// Up to 6 channels from <paramref name="channels"/> × dx rows <paramref name="y0"/> … <paramref name="y0"/> + 3: for each f and
    /// kernel row i, the tile's rows whose dy row exists, each tap's 16-lane load of the padded dy row times the 6 channels'
    /// broadcast weights. A partial block repeats its last channel's weights and stores only its real channels.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(in ConvGeometry g, float* padded, float* weight, int channels, int y0, float* dx, Vector512<float> keep)
    {
        int k = g.Kernel, taps = k * k, width = RowWidth(g), filterStride = g.InChannels * taps;
        var w0 = weight;
        var w1 = weight + (Math.Min(1, channels - 1) * taps);
        var w2 = weight + (Math.Min(2, channels - 1) * taps);
        var w3 = weight + (Math.Min(3, channels - 1) * taps);
        var w4 = weight + (Math.Min(4, channels - 1) * taps);
        var w5 = weight + (Math.Min(5, channels - 1) * taps);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector512<float> d0 = default, d1 = default, d2 = default, d3 = default, d4 = default, d5 = default;
        var rows = Math.Min(Rows, g.InHeight - y0);
        for (var f = 0; f < g.OutChannels; f++, padded += g.OutHeight * width)
        {
            var filter = f * filterStride;
            for (var i = 0; i < k; i++)
            {
                // Tile row t reads dy row y0 + t + p − i: only the rows where it exists are computed.
                var dyRow = y0 + g.Pad - i;
                bool top = Exists(dyRow, g.OutHeight), second = rows > 1 && Exists(dyRow + 1, g.OutHeight);
                bool third = rows > 2 && Exists(dyRow + 2, g.OutHeight), fourth = rows > 3 && Exists(dyRow + 3, g.OutHeight);
                if (!(top || second || third || fourth))
                {
                    continue;
                }
                // Lane x of tap j reads padded column x + k − 1 − j: dy column x + p − j.
                var row = padded + ((long)dyRow * width) + k - 1;
                var tap = filter + (i * k);
                for (var j = 0; j < k; j++, row--, tap++)
                {
                    var f0 = Vector512.Create(w0[tap]);
                    var f1 = Vector512.Create(w1[tap]);
                    var f2 = Vector512.Create(w2[tap]);
                    var f3 = Vector512.Create(w3[tap]);
                    var f4 = Vector512.Create(w4[tap]);
                    var f5 = Vector512.Create(w5[tap]);
                    if (top)
                    {
                        var v = Vector512.Load(row);
                        a0 = Vector512.FusedMultiplyAdd(v, f0, a0); a1 = Vector512.FusedMultiplyAdd(v, f1, a1); a2 = Vector512.FusedMultiplyAdd(v, f2, a2);
                        a3 = Vector512.FusedMultiplyAdd(v, f3, a3); a4 = Vector512.FusedMultiplyAdd(v, f4, a4); a5 = Vector512.FusedMultiplyAdd(v, f5, a5);
                    }
                    if (second)
                    {
                        var v = Vector512.Load(row + width);
                        b0 = Vector512.FusedMultiplyAdd(v, f0, b0); b1 = Vector512.FusedMultiplyAdd(v, f1, b1); b2 = Vector512.FusedMultiplyAdd(v, f2, b2);
                        b3 = Vector512.FusedMultiplyAdd(v, f3, b3); b4 = Vector512.FusedMultiplyAdd(v, f4, b4); b5 = Vector512.FusedMultiplyAdd(v, f5, b5);
                    }
                    if (third)
                    {
                        var v = Vector512.Load(row + (2 * width));
                        c0 = Vector512.FusedMultiplyAdd(v, f0, c0); c1 = Vector512.FusedMultiplyAdd(v, f1, c1); c2 = Vector512.FusedMultiplyAdd(v, f2, c2);
                        c3 = Vector512.FusedMultiplyAdd(v, f3, c3); c4 = Vector512.FusedMultiplyAdd(v, f4, c4); c5 = Vector512.FusedMultiplyAdd(v, f5, c5);
                    }
                    if (fourth)
                    {
                        var v = Vector512.Load(row + (3 * width));
                        d0 = Vector512.FusedMultiplyAdd(v, f0, d0); d1 = Vector512.FusedMultiplyAdd(v, f1, d1); d2 = Vector512.FusedMultiplyAdd(v, f2, d2);
                        d3 = Vector512.FusedMultiplyAdd(v, f3, d3); d4 = Vector512.FusedMultiplyAdd(v, f4, d4); d5 = Vector512.FusedMultiplyAdd(v, f5, d5);
                    }
                }
            }
        }
        var plane = g.InHeight * g.InWidth;
        var target = dx + (y0 * g.InWidth);
        Store(target, plane, g.InWidth, rows, channels, keep, a0, b0, c0, d0, 0);
        Store(target, plane, g.InWidth, rows, channels, keep, a1, b1, c1, d1, 1);
        Store(target, plane, g.InWidth, rows, channels, keep, a2, b2, c2, d2, 2);
        Store(target, plane, g.InWidth, rows, channels, keep, a3, b3, c3, d3, 3);
        Store(target, plane, g.InWidth, rows, channels, keep, a4, b4, c4, d4, 4);
        Store(target, plane, g.InWidth, rows, channels, keep, a5, b5, c5, d5, 5);
    }

    /// <summary>Whether dy row <paramref name="row"/> exists (0 ≤ row &lt; height).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Exists(int row, int height) => (uint)row < (uint)height;

    /// <summary>Channel <paramref name="channel"/>'s rows of a tile, each its first dx-width lanes, when the channel is real.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* target, int plane, int width, int rows, int channels, Vector512<float> keep,
        Vector512<float> top, Vector512<float> second, Vector512<float> third, Vector512<float> fourth, int channel)
    {
        if (channel >= channels)
        {
            return;
        }
        var row = target + ((long)channel * plane);
        Avx512F.MaskStore(row, keep, top);
        if (rows > 1)
        {
            Avx512F.MaskStore(row + width, keep, second);
        }
        if (rows > 2)
        {
            Avx512F.MaskStore(row + (2 * width), keep, third);
        }
        if (rows > 3)
        {
            Avx512F.MaskStore(row + (3 * width), keep, fourth);
        }
    }
}
