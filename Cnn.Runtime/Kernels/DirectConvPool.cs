using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// One sample of a stride-1 convolution read only by a 2×2, stride-2 max pooling, with the ReLU the generator moves after the
/// pooling: <c>relu(maxpool(conv(x)))</c> in one pass, the convolution's output never stored (batch-1 inference,
/// <see cref="Network.LayerOps.ConvMaxPoolRelu"/>), or with a BatchNorm's inference map before the pooling (<see cref="ForwardMapped"/>,
/// <see cref="Network.LayerOps.ConvBatchNormMaxPoolRelu"/>). The four outputs of each pooling window are computed side by side, so the
/// window's maximum is taken in registers.
/// </summary>
/// <remarks>
/// <para>The zero-padded sample is split into its four stride-2 phase planes, <c>P[α, β][c, u, v] = xpad[c, 2u + α, 2v + β]</c>,
/// each row Ws = ⌈(W + 2p)/2⌉ ≤ 16 wide. The convolution's output at window corner (a, b) of pooled position (ph, pw) reads, for
/// tap (i, j), <c>P[(a + i) mod 2, (b + j) mod 2][c, ph + ⌊(a + i)/2⌋, pw + ⌊(b + j)/2⌋]</c>: indexing pooled positions by
/// <c>q = ph·Ws + pw</c>, each corner's lowered row is a contiguous run, at one offset per corner and tap. A tile is 6 filters ×
/// the 4 corners of 16 consecutive q (24 accumulators, as <see cref="DirectConv"/>'s 6-filter tile); its 16 pooled values per
/// filter are the corners' maximum, then the ReLU, and the columns q past the pooled width are dropped when the rows are moved
/// to the output.</para>
/// <para>Each convolution output is summed from its bias over the lowered rows in order, as every <see cref="DirectConv"/> tile
/// sums it, and the window's maximum and ReLU give what <see cref="MaxPool2d"/>'s scan and <see cref="Activations.Relu"/> give: the result is
/// <see cref="DirectConv"/>, <see cref="MaxPool2d"/> and <see cref="Activations.Relu"/> in turn, bit for bit (a NaN is a NaN, its
/// payload aside).</para>
/// <para>Against those three passes on LeNet-5's 1 → 6 layer (28×28, 5×5, pad 2: 14 of each 16-lane row kept, so 8 % more
/// FMAs than the 6-filter tiles of the unpooled map) it drops the five column-shifted copies of the input (four phase planes
/// of a quarter of its size instead), the 6×28×28 output's stores and the pooling's and ReLU's passes over it.</para>
/// </remarks>
[SkipLocalsInit]
internal static unsafe class DirectConvPool
{
    private const int Filters = 6;
    private const int V = 16;
    private const int MaxKernel = 16;

    /// <summary>Multiply-adds per output (the patch) up to which <see cref="PaysMapped"/> takes a layer: an image's 1 to 3 channels under a 3×3 kernel.</summary>
    private const int MappedPatchLimit = 32;

    /// <summary>
    /// Whether <see cref="Forward"/> computes <paramref name="g"/> pooled by <paramref name="p"/>: Vector512, one group, dilation 1,
    /// stride 1, a kernel of 2 to 16, padded rows of at most 32 values (phase rows of one vector); a 2×2, stride-2 pooling without
    /// padding or ceil mode over the convolution's whole output.
    /// </summary>
    /// <param name="g">The convolution.</param>
    /// <param name="p">The pooling of its output.</param>
    /// <param name="path">The instruction set.</param>
    /// <returns>True when <see cref="Forward"/> accepts them.</returns>
    internal static bool Supports(in ConvGeometry g, in PoolGeometry p, CpuPath path = CpuPath.Auto) =>
        CpuPaths.Resolve(path) == CpuPath.Vector512 && Avx512F.IsSupported
        && g.Groups == 1 && g.Dilation == 1 && g.Stride == 1 && g.Kernel is > 1 and <= MaxKernel && g.InWidth + (2 * g.Pad) <= 2 * V
        && p.Size == 2 && p.Stride == 2 && p.Pad == 0 && !p.CeilMode
        && p.Channels == g.OutChannels && p.InHeight == g.OutHeight && p.InWidth == g.OutWidth;

