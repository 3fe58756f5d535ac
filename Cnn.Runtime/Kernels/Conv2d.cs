using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// 2-D convolution over NCHW float32 (PyTorch's Conv2d): forward, data gradient and weight/bias gradient,
/// as implicit GEMM: <c>Y_g[oc, P] = W_g[oc, K] · col[K, P]</c> per sample and group, where col is never stored:
/// the GEMM reads its rows in place as shifted slices of a padded, stride-phase-split copy of the input
/// (<see cref="PaddedImage"/>) or packs them from it without discarded columns (<see cref="CompactPanels"/>), and
/// the weights are packed once per call.
/// The data gradient of a stride-1 convolution is itself a convolution (of dy with the flipped, transposed
/// weights); strided ones multiply <c>W_gᵀ · dy_g</c> and scatter back (col2im). Depthwise convolutions run a
/// direct kernel. All scratch comes from the caller; nothing is allocated.
/// </summary>
[SkipLocalsInit]
public static unsafe partial class Conv2d
{

    /// <summary>Floats of scratch every entry point of this class needs for a batch of <paramref name="n"/>.</summary>
    /// <param name="g">The convolution.</param>
    /// <param name="n">Batch size (the largest the caller will pass); the scratch does not grow with it.</param>
    /// <returns>The scratch length in floats.</returns>
    public static int ScratchLength(in ConvGeometry g, int n)
    {
        if (g.IsDepthwise)
        {
            return 0;
        }
        int ocg = g.GroupOutChannels, plane = g.OutPlane, patch = g.PatchLength;
        var weights = WeightScratch(g);
        var data = HasConvolutionalDataGradient(g) ? g.WeightLength + ForwardScratch(DataGradientGeometry(g))
            : g.Stride > 1 ? new PhasePlan(g).ScratchLength(g)
            : (patch * plane) + (g.Groups * PackedGemm.PackedALength(patch, ocg)) + Gemm.ScratchLength(patch, plane, ocg);
        return Math.Max(Math.Max(Math.Max(ForwardScratch(g), DirectScratch(g)), Math.Max(weights, data)), WinogradScratch(g));
    }

    /// <summary><c>y[n, oc, oh, ow] = bias[oc] + Σ w[oc, ic, i, j] · x[n, g·icg + ic, oh·s − p + i·d, ow·s − p + j·d]</c>.</summary>
    /// <param name="g">The convolution.</param>
    /// <param name="n">Batch size.</param>
    /// <param name="x">Input, [n, InChannels, InHeight, InWidth].</param>
    /// <param name="weight">Weight, [OutChannels, InChannels/Groups, Kernel, Kernel].</param>
    /// <param name="bias">Bias, [OutChannels], or empty for none.</param>
    /// <param name="y">Output, [n, OutChannels, OutHeight, OutWidth] (overwritten).</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void Forward(in ConvGeometry g, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, Span<float> scratch, CpuPath path = CpuPath.Auto)
        => Forward(g, n, x, weight, bias, y, accumulate: false, scratch, path);

    /// <summary>The forward pass adding into <paramref name="y"/> when <paramref name="accumulate"/> (the transposed layer's data gradient).</summary>
    internal static void Forward(in ConvGeometry g, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, bool accumulate, Span<float> scratch, CpuPath path)
        => Forward(g, n, x, weight, bias, y, accumulate, SampleEpilogue.None, scratch, path);

    /// <summary>
    /// The forward pass, also writing the per-channel <c>Σy</c> and <c>Σy²</c> of the output into <paramref name="sums"/>
    /// (2·OutChannels doubles) as <see cref="BatchNorm2d.Sums"/> computes them, bit for bit: the statistics of the BatchNorm
    /// that reads this output, taken sample by sample while the sample's output is still in cache rather than by BatchNorm
    /// reading the whole tensor back (2 MB a worker in resnet8's first layers).
    /// </summary>
    internal static void ForwardSummed(in ConvGeometry g, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y,
        Span<double> sums, Span<float> scratch, CpuPath path)
    {
        if (sums.Length < 2 * g.OutChannels)
        {
            throw new ArgumentException($"Need {2 * g.OutChannels} doubles for the output's sums, got {sums.Length}.", nameof(sums));
        }
        sums[..(2 * g.OutChannels)].Clear();
        Forward(g, n, x, weight, bias, y, accumulate: false, SampleEpilogue.Summing(sums), scratch, path);
    }

