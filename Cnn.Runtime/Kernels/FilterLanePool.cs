using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// One sample of a stride-1 convolution of 16·m filters read only by a 2×2, stride-2 max pooling, with the ReLU the generator moves
/// after the pooling, <c>relu(maxpool(conv(x)))</c> (batch-1 inference, <see cref="Network.LayerOps.ConvMaxPoolRelu"/>), with the 16
/// filters of a block in the vector lanes: each input value is broadcast once and multiplied by the kernel's row of 16-filter weight
/// vectors held in registers, so every multiply-add uses all 16 lanes and no copy of the input is made (unless it needs padding).
/// </summary>
/// <remarks>
/// <para>A tile is two output rows (a pooling window's) of a segment of n ≤ <see cref="MaxSegment"/> even columns: 2n accumulators,
/// the k ≤ <see cref="MaxKernel"/> weight vectors of one kernel row (c, i), and the broadcast value, at most 26 of the 32 vector
/// registers. For each (c, i) the tile loads k weight vectors and broadcasts the n + k − 1 input values of each of its two input
/// rows once each, every one feeding up to k accumulators, so a multiply-add needs about a third of a load, against one
/// broadcast per multiply-add when the weights are the operand re-read (LeNet-5's 6 → 16 on 14×14, looped alone: 2.29–2.46
/// against 2.41–2.53 µs, fastest of 9 rounds). The segment width and the kernel are the type arguments of <c>Segment</c>, so each
/// pair is compiled with its unused accumulators, weights and multiply-adds dropped.</para>
/// <para>The weights are packed once into <see cref="Pack"/>'s order, [block][c][i][j][16 filters], and kept between passes
/// (<see cref="Network.OneSampleFilters"/>). Each output is summed from its bias over the taps (c, i, j) in order, one fused
/// multiply-add each, as <see cref="DirectConv"/> sums it; the window's maximum and the ReLU are <see cref="DirectConvPool"/>'s.
/// So the result is <see cref="DirectConv"/>, <see cref="MaxPool2d"/> and <see cref="Activations.Relu"/> in turn, bit for bit (a NaN
/// is a NaN, its payload aside). The pooled vectors of a block, [position][16], are transposed into the output's 16 planes.</para>
/// </remarks>
[SkipLocalsInit]
internal static unsafe class FilterLanePool
{
    /// <summary>Filters per block: one vector's lanes.</summary>
    private const int V = 16;

    /// <summary>Output columns per segment at most: two rows of 10 accumulators, 5 weights and a broadcast fit in 26 registers.</summary>
    private const int MaxSegment = 10;

    /// <summary>The largest kernel <see cref="Supports"/> takes (one weight register per kernel column).</summary>
    private const int MaxKernel = 5;

    /// <summary>
    /// Whether <see cref="Forward"/> computes <paramref name="g"/> pooled by <paramref name="p"/>: Vector512 with AVX-512F, one
    /// group, dilation 1, stride 1, a kernel of 2 to 5, a multiple of 16 filters; a 2×2, stride-2 pooling without padding or
    /// ceil mode over the convolution's whole output.
    /// </summary>
    /// <param name="g">The convolution.</param>
    /// <param name="p">The pooling of its output.</param>
    /// <param name="path">The instruction set.</param>
    /// <returns>True when <see cref="Forward"/> accepts them.</returns>
    internal static bool Supports(in ConvGeometry g, in PoolGeometry p, CpuPath path = CpuPath.Auto) =>
        CpuPaths.Resolve(path) == CpuPath.Vector512 && Avx512F.IsSupported
        && g.Groups == 1 && g.Dilation == 1 && g.Stride == 1 && g.Kernel is > 1 and <= MaxKernel && g.OutChannels % V == 0
        && p.Size == 2 && p.Stride == 2 && p.Pad == 0 && !p.CeilMode && p.OutHeight > 0 && p.OutWidth > 0
        && p.Channels == g.OutChannels && p.InHeight == g.OutHeight && p.InWidth == g.OutWidth;