    /// <summary>
    /// Whether batch-1 inference takes this kernel for the pair: <see cref="Supports"/>, at most 6 filters (one tile's; more would
    /// repeat filters in the last block, where <see cref="DirectConv"/>'s 8-filter tiles repeat none) and pooled rows filling at
    /// least 7/8 of a phase row (LeNet-5's 14 of 16; its 6 → 16 layer's 5 of 7 would compute 2.9 times its multiply-adds).
    /// </summary>
    /// <param name="g">The convolution.</param>
    /// <param name="p">The pooling of its output.</param>
    /// <returns>True when the fused pass is expected to be the faster.</returns>
    internal static bool Pays(in ConvGeometry g, in PoolGeometry p) =>
        Supports(g, p) && g.OutChannels <= Filters && FillsPhaseRows(g, p);

    /// <summary>
    /// Whether batch-1 inference takes <see cref="ForwardMapped"/> for a convolution, its BatchNorm, the ReLU and the pooling:
    /// <see cref="Supports"/>, pooled rows filling at least 7/8 of a phase row, and at most <see cref="MappedPatchLimit"/>
    /// multiply-adds per output (any number of filters). There the passes it replaces (the map, the pooling and the ReLU over
    /// the stored output) cost as much as the convolution: bn2conv's 1 → 32 on 28×28 (9 per output) took 4.3–5.5 µs fused against
    /// 7.0–9.0 µs as convolution, BatchNorm and pooling passes, though 4 of its 36 filter slots (6-filter blocks) repeat a filter.
    /// </summary>
    /// <param name="g">The convolution.</param>
    /// <param name="p">The pooling of its output.</param>
    /// <returns>True when the fused pass is expected to be the faster.</returns>
    internal static bool PaysMapped(in ConvGeometry g, in PoolGeometry p) =>
        Supports(g, p) && g.PatchLength <= MappedPatchLimit && FillsPhaseRows(g, p);

    /// <summary>Whether the pooled rows fill at least 7/8 of a phase row (LeNet-5's 14 of 16; its 6 → 16 layer's 5 of 7 would compute 2.9 times its multiply-adds).</summary>
    private static bool FillsPhaseRows(in ConvGeometry g, in PoolGeometry p) => 8 * p.OutWidth >= 7 * PhaseWidth(g);

    /// <summary>Floats of scratch <see cref="Forward"/> needs: the phase planes with the tiles' overreach, then the pooled tile rows.</summary>
    /// <param name="g">The convolution.</param>
    /// <returns>The scratch length in floats.</returns>
    internal static int ScratchLength(in ConvGeometry g)
    {
        var pitch = Pitch(g);
        return DataLength(g, pitch) + (Filters * pitch);
    }

    /// <summary><c>y = relu(maxpool₂ₓ₂(conv(x, weight) + bias))</c> for one sample.</summary>
    /// <param name="g">The convolution (see <see cref="Supports"/>).</param>
    /// <param name="p">The pooling of its output.</param>
    /// <param name="x">Input, [InChannels, InHeight, InWidth].</param>
    /// <param name="weight">Weight, [OutChannels, InChannels, Kernel, Kernel].</param>
    /// <param name="bias">Bias, [OutChannels], or empty for none.</param>
    /// <param name="y">Output, [OutChannels, OutHeight / 2, OutWidth / 2] (overwritten).</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats.</param>
    internal static void Forward(in ConvGeometry g, in PoolGeometry p, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, Span<float> scratch) =>
        ForwardMapped(g, p, x, weight, bias, BatchNorm2d.ChannelAffine.None, y, scratch);