    /// <summary>
    /// The forward pass into <paramref name="y"/>, then the inference BatchNorm that reads it (running statistics, then ReLU when
    /// <paramref name="relu"/>) into <paramref name="normalized"/>, as <see cref="BatchNorm2d.ForwardInference"/> (and the ReLU)
    /// computes it, bit for bit, sample by sample while the sample's output is still in cache, rather than in a pass of its own
    /// over the whole tensor (16 MB in resnet8's first layers at batch 256).
    /// </summary>
    internal static void ForwardNormalized(in ConvGeometry g, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, float eps, Span<float> normalized, bool relu,
        Span<float> scratch, CpuPath path)
    {
        if (normalized.Length < n * g.OutputLength)
        {
            throw new ArgumentException($"Need {n * g.OutputLength} floats for the normalized output, got {normalized.Length}.", nameof(normalized));
        }
        Forward(g, n, x, weight, bias, y, accumulate: false, SampleEpilogue.Normalizing(BatchNorm2d.ChannelAffine.Inference(gamma, beta, runningMean, runningVar, eps),
            normalized, relu), scratch, path);
    }

    private static void Forward(in ConvGeometry g, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, bool accumulate,
        scoped in SampleEpilogue epilogue, Span<float> scratch, CpuPath path)
    {
        Check(g, n, x.Length, y.Length, weight.Length, scratch.Length);
        path = CpuPaths.Resolve(path);
        if (g.IsDepthwise)
        {
            DepthwiseConv.Forward(g, n, x, weight, y, accumulate, path);
        }
        else if (!accumulate && UsesDirectForward(g, path))
        {
            DirectForward(g, n, x, weight, bias, y, epilogue, scratch, path);
            return;
        }
        else
        {
            fixed (float* xBase = x, wBase = weight, bBase = bias, yBase = y, work = scratch)
            {
                if (UsesWinograd(g, path))
                {
                    WinogradForward(g, n, xBase, wBase, bias.IsEmpty ? null : bBase, yBase, accumulate, work, path, epilogue);
                    return;
                }
                ForwardGemm(g, n, xBase, wBase, bias.IsEmpty ? null : bBase, yBase, accumulate, work, path, epilogue);
            }
            return;
        }
        if (!bias.IsEmpty)
        {
            AddBias(g.OutChannels, g.OutPlane, n, bias, y);
        }
        epilogue.All(g, n, y, path);
    }

    /// <summary>Data gradient: <c>dx (+)= convᵀ(dy)</c>.</summary>
    /// <param name="g">The convolution.</param>
    /// <param name="n">Batch size.</param>
    /// <param name="dy">Output gradient, [n, OutChannels, OutHeight, OutWidth].</param>
    /// <param name="weight">Weight, [OutChannels, InChannels/Groups, Kernel, Kernel].</param>
    /// <param name="dx">Input gradient, [n, InChannels, InHeight, InWidth].</param>
    /// <param name="accumulate">Add into dx rather than overwrite it.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void BackwardData(in ConvGeometry g, int n, ReadOnlySpan<float> dy, ReadOnlySpan<float> weight, Span<float> dx, bool accumulate, Span<float> scratch, CpuPath path = CpuPath.Auto)
        => DataGradient(g, n, dy, weight, dx, accumulate, scratch, path, SampleEpilogue.None);

    /// <summary>
    /// The data gradient, also adding the backward sums of the BatchNorm+ReLU whose output is this convolution's input into
    /// <paramref name="sums"/> as <see cref="BatchNorm2d.InputGatedGradientSums"/> computes them, bit for bit: taken sample by sample while
    /// the sample's gradient is in cache where the data gradient is a convolution of dy (the stride-1 layers), over the whole tensor otherwise.
    /// This convolution must be the last to add to that gradient, so that each sample's is whole when summed.
    /// </summary>
    internal static void BackwardDataSummed(in ConvGeometry g, int n, ReadOnlySpan<float> dy, ReadOnlySpan<float> weight, Span<float> dx, bool accumulate,
        BatchNorm2d.ReluGradientSums sums, Span<float> scratch, CpuPath path)
        => DataGradient(g, n, dy, weight, dx, accumulate, scratch, path, SampleEpilogue.GradientSumming(sums));