    /// <summary>Floats of <see cref="Pack"/>'s weights: as many as the layer's.</summary>
    /// <param name="g">The convolution.</param>
    /// <returns>The packed length.</returns>
    internal static int PackedLength(in ConvGeometry g) => g.WeightLength;

    /// <summary>
    /// Writes the weights in <see cref="Forward"/>'s order: for each block of 16 filters, the block's [16, C·k·k] rows transposed,
    /// <c>packed[b·16·C·k·k + t·16 + f] = weight[(16·b + f)·C·k·k + t]</c>, t = (c·k + i)·k + j.
    /// </summary>
    /// <param name="g">The convolution (see <see cref="Supports"/>).</param>
    /// <param name="weight">Weight, [OutChannels, InChannels, Kernel, Kernel].</param>
    /// <param name="packed">At least <see cref="PackedLength"/> floats (overwritten).</param>
    internal static void Pack(in ConvGeometry g, ReadOnlySpan<float> weight, Span<float> packed)
    {
        if (g.OutChannels % V != 0 || weight.Length < g.WeightLength || packed.Length < g.WeightLength)
        {
            throw new ArgumentException($"Packing {g.OutChannels} filters of {g.PatchLength} weights by blocks of {V}: operands too short or filters not a multiple of {V}.");
        }
        var block = V * g.PatchLength;
        for (var start = 0; start < g.WeightLength; start += block)
        {
            MatrixTranspose.Run(weight.Slice(start, block), V, g.PatchLength, packed.Slice(start, block));
        }
    }

    /// <summary>Floats of scratch <see cref="Forward"/> needs: the padded input (when the layer pads), then one block's pooled vectors.</summary>
    /// <param name="g">The convolution.</param>
    /// <param name="p">The pooling of its output.</param>
    /// <returns>The scratch length in floats.</returns>
    internal static int ScratchLength(in ConvGeometry g, in PoolGeometry p) => PaddedLength(g) + (V * p.OutHeight * p.OutWidth);

    /// <summary><c>y = relu(maxpool₂ₓ₂(conv(x, weight) + bias))</c> for one sample, from the weights <see cref="Pack"/> wrote.</summary>
    /// <param name="g">The convolution (see <see cref="Supports"/>).</param>
    /// <param name="p">The pooling of its output.</param>
    /// <param name="x">Input, [InChannels, InHeight, InWidth].</param>
    /// <param name="packed">The weights in <see cref="Pack"/>'s order.</param>
    /// <param name="bias">Bias, [OutChannels], or empty for none.</param>
    /// <param name="y">Output, [OutChannels, OutHeight / 2, OutWidth / 2] (overwritten).</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Forward(in ConvGeometry g, in PoolGeometry p, ReadOnlySpan<float> x, ReadOnlySpan<float> packed, ReadOnlySpan<float> bias, Span<float> y, Span<float> scratch)
    {
        if (!Supports(g, p))
        {
            throw new ArgumentException($"FilterLanePool does not compute a {g.InChannels}×{g.InHeight}×{g.InWidth} → {g.OutChannels} convolution (kernel {g.Kernel}, stride {g.Stride}, pad {g.Pad}) pooled {p.Size}×{p.Size}/{p.Stride} here.");
        }
        if (x.Length < g.InputLength || packed.Length < PackedLength(g) || (!bias.IsEmpty && bias.Length < g.OutChannels) || y.Length < p.OutputLength
            || scratch.Length < ScratchLength(g, p))
        {
            throw new ArgumentException("Filter-lane pooled convolution of one sample: operands or scratch too short.");
        }
        var width = g.InWidth + (2 * g.Pad);
        var plane = (g.InHeight + (2 * g.Pad)) * width;
        var positions = p.OutHeight * p.OutWidth;
        var taps = g.PatchLength;
        var segments = ((2 * p.OutWidth) + MaxSegment - 1) / MaxSegment;
        fixed (float* xBase = x, packedBase = packed, biasBase = bias, yBase = y, work = scratch)
        {
            var image = xBase;
            if (g.Pad > 0)
            {
                image = work;
                Pad(g, xBase, image);
            }
            var pooled = work + PaddedLength(g);
            for (var first = 0; first < g.OutChannels; first += V)
            {
                var weights = packedBase + ((long)first * taps);
                var b = biasBase == null ? Vector512<float>.Zero : Vector512.Load(biasBase + first);
                for (int s = 0, column = 0; s < segments; s++)
                {
                    // Pooled columns split as evenly as the segments allow: LeNet-5's 5 in one, 7 as 4 + 3, 14 as 5 + 5 + 4.
                    var pairs = (p.OutWidth / segments) + (s < p.OutWidth % segments ? 1 : 0);
                    var segment = SegmentFor(2 * pairs, g.Kernel);
                    for (var ph = 0; ph < p.OutHeight; ph++)
                    {
                        segment(image + (2 * ph * width) + (2 * column), g.InChannels, plane, width, weights, b, pooled + ((ph * p.OutWidth) + column) * V);
                    }
                    column += pairs;
                }
                MatrixTranspose.Run(new ReadOnlySpan<float>(pooled, positions * V), positions, V, new Span<float>(yBase + ((long)first * positions), positions * V));
            }
        }
    }