    /// <summary>
    /// <c>y = relu(maxpool₂ₓ₂(scale·(conv(x, weight) + bias) + shift))</c> for one sample: a BatchNorm's inference map (scale and
    /// shift per channel, <paramref name="map"/>) between the convolution and the pooling, applied by one FMA to
    /// each window corner before the maximum, as the BatchNorm's vectors apply it to the stored output (a negative scale swaps
    /// which corner is largest, so the map cannot follow the maximum).
    /// </summary>
    /// <param name="g">The convolution (see <see cref="Supports"/>).</param>
    /// <param name="p">The pooling of its output.</param>
    /// <param name="x">Input, [InChannels, InHeight, InWidth].</param>
    /// <param name="weight">Weight, [OutChannels, InChannels, Kernel, Kernel].</param>
    /// <param name="bias">Bias, [OutChannels], or empty for none.</param>
    /// <param name="map">The map of every output channel, or <see cref="BatchNorm2d.ChannelAffine.None"/> for none.</param>
    /// <param name="y">Output, [OutChannels, OutHeight / 2, OutWidth / 2] (overwritten).</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ForwardMapped(in ConvGeometry g, in PoolGeometry p, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        scoped in BatchNorm2d.ChannelAffine map, Span<float> y, Span<float> scratch)
    {
        if (!Supports(g, p))
        {
            throw new ArgumentException($"DirectConvPool does not compute a {g.InChannels}×{g.InHeight}×{g.InWidth} → {g.OutChannels} convolution (kernel {g.Kernel}, stride {g.Stride}, pad {g.Pad}) pooled {p.Size}×{p.Size}/{p.Stride} here.");
        }
        if (x.Length < g.InputLength || weight.Length < g.WeightLength || (!bias.IsEmpty && bias.Length < g.OutChannels) || y.Length < p.OutputLength
            || scratch.Length < ScratchLength(g))
        {
            throw new ArgumentException("Pooled direct convolution of one sample: operands or scratch too short.");
        }
        var patch = g.PatchLength;
        var width = PhaseWidth(g);
        var plane = PhaseHeight(g) * width;
        var block = g.InChannels * plane;
        var pitch = Pitch(g);
        var positions = Positions(g, p.OutWidth);
        // Padded row r of a lowered row's window corner lies in row phase r mod 2 (two phase blocks each), ⌊r/2⌋ rows down;
        // padded column s in column phase s mod 2, ⌊s/2⌋ columns on (r, s up to k: corner 1 of the kernel's last tap).
        var rows = stackalloc int[MaxKernel + 1];
        var columns = stackalloc int[MaxKernel + 1];
        for (var r = 0; r <= g.Kernel; r++)
        {
            rows[r] = ((r & 1) * 2 * block) + ((r >> 1) * width);
            columns[r] = ((r & 1) * block) + (r >> 1);
        }
        fixed (float* xBase = x, weightBase = weight, biasBase = bias, yBase = y, work = scratch)
        {
            var data = work;
            var buffer = data + DataLength(g, pitch);
            Fill(g, width, xBase, data);
            var filters = stackalloc float*[Filters];
            var biases = stackalloc float[Filters];
            var scales = stackalloc float[Filters];
            var shifts = stackalloc float[Filters];
            var mapped = !map.IsNone;
            var outPlane = p.OutHeight * p.OutWidth;
            var keep = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(p.OutWidth)).AsSingle();
            for (var first = 0; first < g.OutChannels; first += Filters)
            {
                var real = Math.Min(Filters, g.OutChannels - first);
                for (var r = 0; r < Filters; r++)
                {
                    // Missing filters of the last block repeat its last real one; their outputs are not moved out.
                    var oc = first + Math.Min(r, real - 1);
                    filters[r] = weightBase + ((long)oc * patch);
                    biases[r] = biasBase == null ? 0f : biasBase[oc];
                    if (mapped)
                    {
                        (scales[r], shifts[r]) = map.Of(oc);
                    }
                }
                for (var q = 0; q < positions; q += V)
                {
                    Tile(data + q, g.InChannels, plane, g.Kernel, rows, columns, filters, biases, mapped ? scales : null, shifts, buffer + q, pitch);
                }
                for (var r = 0; r < real; r++)
                {
                    var output = yBase + ((long)(first + r) * outPlane);
                    var row = buffer + (r * pitch);
                    for (var ph = 0; ph < p.OutHeight; ph++, output += p.OutWidth, row += width)
                    {
                        Avx512F.MaskStore(output, keep, Avx512F.MaskLoad(row, keep, Vector512<float>.Zero));
                    }
                }
            }
        }
    }

    /// <summary>Phase row width Ws = ⌈(W + 2p)/2⌉.</summary>
    private static int PhaseWidth(in ConvGeometry g) => (g.InWidth + (2 * g.Pad) + 1) / 2;

    /// <summary>Phase rows Hs = ⌈(H + 2p)/2⌉.</summary>
    private static int PhaseHeight(in ConvGeometry g) => (g.InHeight + (2 * g.Pad) + 1) / 2;

    /// <summary>Pooled positions in phase-width indexing: <c>(H″ − 1)·Ws + W″</c>.</summary>
    private static int Positions(in ConvGeometry g, int pooledWidth) => ((g.OutHeight / 2) - 1) * PhaseWidth(g) + pooledWidth;

    /// <summary>Floats per filter of the pooled tile rows: the positions rounded up to whole vectors.</summary>
    private static int Pitch(in ConvGeometry g) => RoundUp(Positions(g, g.OutWidth / 2));

    /// <summary>
    /// The four phase blocks (each InChannels planes of Hs × Ws) and the tiles' reads past them: a corner's offset is at most its
    /// block's start plus (C − 1) planes, ⌊k/2⌋ rows and ⌊k/2⌋ columns, and a tile reads up to <paramref name="pitch"/> positions on.
    /// </summary>
    private static int DataLength(in ConvGeometry g, int pitch) =>
        (4 * g.InChannels * PhaseHeight(g) * PhaseWidth(g)) + ((g.Kernel / 2) * (PhaseWidth(g) + 1)) + pitch;

    /// <summary>
    /// Writes the four phase planes of sample <paramref name="x"/>, padding included: each padded row 2u + α is read once as two
    /// masked vectors (its W values, zero outside), and each column phase β is one permute of them (lane v takes column
    /// 2v + β − p) and one masked store of Ws values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Fill(in ConvGeometry g, int width, float* x, float* data)
    {
        var lanes = Vector512<int>.Indices;
        var low = Vector512.LessThan(lanes, Vector512.Create(g.InWidth)).AsSingle();
        var high = Vector512.LessThan(lanes + Vector512.Create(V), Vector512.Create(g.InWidth)).AsSingle();
        var store = Vector512.LessThan(lanes, Vector512.Create(width)).AsSingle();
        var even = (lanes * 2) - Vector512.Create(g.Pad);
        var odd = even + Vector512<int>.One;
        var evenInside = (Vector512.GreaterThanOrEqual(even, Vector512<int>.Zero) & Vector512.LessThan(even, Vector512.Create(g.InWidth))).AsSingle();
        var oddInside = (Vector512.GreaterThanOrEqual(odd, Vector512<int>.Zero) & Vector512.LessThan(odd, Vector512.Create(g.InWidth))).AsSingle();
        var height = PhaseHeight(g);
        var plane = height * width;
        var block = g.InChannels * plane;
        for (var c = 0; c < g.InChannels; c++)
        {
            var channel = x + ((long)c * g.InHeight * g.InWidth);
            for (var padded = 0; padded < 2 * height; padded++)
            {
                var ih = padded - g.Pad;
                var target = data + ((padded & 1) * 2 * block) + (c * plane) + ((padded >> 1) * width);
                var evens = Vector512<float>.Zero;
                var odds = Vector512<float>.Zero;
                if ((uint)ih < (uint)g.InHeight)
                {
                    var row = channel + ((long)ih * g.InWidth);
                    var first = Avx512F.MaskLoad(row, low, Vector512<float>.Zero);
                    var second = Avx512F.MaskLoad(row + V, high, Vector512<float>.Zero);
                    // Lanes whose column lies in the padding hold an index outside [0, W): their permuted value is masked to zero.
                    evens = Avx512F.PermuteVar16x32x2(first, even, second) & evenInside;
                    odds = Avx512F.PermuteVar16x32x2(first, odd, second) & oddInside;
                }
                Avx512F.MaskStore(target, store, evens);
                Avx512F.MaskStore(target + block, store, odds);
            }
        }
    }

    /// <summary>
    /// 6 filters × the 4 window corners of 16 pooled positions: each corner's 16 outputs summed from the bias over every lowered
    /// row (c, i, j) in order, mapped by <c>scale[r]·v + shift[r]</c> when <paramref name="scale"/> is given, the corners' maximum,
    /// then the ReLU; filter r's 16 values go to
    /// <c>target + r·stride</c>. Corner (a, b) of tap (i, j) reads from <c>x + c·plane + rows[i + a] + columns[j + b]</c>, so the
    /// right corners' column is the next tap's left one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(float* x, int channels, int plane, int kernel, int* rows, int* columns, float** filters, float* bias, float* scale, float* shift,
        float* target, int stride)
    {
        float* w0 = filters[0], w1 = filters[1], w2 = filters[2], w3 = filters[3], w4 = filters[4], w5 = filters[5];
        Vector512<float> a0 = Vector512.Create(bias[0]), a1 = Vector512.Create(bias[1]), a2 = Vector512.Create(bias[2]), a3 = Vector512.Create(bias[3]), a4 = Vector512.Create(bias[4]), a5 = Vector512.Create(bias[5]);
        Vector512<float> b0 = a0, b1 = a1, b2 = a2, b3 = a3, b4 = a4, b5 = a5;
        Vector512<float> c0 = a0, c1 = a1, c2 = a2, c3 = a3, c4 = a4, c5 = a5;
        Vector512<float> d0 = a0, d1 = a1, d2 = a2, d3 = a3, d4 = a4, d5 = a5;
        var t = 0;
        for (var c = 0; c < channels; c++, x += plane)
        {
            for (var i = 0; i < kernel; i++)
            {
                var top = x + rows[i];
                var bottom = x + rows[i + 1];
                var left = columns[0];
                for (var j = 0; j < kernel; j++, t++)
                {
                    var right = columns[j + 1];
                    var u = Vector512.Load(top + left);
                    var v = Vector512.Load(top + right);
                    var s = Vector512.Load(bottom + left);
                    var e = Vector512.Load(bottom + right);
                    left = right;
                    var f = Vector512.Create(w0[t]); a0 = Vector512.FusedMultiplyAdd(u, f, a0); b0 = Vector512.FusedMultiplyAdd(v, f, b0); c0 = Vector512.FusedMultiplyAdd(s, f, c0); d0 = Vector512.FusedMultiplyAdd(e, f, d0);
                    f = Vector512.Create(w1[t]); a1 = Vector512.FusedMultiplyAdd(u, f, a1); b1 = Vector512.FusedMultiplyAdd(v, f, b1); c1 = Vector512.FusedMultiplyAdd(s, f, c1); d1 = Vector512.FusedMultiplyAdd(e, f, d1);
                    f = Vector512.Create(w2[t]); a2 = Vector512.FusedMultiplyAdd(u, f, a2); b2 = Vector512.FusedMultiplyAdd(v, f, b2); c2 = Vector512.FusedMultiplyAdd(s, f, c2); d2 = Vector512.FusedMultiplyAdd(e, f, d2);
                    f = Vector512.Create(w3[t]); a3 = Vector512.FusedMultiplyAdd(u, f, a3); b3 = Vector512.FusedMultiplyAdd(v, f, b3); c3 = Vector512.FusedMultiplyAdd(s, f, c3); d3 = Vector512.FusedMultiplyAdd(e, f, d3);
                    f = Vector512.Create(w4[t]); a4 = Vector512.FusedMultiplyAdd(u, f, a4); b4 = Vector512.FusedMultiplyAdd(v, f, b4); c4 = Vector512.FusedMultiplyAdd(s, f, c4); d4 = Vector512.FusedMultiplyAdd(e, f, d4);
                    f = Vector512.Create(w5[t]); a5 = Vector512.FusedMultiplyAdd(u, f, a5); b5 = Vector512.FusedMultiplyAdd(v, f, b5); c5 = Vector512.FusedMultiplyAdd(s, f, c5); d5 = Vector512.FusedMultiplyAdd(e, f, d5);
                }
            }
        }
        if (scale != null)
        {
            Pooled(a0, b0, c0, d0, scale[0], shift[0]).Store(target); target += stride;
            Pooled(a1, b1, c1, d1, scale[1], shift[1]).Store(target); target += stride;
            Pooled(a2, b2, c2, d2, scale[2], shift[2]).Store(target); target += stride;
            Pooled(a3, b3, c3, d3, scale[3], shift[3]).Store(target); target += stride;
            Pooled(a4, b4, c4, d4, scale[4], shift[4]).Store(target); target += stride;
            Pooled(a5, b5, c5, d5, scale[5], shift[5]).Store(target);
            return;
        }
        Pooled(a0, b0, c0, d0).Store(target); target += stride;
        Pooled(a1, b1, c1, d1).Store(target); target += stride;
        Pooled(a2, b2, c2, d2).Store(target); target += stride;
        Pooled(a3, b3, c3, d3).Store(target); target += stride;
        Pooled(a4, b4, c4, d4).Store(target); target += stride;
        Pooled(a5, b5, c5, d5).Store(target);
    }

    /// <summary><see cref="Pooled(Vector512{float}, Vector512{float}, Vector512{float}, Vector512{float})"/> of the corners mapped by <c>scale·v + shift</c> (one FMA each).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Pooled(Vector512<float> topLeft, Vector512<float> topRight, Vector512<float> bottomLeft, Vector512<float> bottomRight, float scale, float shift)
    {
        Vector512<float> s = Vector512.Create(scale), h = Vector512.Create(shift);
        return Pooled(Vector512.FusedMultiplyAdd(topLeft, s, h), Vector512.FusedMultiplyAdd(topRight, s, h),
            Vector512.FusedMultiplyAdd(bottomLeft, s, h), Vector512.FusedMultiplyAdd(bottomRight, s, h));
    }

    /// <summary>
    /// relu of the window's maximum over its four corners: IEEE maximum (NaN when a corner is NaN), then the ReLU as
    /// <see cref="Activations.Relu"/>'s vectors apply it. Finite values give <see cref="MaxPool2d"/>'s scan then the ReLU exactly (the
    /// maximum is order-free but for the sign of a zero, which the ReLU makes +0 either way); a NaN window gives a NaN, possibly with
    /// another payload than the scan's. Three maxima, not the scan's three compare-and-select steps: 6 × 9 fewer instructions a tile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Pooled(Vector512<float> topLeft, Vector512<float> topRight, Vector512<float> bottomLeft, Vector512<float> bottomRight) =>
        Vector512.Max(Vector512.Max(Vector512.Max(topLeft, topRight), Vector512.Max(bottomLeft, bottomRight)), Vector512<float>.Zero);

    private static int RoundUp(int count) => (count + V - 1) / V * V;
}