    /// <summary><see cref="BackwardData"/> then <paramref name="epilogue"/> on each sample's input gradient, or on all of them where the data gradient is not a convolution of dy.</summary>
    private static void DataGradient(in ConvGeometry g, int n, ReadOnlySpan<float> dy, ReadOnlySpan<float> weight, Span<float> dx, bool accumulate,
        Span<float> scratch, CpuPath path, scoped in SampleEpilogue epilogue)
    {
        Check(g, n, dx.Length, dy.Length, weight.Length, scratch.Length);
        path = CpuPaths.Resolve(path);
        if (g.IsDepthwise)
        {
            if (!accumulate)
            {
                dx[..(n * g.InputLength)].Clear();
            }
            DepthwiseConv.BackwardData(g, n, dy, weight, dx, path);
            epilogue.All(g.InChannels, g.InPlane, n, dx, path);
            return;
        }
        fixed (float* dyBase = dy, wBase = weight, dxBase = dx, work = scratch)
        {
            if (!accumulate && UsesDirectDataGradient(g, path))
            {
                DirectDataGradient(g, n, dyBase, wBase, dxBase, work, path);
            }
            else if (UsesWinogradDataGradient(g, path))
            {
                WinogradDataGradient(g, n, dyBase, wBase, dxBase, accumulate, work, path, epilogue);
                return;
            }
            else if (HasConvolutionalDataGradient(g))
            {
                // dx = conv(dy, W′) with W′[g·icg + ic, oc, i, j] = W[g·ocg + oc, ic, k−1−i, k−1−j], padding d(k−1) − p.
                FlipWeights(g, wBase, work);
                ForwardGemm(DataGradientGeometry(g), n, dyBase, work, null, dxBase, accumulate, work + g.WeightLength, path, epilogue);
                return;
            }
            else if (g.Stride > 1)
            {
                PhaseDataGradient(g, n, dyBase, wBase, dxBase, accumulate, work, path);
            }
            else
            {
                if (!accumulate)
                {
                    dx[..(n * g.InputLength)].Clear();
                }
                ScatterBackwardData(g, n, dyBase, wBase, dxBase, work, path);
            }
        }
        epilogue.All(g.InChannels, g.InPlane, n, dx, path);
    }

    /// <summary>Weight and bias gradients: <c>dW_g (+)= Σₙ dy_g · col_gᵀ</c>, <c>dBias[oc] (+)= Σₙ,ₚ dy[n, oc, p]</c>.</summary>
    /// <param name="g">The convolution.</param>
    /// <param name="n">Batch size.</param>
    /// <param name="x">Input, [n, InChannels, InHeight, InWidth].</param>
    /// <param name="dy">Output gradient, [n, OutChannels, OutHeight, OutWidth].</param>
    /// <param name="dWeight">Weight gradient, [OutChannels, InChannels/Groups, Kernel, Kernel].</param>
    /// <param name="dBias">Bias gradient, [OutChannels], or empty when the layer has no bias.</param>
    /// <param name="accumulate">Add into dWeight and dBias rather than overwrite them.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void BackwardWeights(in ConvGeometry g, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dWeight, Span<float> dBias, bool accumulate, Span<float> scratch, CpuPath path = CpuPath.Auto)
    {
        Check(g, n, x.Length, dy.Length, dWeight.Length, scratch.Length);
        path = CpuPaths.Resolve(path);
        if (!dBias.IsEmpty)
        {
            BiasGradient(g.OutChannels, g.OutPlane, n, dy, dBias, accumulate);
        }
        if (g.IsDepthwise)
        {
            DepthwiseConv.BackwardWeights(g, n, x, dy, dWeight, accumulate, path);
            return;
        }
        if (n == 0 && !accumulate)
        {
            dWeight[..g.WeightLength].Clear();
        }
        fixed (float* xBase = x, dyBase = dy, dwBase = dWeight, work = scratch)
        {
            if (g.IsPointwise)
            {
                PointwiseWeightGradient(g, n, xBase, dyBase, dwBase, accumulate, work, path);
            }
            else
            {
                ShiftedWeightGradient(g, n, xBase, dyBase, dwBase, accumulate, work, path);
            }
        }
    }

    /// <summary><c>dW_g (+)= Σₙ dy_g · x_gᵀ</c>: a 1×1 stride-1 unpadded convolution's col is its input.</summary>
    private static void PointwiseWeightGradient(in ConvGeometry g, int n, float* x, float* dy, float* dWeight, bool accumulate, float* work, CpuPath path)
    {
        int icg = g.GroupInChannels, ocg = g.GroupOutChannels, plane = g.OutPlane;
        for (var s = 0; s < n; s++)
        {
            for (var group = 0; group < g.Groups; group++)
            {
                var gradOut = new MatrixA(false, dy + ((long)s * g.OutputLength) + (group * ocg * plane), plane);
                var input = new MatrixB(true, x + ((long)s * g.InputLength) + (group * icg * g.InPlane), plane);
                PackedGemm.Loop(ocg, icg, plane, gradOut, input, dWeight + (group * ocg * icg), icg, accumulate || s > 0, work, path);
            }
        }
    }

