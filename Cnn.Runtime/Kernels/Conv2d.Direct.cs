using System;

namespace Cnn.Runtime.Kernels;

// Where DirectConv's register tiles beat the GEMM at any batch size: layers whose GEMM is too thin for the
// micro-kernel. A patch shorter than 32 (an image's 1 or 3 channels under a 3×3 or 5×5 kernel) gives each C tile
// too few FMAs to pay for loading and storing it; a data gradient with fewer than 8 input channels (LeNet's 6)
// gives the GEMM fewer rows than the micro-kernel has, and its scatter fallback (Wᵀ·dy, col2im) writes col and
// reads it back. DirectConv reads the padded sample in place with 6 or 8 filters × 2 vectors of accumulators.
// With fewer than 8 input channels on Vector512, DirectConv also wins where the GEMM computes over the padded
// width (output rows not a multiple of 8 wide) and loses a few percent where it does not.
// Measured at batch 32 on Zen 5 (µs, GEMM → direct, fully jitted): forward LeNet 1→6 5×5 on 28×28 97 → 64,
// bn2conv 1→32 3×3 on 28×28 339 → 136, resnet8's 3→16 stem 225 → 184; LeNet's 6→16 data gradient 389 → 233.
// Forward, fewer than 8 input channels, thread CPU time, medians of 21 alternated (load 9): LeNet 6→16 5×5 on
// 14×14 151 → 107, 4→48 3×3 on 30×30 913 → 596, 6→32 5×5 on 14×14 502 → 409; rows a multiple of 8 wide, kept on
// the GEMM: 3→64 3×3 on 32×32 751 against 756, 3→64 7×7 stride 2 on 64×64 3,368 against 3,523, 7→64 on 16×16 359
// against 380.
public static unsafe partial class Conv2d
{
    /// <summary>
    /// Whether <see cref="Forward(in ConvGeometry, int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, CpuPath)"/>
    /// runs <see cref="DirectConv"/>: patches shorter than 32, and on Vector512 fewer than 8 input channels whose GEMM would compute over the padded width.
    /// </summary>
    private static bool UsesDirectForward(in ConvGeometry g, CpuPath path) =>
        DirectConv.Supports(g, path)
        && (g.PatchLength < 32 || (g.GroupInChannels < 8 && path == CpuPath.Vector512 && !ReadsRealOutputs(g.OutWidth, path)));

    /// <summary>Whether <see cref="BackwardData"/> (overwriting dx) runs <see cref="DirectDataGradient"/>: stride 1, fewer than 8 input channels.</summary>
    private static bool UsesDirectDataGradient(in ConvGeometry g, CpuPath path) =>
        g.Stride == 1 && g.GroupInChannels < 8 && g.Pad <= g.Dilation * (g.Kernel - 1) && DirectConv.Supports(DataGradientGeometry(g), path);

    /// <summary>Scratch of the direct paths on either vector path: DirectConv's, and for the data gradient the flipped weights before it (or the row-pruned kernel's padded dy).</summary>
    private static int DirectScratch(in ConvGeometry g)
    {
        var forward = UsesDirectForward(g, CpuPath.Vector512) || UsesDirectForward(g, CpuPath.Vector256) ? DirectConv.ScratchLength(g) : 0;
        if (!UsesDirectDataGradient(g, CpuPath.Vector512))
        {
            return forward;
        }
        var data = g.WeightLength + DirectConv.ScratchLength(DataGradientGeometry(g));
        var pruned = RowPrunedDataGradient.Pays(g, CpuPath.Vector512) ? RowPrunedDataGradient.ScratchLength(g) : 0;
        return Math.Max(forward, Math.Max(data, pruned));
    }

    /// <summary>
    /// The forward pass sample by sample with <see cref="DirectConv"/>, each sample's <paramref name="epilogue"/> run while its output
    /// is in cache, as <see cref="ForwardGemm"/> runs it.
    /// </summary>
    private static void DirectForward(in ConvGeometry g, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y,
        scoped in SampleEpilogue epilogue, Span<float> scratch, CpuPath path)
    {
        for (var s = 0; s < n; s++)
        {
            var output = y.Slice(s * g.OutputLength, g.OutputLength);
            DirectConv.Forward(g, 1, x.Slice(s * g.InputLength, g.InputLength), weight, bias, output, scratch, path);
            epilogue.Sample(g, s, output, path);
        }
    }

    /// <summary>The forward pass sample by sample with <see cref="StridedPointwise"/>, each sample's <paramref name="epilogue"/> run while its output is in cache.</summary>
    private static void StridedPointwiseForward(in ConvGeometry g, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y,
        scoped in SampleEpilogue epilogue, Span<float> scratch, CpuPath path)
    {
        fixed (float* xBase = x, wBase = weight, bBase = bias, yBase = y, work = scratch)
        {
            for (var s = 0; s < n; s++)
            {
                StridedPointwise.Forward(g, xBase + ((long)s * g.InputLength), wBase, bias.IsEmpty ? null : bBase, yBase + ((long)s * g.OutputLength), work);
                epilogue.Sample(g, s, y.Slice(s * g.OutputLength, g.OutputLength), path);
            }
        }
    }

    /// <summary>
    /// <c>dx = conv(dy, W′)</c> with <see cref="DirectConv"/>, W′ the flipped, transposed weights (<see cref="FlipWeights"/>) at the start of
    /// the scratch; or by <see cref="RowPrunedDataGradient"/> where a fifth or more of the kernel rows would fall on dy's padding
    /// (LeNet-5's 6 → 16 layer).
    /// </summary>
    private static void DirectDataGradient(in ConvGeometry g, int n, float* dy, float* weight, float* dx, float* work, CpuPath path)
    {
        if (RowPrunedDataGradient.Pays(g, path))
        {
            RowPrunedDataGradient.Run(g, n, dy, weight, dx, work);
            return;
        }
        FlipWeights(g, weight, work);
        var dataGeometry = DataGradientGeometry(g);
        DirectConv.Forward(dataGeometry, n, new ReadOnlySpan<float>(dy, n * g.OutputLength), new ReadOnlySpan<float>(work, g.WeightLength), [],
            new Span<float>(dx, n * g.InputLength), new Span<float>(work + g.WeightLength, DirectConv.ScratchLength(dataGeometry)), path);
    }
}