    /// <summary>Floats of the zero-padded copy of the input: none when the layer does not pad.</summary>
    private static int PaddedLength(in ConvGeometry g) =>
        g.Pad == 0 ? 0 : g.InChannels * (g.InHeight + (2 * g.Pad)) * (g.InWidth + (2 * g.Pad));

    /// <summary>Writes the input zero-padded by <c>g.Pad</c> on every side into <paramref name="image"/>.</summary>
    private static void Pad(in ConvGeometry g, float* x, float* image)
    {
        var width = g.InWidth + (2 * g.Pad);
        var height = g.InHeight + (2 * g.Pad);
        new Span<float>(image, PaddedLength(g)).Clear();
        var tail = RowCopy.TailMask(g.InWidth);
        for (var c = 0; c < g.InChannels; c++)
        {
            for (var h = 0; h < g.InHeight; h++)
            {
                RowCopy.Copy(x + ((((long)c * g.InHeight) + h) * g.InWidth), image + ((((long)c * height) + h + g.Pad) * width) + g.Pad, g.InWidth, tail);
            }
        }
    }

    /// <summary>The compiled <c>Segment</c> for <paramref name="columns"/> (even, 2 to 10) output columns and kernel <paramref name="kernel"/> (2 to 5).</summary>
    private static delegate*<float*, int, int, int, float*, Vector512<float>, float*, void> SegmentFor(int columns, int kernel) => kernel switch
    {
        2 => SegmentFor<Two>(columns),
        3 => SegmentFor<Three>(columns),
        4 => SegmentFor<Four>(columns),
        5 => SegmentFor<Five>(columns),
        _ => throw new ArgumentOutOfRangeException(nameof(kernel), kernel, $"FilterLanePool takes kernels of 2 to {MaxKernel}."),
    };

    /// <summary>The compiled <c>Segment</c> for <paramref name="columns"/> output columns and the kernel <typeparamref name="TKernel"/>.</summary>
    private static delegate*<float*, int, int, int, float*, Vector512<float>, float*, void> SegmentFor<TKernel>(int columns)
        where TKernel : struct, IConstant => columns switch
    {
        2 => &Segment<Two, TKernel>,
        4 => &Segment<Four, TKernel>,
        6 => &Segment<Six, TKernel>,
        8 => &Segment<Eight, TKernel>,
        10 => &Segment<Ten, TKernel>,
        _ => throw new ArgumentOutOfRangeException(nameof(columns), columns, $"FilterLanePool's segments are 2 to {MaxSegment} columns, an even number."),
    };