    /// <summary>
    /// <c>dW_g (+)= Σₙ dy_g · colᵀ</c>, col read as shifted slices of the padded input: on AVX-512 broadcast from them
    /// against dy transposed (<see cref="BroadcastWeightGradient"/>); otherwise over padded-width positions, with dy
    /// copied with zeros in the discarded columns so they add nothing, by row dot products for short patches or the
    /// GEMM with colᵀ packed by transposing the slices.
    /// </summary>
    private static void ShiftedWeightGradient(in ConvGeometry g, int n, float* x, float* dy, float* dWeight, bool accumulate, float* work, CpuPath path)
    {
        if (PrefersPositionLanes(g, path))
        {
            PositionLaneWeightGradient.Run(g, n, x, dy, dWeight, accumulate, work);
            return;
        }
        int icg = g.GroupInChannels, ocg = g.GroupOutChannels, plane = g.OutPlane, patch = g.PatchLength;
        var image = new PaddedImage(g, work);
        var gradOut = work + PaddedImage.ScratchLength(g);
        var positions = image.Positions;
        var broadcast = UsesBroadcastKernel(g, path);
        if (!broadcast)
        {
            new Span<float>(gradOut, ocg * positions).Clear();
        }
        var width = BroadcastWeightGradient.Width(ocg);
        var transposed = gradOut + (ocg * positions);
        var gradWeightT = transposed + (plane * width);
        var panels = broadcast ? BroadcastWeightGradient.Panels(image, g.OutWidth, patch, ocg) : 0;
        for (var s = 0; s < n; s++)
        {
            for (var group = 0; group < g.Groups; group++)
            {
                image.Fill(x + ((long)s * g.InputLength) + (group * icg * g.InPlane));
                var source = dy + ((long)s * g.OutputLength) + (group * ocg * plane);
                var gradW = dWeight + (group * ocg * patch);
                if (broadcast)
                {
                    var groupT = gradWeightT + (group * patch * width);
                    if (s == 0)
                    {
                        new Span<float>(groupT, patch * width).Clear();
                    }
                    // The next sample's input and dy, a few lines after each panel of this one's.
                    var prefetch = s + 1 < n && g.Groups == 1
                        ? new SamplePrefetch(x + ((long)(s + 1) * g.InputLength), g.InputLength, source + g.OutputLength, g.OutputLength, panels)
                        : default;
                    BroadcastWeightGradient.Accumulate(image, g.OutWidth, patch, ocg, source, transposed, groupT, ref prefetch);
                    if (s == n - 1)
                    {
                        BroadcastWeightGradient.Store(groupT, patch, ocg, gradW, accumulate);
                    }
                    continue;
                }
                for (var r = 0; r < ocg * g.OutHeight; r++)
                {
                    new ReadOnlySpan<float>(source + (r * g.OutWidth), g.OutWidth).CopyTo(new Span<float>(gradOut + (r / g.OutHeight * positions) + (r % g.OutHeight * image.Width), g.OutWidth));
                }
                if (PrefersRowDots(g, path))
                {
                    RowDotProducts.MultiplyShifted(ocg, patch, positions, gradOut, positions, image.Data, image.Offsets, gradW, patch, accumulate || s > 0, path);
                }
                else
                {
                    // dy packed once per sample, not once per column block of the patch.
                    var packed = gradOut + (ocg * positions);
                    var rows = PackedGemm.PackAll(false, gradOut, positions, ocg, positions, packed, path);
                    var gemmWork = packed + PackedGemm.PackedALength(ocg, positions);
                    PackedGemm.Loop(ocg, patch, positions, new PrepackedA(packed, rows), new ShiftedTransposedPanels(image), gradW, patch, accumulate || s > 0, gemmWork, path);
                }
            }
        }
    }

    /// <summary>Whether the weight gradient puts output positions in the lanes (<see cref="PositionLaneWeightGradient"/>).</summary>
    private static bool PrefersPositionLanes(in ConvGeometry g, CpuPath path) =>
        PositionLaneWeightGradient.Supports(path) && PrefersPositionLanes(g);

    /// <summary>
    /// Where <see cref="PositionLaneWeightGradient"/> is expected to beat the filters-in-lanes kernel: it runs at about
    /// 75 % of peak on the lanes it computes, whatever the filter count, while <see cref="BroadcastWeightGradient"/> runs at
    /// about 60 % with one vector of filters and 80 % with two or more, on the filters' share of its lanes (fitted to
    /// both, batch 32, thread CPU time). So it is chosen for up to 16 filters on rows that fill its vectors (ResNet-8's
    /// 16→16 on 32×32 1.2×, its 3→16 stem 1.3×; not LeNet's 6→16, whose 10-wide rows fill 69 % of them: even), for
    /// under 16 filters almost always, and for patches under 32 rows (1-channel inputs, strided 1×1 kernels), which
    /// otherwise take the row dot products (LeNet's 1→6 1.7×, bn2conv's 1→32 1.8×, ResNet-8's 1×1 stride-2 shortcut 1.4×).
    /// </summary>
    private static bool PrefersPositionLanes(in ConvGeometry g)
    {
        if (g.PatchLength < 32)
        {
            return true;
        }
        var filters = g.GroupOutChannels;
        var width = BroadcastWeightGradient.Width(filters);
        return 0.75 * PositionLaneWeightGradient.LaneShare(g) > (width == 16 ? 0.6 : 0.8) * filters / width;
    }

