using System;

namespace Cnn.Runtime.Kernels;

// Which input layout and which data-gradient form a layer takes, and the scratch each needs.
public static unsafe partial class Conv2d
{
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
}