    /// <summary>
    /// The pooled values of one segment of two output rows, <typeparamref name="TColumns"/> columns wide, for one block of 16 filters:
    /// <paramref name="x"/> is the top-left input value the segment reads (padded image), <paramref name="weights"/> the block's packed
    /// weights; <typeparamref name="TColumns"/> / 2 vectors of 16 filters go to <paramref name="pooled"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Segment<TColumns, TKernel>(float* x, int channels, int plane, int width, float* weights, Vector512<float> bias, float* pooled)
        where TColumns : struct, IConstant
        where TKernel : struct, IConstant
    {
        var n = TColumns.Value;
        var k = TKernel.Value;
        Vector512<float> a0 = bias, a1 = bias, a2 = bias, a3 = bias, a4 = bias, a5 = bias, a6 = bias, a7 = bias, a8 = bias, a9 = bias;
        Vector512<float> b0 = bias, b1 = bias, b2 = bias, b3 = bias, b4 = bias, b5 = bias, b6 = bias, b7 = bias, b8 = bias, b9 = bias;
        for (var c = 0; c < channels; c++, x += plane)
        {
            for (var i = 0; i < k; i++, weights += k * V)
            {
                var top = x + (i * width);
                var bottom = top + width;
                var w0 = Vector512.Load(weights);
                var w1 = Vector512.Load(weights + V);
                var w2 = k > 2 ? Vector512.Load(weights + (2 * V)) : default;
                var w3 = k > 3 ? Vector512.Load(weights + (3 * V)) : default;
                var w4 = k > 4 ? Vector512.Load(weights + (4 * V)) : default;
                {
                    var v = Vector512.Create(top[0]);
                    a0 = F(v, w0, a0);
                }
                {
                    var v = Vector512.Create(top[1]);
                    a1 = F(v, w0, a1);
                    a0 = F(v, w1, a0);
                }
                {
                    var v = Vector512.Create(top[2]);
                    if (n > 2) a2 = F(v, w0, a2);
                    a1 = F(v, w1, a1);
                    if (k > 2) a0 = F(v, w2, a0);
                }
                {
                    var v = Vector512.Create(top[3]);
                    if (n > 3) a3 = F(v, w0, a3);
                    if (n > 2) a2 = F(v, w1, a2);
                    if (k > 2) a1 = F(v, w2, a1);
                    if (k > 3) a0 = F(v, w3, a0);
                }
                if (n + k > 5)
                {
                    var v = Vector512.Create(top[4]);
                    if (n > 4) a4 = F(v, w0, a4);
                    if (n > 3) a3 = F(v, w1, a3);
                    if (n > 2 && k > 2) a2 = F(v, w2, a2);
                    if (k > 3) a1 = F(v, w3, a1);
                    if (k > 4) a0 = F(v, w4, a0);
                }
                if (n + k > 6)
                {
                    var v = Vector512.Create(top[5]);
                    if (n > 5) a5 = F(v, w0, a5);
                    if (n > 4) a4 = F(v, w1, a4);
                    if (n > 3 && k > 2) a3 = F(v, w2, a3);
                    if (n > 2 && k > 3) a2 = F(v, w3, a2);
                    if (k > 4) a1 = F(v, w4, a1);
                }
                if (n + k > 7)
                {
                    var v = Vector512.Create(top[6]);
                    if (n > 6) a6 = F(v, w0, a6);
                    if (n > 5) a5 = F(v, w1, a5);
                    if (n > 4 && k > 2) a4 = F(v, w2, a4);
                    if (n > 3 && k > 3) a3 = F(v, w3, a3);
                    if (n > 2 && k > 4) a2 = F(v, w4, a2);
                }
                if (n + k > 8)
                {
                    var v = Vector512.Create(top[7]);
                    if (n > 7) a7 = F(v, w0, a7);
                    if (n > 6) a6 = F(v, w1, a6);
                    if (n > 5 && k > 2) a5 = F(v, w2, a5);
                    if (n > 4 && k > 3) a4 = F(v, w3, a4);
                    if (n > 3 && k > 4) a3 = F(v, w4, a3);
                }
                if (n + k > 9)
                {
                    var v = Vector512.Create(top[8]);
                    if (n > 8) a8 = F(v, w0, a8);
                    if (n > 7) a7 = F(v, w1, a7);
                    if (n > 6 && k > 2) a6 = F(v, w2, a6);
                    if (n > 5 && k > 3) a5 = F(v, w3, a5);
                    if (n > 4 && k > 4) a4 = F(v, w4, a4);
                }
                if (n + k > 10)
                {
                    var v = Vector512.Create(top[9]);
                    if (n > 9) a9 = F(v, w0, a9);
                    if (n > 8) a8 = F(v, w1, a8);
                    if (n > 7 && k > 2) a7 = F(v, w2, a7);
                    if (n > 6 && k > 3) a6 = F(v, w3, a6);
                    if (n > 5 && k > 4) a5 = F(v, w4, a5);
                }
                if (n + k > 11)
                {
                    var v = Vector512.Create(top[10]);
                    if (n > 9) a9 = F(v, w1, a9);
                    if (n > 8 && k > 2) a8 = F(v, w2, a8);
                    if (n > 7 && k > 3) a7 = F(v, w3, a7);
                    if (n > 6 && k > 4) a6 = F(v, w4, a6);
                }
                if (n + k > 12)
                {
                    var v = Vector512.Create(top[11]);
                    if (n > 9 && k > 2) a9 = F(v, w2, a9);
                    if (n > 8 && k > 3) a8 = F(v, w3, a8);
                    if (n > 7 && k > 4) a7 = F(v, w4, a7);
                }
                if (n + k > 13)
                {
                    var v = Vector512.Create(top[12]);
                    if (n > 9 && k > 3) a9 = F(v, w3, a9);
                    if (n > 8 && k > 4) a8 = F(v, w4, a8);
                }
                if (n + k > 14)
                {
                    var v = Vector512.Create(top[13]);
                    if (n > 9 && k > 4) a9 = F(v, w4, a9);
                }
                {
                    var v = Vector512.Create(bottom[0]);
                    b0 = F(v, w0, b0);
                }
                {
                    var v = Vector512.Create(bottom[1]);
                    b1 = F(v, w0, b1);
                    b0 = F(v, w1, b0);
                }
                {
                    var v = Vector512.Create(bottom[2]);
                    if (n > 2) b2 = F(v, w0, b2);
                    b1 = F(v, w1, b1);
                    if (k > 2) b0 = F(v, w2, b0);
                }
                {
                    var v = Vector512.Create(bottom[3]);
                    if (n > 3) b3 = F(v, w0, b3);
                    if (n > 2) b2 = F(v, w1, b2);
                    if (k > 2) b1 = F(v, w2, b1);
                    if (k > 3) b0 = F(v, w3, b0);
                }
                if (n + k > 5)
                {
                    var v = Vector512.Create(bottom[4]);
                    if (n > 4) b4 = F(v, w0, b4);
                    if (n > 3) b3 = F(v, w1, b3);
                    if (n > 2 && k > 2) b2 = F(v, w2, b2);
                    if (k > 3) b1 = F(v, w3, b1);
                    if (k > 4) b0 = F(v, w4, b0);
                }
                if (n + k > 6)
                {
                    var v = Vector512.Create(bottom[5]);
                    if (n > 5) b5 = F(v, w0, b5);
                    if (n > 4) b4 = F(v, w1, b4);
                    if (n > 3 && k > 2) b3 = F(v, w2, b3);
                    if (n > 2 && k > 3) b2 = F(v, w3, b2);
                    if (k > 4) b1 = F(v, w4, b1);
                }
                if (n + k > 7)
                {
                    var v = Vector512.Create(bottom[6]);
                    if (n > 6) b6 = F(v, w0, b6);
                    if (n > 5) b5 = F(v, w1, b5);
                    if (n > 4 && k > 2) b4 = F(v, w2, b4);
                    if (n > 3 && k > 3) b3 = F(v, w3, b3);
                    if (n > 2 && k > 4) b2 = F(v, w4, b2);
                }
                if (n + k > 8)
                {
                    var v = Vector512.Create(bottom[7]);
                    if (n > 7) b7 = F(v, w0, b7);
                    if (n > 6) b6 = F(v, w1, b6);
                    if (n > 5 && k > 2) b5 = F(v, w2, b5);
                    if (n > 4 && k > 3) b4 = F(v, w3, b4);
                    if (n > 3 && k > 4) b3 = F(v, w4, b3);
                }
                if (n + k > 9)
                {
                    var v = Vector512.Create(bottom[8]);
                    if (n > 8) b8 = F(v, w0, b8);
                    if (n > 7) b7 = F(v, w1, b7);
                    if (n > 6 && k > 2) b6 = F(v, w2, b6);
                    if (n > 5 && k > 3) b5 = F(v, w3, b5);
                    if (n > 4 && k > 4) b4 = F(v, w4, b4);
                }
                if (n + k > 10)
                {
                    var v = Vector512.Create(bottom[9]);
                    if (n > 9) b9 = F(v, w0, b9);
                    if (n > 8) b8 = F(v, w1, b8);
                    if (n > 7 && k > 2) b7 = F(v, w2, b7);
                    if (n > 6 && k > 3) b6 = F(v, w3, b6);
                    if (n > 5 && k > 4) b5 = F(v, w4, b5);
                }
                if (n + k > 11)
                {
                    var v = Vector512.Create(bottom[10]);
                    if (n > 9) b9 = F(v, w1, b9);
                    if (n > 8 && k > 2) b8 = F(v, w2, b8);
                    if (n > 7 && k > 3) b7 = F(v, w3, b7);
                    if (n > 6 && k > 4) b6 = F(v, w4, b6);
                }
                if (n + k > 12)
                {
                    var v = Vector512.Create(bottom[11]);
                    if (n > 9 && k > 2) b9 = F(v, w2, b9);
                    if (n > 8 && k > 3) b8 = F(v, w3, b8);
                    if (n > 7 && k > 4) b7 = F(v, w4, b7);
                }
                if (n + k > 13)
                {
                    var v = Vector512.Create(bottom[12]);
                    if (n > 9 && k > 3) b9 = F(v, w3, b9);
                    if (n > 8 && k > 4) b8 = F(v, w4, b8);
                }
                if (n + k > 14)
                {
                    var v = Vector512.Create(bottom[13]);
                    if (n > 9 && k > 4) b9 = F(v, w4, b9);
                }
            }
        }
        DirectConvPool.Pooled(a0, a1, b0, b1).Store(pooled);
        if (n > 2)
        {
            DirectConvPool.Pooled(a2, a3, b2, b3).Store(pooled + V);
        }
        if (n > 4)
        {
            DirectConvPool.Pooled(a4, a5, b4, b5).Store(pooled + (2 * V));
        }
        if (n > 6)
        {
            DirectConvPool.Pooled(a6, a7, b6, b7).Store(pooled + (3 * V));
        }
        if (n > 8)
        {
            DirectConvPool.Pooled(a8, a9, b8, b9).Store(pooled + (4 * V));
        }
    }

    /// <summary><c>v·w + a</c>, one fused multiply-add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> F(Vector512<float> v, Vector512<float> w, Vector512<float> a) => Vector512.FusedMultiplyAdd(v, w, a);

    /// <summary>A compile-time integer: <c>Segment</c>'s type arguments, so each width and kernel is compiled with its constants.</summary>
    private interface IConstant
    {
        /// <summary>The value.</summary>
        static abstract int Value { get; }
    }

    private readonly struct Two : IConstant { public static int Value => 2; }

    private readonly struct Three : IConstant { public static int Value => 3; }

    private readonly struct Four : IConstant { public static int Value => 4; }

    private readonly struct Five : IConstant { public static int Value => 5; }

    private readonly struct Six : IConstant { public static int Value => 6; }

    private readonly struct Eight : IConstant { public static int Value => 8; }

    private readonly struct Ten : IConstant { public static int Value => 10; }
}