    /// <summary>
    /// Whether the weight gradient broadcasts col from the image against dy transposed (<see cref="BroadcastWeightGradient"/>):
    /// on AVX-512, when the patch is too long for <see cref="PrefersRowDots"/>.
    /// </summary>
    private static bool UsesBroadcastKernel(in ConvGeometry g, CpuPath path) =>
        path == CpuPath.Vector512 && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated && !PrefersRowDots(g, path);

    /// <summary>
    /// Whether the weight gradient takes row dot products of dy and the image's shifted rows (no packing, no
    /// transposes) rather than the GEMM: when the patch is shorter than one 32-column GEMM panel (1-channel
    /// inputs: 9 or 25 rows), which the GEMM would mostly pad. Measured with <c>--kernels</c> (loaded machine):
    /// bn2conv's 1→32 layer 47 against 20 GFLOP/s, LeNet's 1→6 layer 70 against 31; with 144 rows (ResNet-8's
    /// 16→16) the two are even, and from 288 rows the GEMM is faster (32→32 on 16×16: 111 against 84).
    /// </summary>
    private static bool PrefersRowDots(in ConvGeometry g, CpuPath path) => g.PatchLength < 32 && RowDotProducts.Supports(path);

    /// <summary>
    /// Whether the data gradient runs as a stride-1 convolution of dy (stride 1 and padding at most d·(k − 1)). Its
    /// GEMM has one row per input channel, so with fewer than 8 (LeNet's 6, an image's 1 or 3) the micro-kernel
    /// idles and <c>Wᵀ·dy</c> + col2im is faster (measured, fully jitted: LeNet's 6→16 layer 49 against 31 GFLOP/s).
    /// </summary>
    private static bool HasConvolutionalDataGradient(in ConvGeometry g) =>
        g.Stride == 1 && g.Pad <= g.Dilation * (g.Kernel - 1) && g.GroupInChannels >= 8;

    /// <summary>The convolution of dy that gives a stride-1 convolution's data gradient.</summary>
    private static ConvGeometry DataGradientGeometry(in ConvGeometry g) =>
        new(g.OutChannels, g.OutHeight, g.OutWidth, g.InChannels, g.Kernel, 1, (g.Dilation * (g.Kernel - 1)) - g.Pad, g.Dilation, g.Groups);

    /// <summary>
    /// Whether the forward convolution reads col in place as shifts of a <see cref="PaddedImage"/>'s phase planes;
    /// otherwise it packs compact panels from the same planes (<see cref="CompactPanels"/>), and 1×1 stride-1
    /// unpadded ones need no lowering at all.
    /// </summary>
    /// <remarks>
    /// Padded-width positions round up to whole NR = 32 panels; when that computes over a quarter more columns than
    /// the real plane would (8×8 maps: 96 against 64), the cheaper packing does not pay for the wasted FMAs.
    /// </remarks>
    private static bool IsShifted(in ConvGeometry g) =>
        !g.IsPointwise && 4 * RoundUp(ShiftedPositions(g), 32) <= 5 * RoundUp(g.OutPlane, 32);

    /// <summary>
    /// Whether the in-place GEMM computes only real outputs (<see cref="ShiftedRows"/>, <see cref="HalfShiftedRows"/>):
    /// on Vector512, with output rows a multiple of 8 wide.
    /// </summary>
    private static bool ReadsRealOutputs(int outWidth, CpuPath path) => path == CpuPath.Vector512 && outWidth % 8 == 0;

    /// <summary>
    /// Whether the forward GEMM reads the <see cref="PaddedImage"/>'s phase planes as one run over the output plane: on
    /// Vector512, where the planes are exactly as wide as the output, as for strided unpadded 1×1 kernels, whose phase
    /// (0, 0) is the subsampled input itself (ResNet's projection shortcuts). On 8×8 outputs that replaces the
    /// <see cref="ColumnShiftedImage"/>, which copied both row phases of its one kernel column though only one is read.
    /// </summary>
    private static bool ReadsCompactPlanes(in ConvGeometry g, CpuPath path) =>
        path == CpuPath.Vector512 && !g.IsPointwise && PaddedImage.PhaseWidth(g) == g.OutWidth;

    /// <summary>
    /// Whether the forward GEMM reads col from a <see cref="ColumnShiftedImage"/>: on Vector512, ungrouped, with output
    /// rows an odd multiple of 8 wide (8×8 maps), which the padded image could only serve as paired half rows: k copies
    /// of the input cost less than two half-vector loads and an insert per row of every tile. Measured with
    /// <c>--kernels</c> on ResNet-8's 64 → 64 on 8×8 (three alternated pairs, load 11–15): forward 91–112 → 121–128
    /// GFLOP/s, data gradient 109–119 → 137–154.
    /// </summary>
    private static bool ReadsColumnShiftedImage(in ConvGeometry g, CpuPath path) =>
        path == CpuPath.Vector512 && UsesColumnShiftedImage(g);

    /// <summary>
    /// The geometry half of <see cref="ReadsColumnShiftedImage"/>, which sizes the scratch (undilated: the copies hold one
    /// column per tap at dilation 1, as in <see cref="DirectConv.Supports"/>; not where <see cref="ReadsCompactPlanes"/> reads
    /// the phase planes as they are).
    /// </summary>
    private static bool UsesColumnShiftedImage(in ConvGeometry g) =>
        !g.IsPointwise && g.Groups == 1 && g.Dilation == 1 && g.OutWidth % 16 == 8 && PaddedImage.PhaseWidth(g) != g.OutWidth;

    /// <summary>Scratch of the forward GEMM's copy of a sample.</summary>
    private static int ImageScratch(in ConvGeometry g) =>
        UsesColumnShiftedImage(g) ? Math.Max(PaddedImage.ScratchLength(g), ColumnShiftedImage.ScratchLength(g)) : PaddedImage.ScratchLength(g);

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>Scratch of <see cref="ForwardGemm"/>: every group's packed weights, then the lowering and the GEMM's packing space.</summary>
    private static int ForwardScratch(in ConvGeometry g)
    {
        var weights = g.Groups * PackedGemm.PackedALength(g.GroupOutChannels, g.PatchLength);
        if (g.IsPointwise)
        {
            return weights + Gemm.ScratchLength(g.GroupOutChannels, g.OutPlane, g.PatchLength);
        }
        if (!IsShifted(g))
        {
            return weights + ImageScratch(g) + Gemm.ScratchLength(g.GroupOutChannels, g.OutPlane, g.PatchLength);
        }
        var positions = ShiftedPositions(g);
        return weights + ImageScratch(g) + (g.GroupOutChannels * positions) + Gemm.ScratchLength(g.GroupOutChannels, positions, g.PatchLength);
    }

    /// <summary>Scratch of the weight gradient.</summary>
    private static int WeightScratch(in ConvGeometry g)
    {
        int ocg = g.GroupOutChannels, patch = g.PatchLength;
        if (g.IsPointwise)
        {
            return Gemm.ScratchLength(ocg, patch, g.OutPlane);
        }
        var positions = ShiftedPositions(g);
        var broadcast = BroadcastWeightGradient.ScratchLength(g.OutPlane, g.Groups, patch, ocg);
        var shifted = PaddedImage.ScratchLength(g) + (ocg * positions) + Math.Max(broadcast, PackedGemm.PackedALength(ocg, positions) + Gemm.ScratchLength(ocg, patch, positions));
        return PrefersPositionLanes(g) ? Math.Max(shifted, PositionLaneWeightGradient.ScratchLength(g)) : shifted;
    }

    /// <summary>Output positions counted over the phase width, H′·⌈(W + 2p)/s⌉.</summary>
    private static int ShiftedPositions(in ConvGeometry g) => PaddedImage.PositionsOf(g);

    /// <summary>Packs each group's weights once, then multiplies them by every sample's (implicit) col.</summary>
    private static void ForwardGemm(in ConvGeometry g, int n, float* x, float* weight, float* bias, float* y, bool accumulate, float* work, CpuPath path,
        scoped in SampleEpilogue epilogue)
    {
        int icg = g.GroupInChannels, ocg = g.GroupOutChannels, plane = g.OutPlane, patch = g.PatchLength;
        var packedLength = PackedGemm.PackedALength(ocg, patch);
        var rows = 0;
        for (var group = 0; group < g.Groups; group++)
        {
            rows = PackedGemm.PackAll(false, weight + (group * ocg * patch), patch, ocg, patch, work + ((long)group * packedLength), path);
        }
        work += (long)g.Groups * packedLength;
        var compact = ReadsCompactPlanes(g, path);
        var columns = ReadsColumnShiftedImage(g, path);
        var image = g.IsPointwise || columns ? default : new PaddedImage(g, work);
        var shifted = columns ? new ColumnShiftedImage(g, work) : default;
        var product = work + ImageScratch(g);
        var tiles = PackedGemm.Tiles(ocg, plane, patch, path);
        for (var s = 0; s < n; s++)
        {
            // The next sample's input and output, a few lines after each tile of this one's multiply.
            var prefetch = s + 1 < n && g.Groups == 1
                ? new SamplePrefetch(x + ((long)(s + 1) * g.InputLength), g.InputLength, y + ((long)(s + 1) * g.OutputLength), g.OutputLength, tiles)
                : default;
            for (var group = 0; group < g.Groups; group++)
            {
                var weights = new PrepackedA(work - ((long)(g.Groups - group) * packedLength), rows);
                var input = x + ((long)s * g.InputLength) + (group * icg * g.InPlane);
                var output = y + ((long)s * g.OutputLength) + (group * ocg * plane);
                if (columns)
                {
                    // Rows an odd number of half vectors wide: k column-shifted copies make every row of col one contiguous
                    // run over the whole plane, read with full vectors instead of paired half rows.
                    shifted.Fill(input, path);
                    PackedGemm.LoopShifted(ocg, plane, patch, weights, shifted.Data, shifted.Offsets, plane, plane, output, plane, accumulate, product, path, ref prefetch);
                    if (bias != null)
                    {
                        AddBias(ocg, plane, 1, new ReadOnlySpan<float>(bias + (group * ocg), ocg), new Span<float>(output, ocg * plane));
                    }
                }
                else if (compact || (!g.IsPointwise && ReadsRealOutputs(g.OutWidth, path)))
                {
                    // Output rows of whole (or paired half) vectors: the GEMM computes only real positions, straight into y;
                    // phase planes as wide as the output are read as one run over the plane.
                    image.Fill(input);
                    int runWidth = compact ? plane : g.OutWidth, runStride = compact ? plane : image.Width;
                    PackedGemm.LoopShifted(ocg, plane, patch, weights, image.Data, image.Offsets, runWidth, runStride, output, plane, accumulate, product, path, ref prefetch);
                    if (bias != null)
                    {
                        AddBias(ocg, plane, 1, new ReadOnlySpan<float>(bias + (group * ocg), ocg), new Span<float>(output, ocg * plane));
                    }
                }
                else if (IsShifted(g))
                {
                    // C = W·col over padded-width positions, then the real W′ columns of each row go to y.
                    image.Fill(input);
                    MultiplyShifted(ocg, image.Positions, patch, weights, image.Data, image.Offsets, product, product + (ocg * image.Positions), path);
                    CopyRows(product, image.Width, output, g, bias == null ? null : bias + (group * ocg), accumulate);
                }
                else
                {
                    if (g.IsPointwise)
                    {
                        PackedGemm.Loop(ocg, plane, patch, weights, new MatrixB(false, input, plane), output, plane, accumulate, work, path);
                    }
                    else
                    {
                        image.Fill(input);
                        PackedGemm.Loop(ocg, plane, patch, weights, new CompactPanels(image, g.OutWidth), output, plane, accumulate, product, path);
                    }
                    if (bias != null)
                    {
                        // While the sample's output is still in cache.
                        AddBias(ocg, plane, 1, new ReadOnlySpan<float>(bias + (group * ocg), ocg), new Span<float>(output, ocg * plane));
                    }
                }
            }
            // The sample's whole output, every group's, while it is still in cache.
            epilogue.Sample(g, s, new ReadOnlySpan<float>(y + ((long)s * g.OutputLength), g.OutputLength), path);
        }
    }

    /// <summary>C[m, n] = A · B with B's row p at <c>data + offsets[p]</c>: read in place on Vector512, packed by copies elsewhere.</summary>
    private static void MultiplyShifted(int m, int n, int k, PrepackedA a, float* data, int* offsets, float* c, float* work, CpuPath path)
    {
        if (path == CpuPath.Vector512)
        {
            PackedGemm.LoopShifted(m, n, k, a, data, offsets, n, n, c, n, false, work, path);
        }
        else
        {
            PackedGemm.Loop(m, n, k, a, new ShiftedPanels(data, offsets), c, n, false, work, path);
        }
    }

    /// <summary>
    /// y[oc, oh, 0..W′) (+)= product[oc, oh·Ws + 0..W′) (+ bias[oc]): the real columns of the shifted GEMM's
    /// rows, with the bias added on the way.
    /// </summary>
    private static void CopyRows(float* product, int productWidth, float* y, in ConvGeometry g, float* bias, bool accumulate)
    {
        int width = g.OutWidth, height = g.OutHeight;
        for (var oc = 0; oc < g.GroupOutChannels; oc++)
        {
            for (var oh = 0; oh < height; oh++, product += productWidth, y += width)
            {
                var from = new ReadOnlySpan<float>(product, width);
                var to = new Span<float>(y, width);
                if (accumulate)
                {
                    TensorPrimitives.Add(to, from, to);
                    if (bias != null)
                    {
                        TensorPrimitives.Add(to, bias[oc], to);
                    }
                }
                else if (bias != null)
                {
                    TensorPrimitives.Add(from, bias[oc], to);
                }
                else
                {
                    from.CopyTo(to);
                }
            }
        }
    }

    /// <summary>W′[g·icg + ic, oc, i, j] = W[g·ocg + oc, ic, k−1−i, k−1−j]: the weights of the data-gradient convolution.</summary>
    private static void FlipWeights(in ConvGeometry g, float* weight, float* flipped)
    {
        int icg = g.GroupInChannels, ocg = g.GroupOutChannels, area = g.Kernel * g.Kernel;
        for (var group = 0; group < g.Groups; group++)
        {
            for (var oc = 0; oc < ocg; oc++)
            {
                for (var ic = 0; ic < icg; ic++)
                {
                    var source = weight + ((((group * ocg) + oc) * icg) + ic) * area;
                    var target = flipped + ((((group * icg) + ic) * ocg) + oc) * area;
                    for (var t = 0; t < area; t++)
                    {
                        target[t] = source[area - 1 - t];
                    }
                }
            }
        }
    }

    /// <summary>Data gradient by scatter: per sample and group <c>col = W_gᵀ · dy_g</c> (Wᵀ packed once), then col2im into dx.</summary>
    private static void ScatterBackwardData(in ConvGeometry g, int n, float* dy, float* weight, float* dx, float* work, CpuPath path)
    {
        int icg = g.GroupInChannels, ocg = g.GroupOutChannels, plane = g.OutPlane, patch = g.PatchLength;
        var colLength = patch * plane;
        var col = new Span<float>(work, colLength);
        var packedLength = PackedGemm.PackedALength(patch, ocg);
        var packed = work + colLength;
        var rows = 0;
        for (var group = 0; group < g.Groups; group++)
        {
            rows = PackedGemm.PackAll(true, weight + (group * ocg * patch), patch, patch, ocg, packed + ((long)group * packedLength), path);
        }
        var gemmWork = packed + ((long)g.Groups * packedLength);
        for (var s = 0; s < n; s++)
        {
            for (var group = 0; group < g.Groups; group++)
            {
                var gradOut = new MatrixB(false, dy + ((long)s * g.OutputLength) + (group * ocg * plane), plane);
                var w = new MatrixA(true, weight + (group * ocg * patch), patch);
                PackedGemm.Loop(patch, plane, ocg, w, gradOut, work, plane, false, gemmWork, path);
                Col2Im.Accumulate(g, col, new Span<float>(dx + ((long)s * g.InputLength) + (group * icg * g.InPlane), icg * g.InPlane));
            }
        }
    }

    /// <summary>Adds <c>bias[c]</c> to every value of channel c of an NCHW tensor.</summary>
    internal static void AddBias(int channels, int plane, int n, ReadOnlySpan<float> bias, Span<float> y)
    {
        for (var s = 0; s < n; s++)
        {
            for (var c = 0; c < channels; c++)
            {
                var row = y.Slice(((s * channels) + c) * plane, plane);
                TensorPrimitives.Add(row, bias[c], row);
            }
        }
    }

    /// <summary><c>dBias[c] (+)= Σ over batch and plane of dy[·, c, ·]</c>.</summary>
    internal static void BiasGradient(int channels, int plane, int n, ReadOnlySpan<float> dy, Span<float> dBias, bool accumulate)
    {
        for (var c = 0; c < channels; c++)
        {
            var sum = 0f;
            for (var s = 0; s < n; s++)
            {
                sum += TensorPrimitives.Sum(dy.Slice(((s * channels) + c) * plane, plane));
            }
            dBias[c] = accumulate ? dBias[c] + sum : sum;
        }
    }

    private static void Check(in ConvGeometry g, int n, int inputLength, int outputLength, int weightLength, int scratchLength)
    {
        if (n < 0 || inputLength < (long)n * g.InputLength || outputLength < (long)n * g.OutputLength || weightLength < g.WeightLength)
        {
            throw new ArgumentException($"Conv2d tensors too short for batch {n}: input {inputLength} (needs {n * g.InputLength}), output {outputLength} (needs {n * g.OutputLength}), weight {weightLength} (needs {g.WeightLength}).");
        }
        if (scratchLength < ScratchLength(g, n))
        {
            throw new ArgumentException($"Conv2d needs {ScratchLength(g, n)} floats of scratch, got {scratchLength}.");
        }
    }
}
