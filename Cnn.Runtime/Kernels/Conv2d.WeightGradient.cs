using System;

namespace Cnn.Runtime.Kernels;

// The weight gradient's implicit GEMM and the rules that send a layer to another weight-gradient kernel.
public static unsafe partial class Conv2d
{
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
        if (UsesWinogradWeightGradient(g, path))
        {
            Winograd.WeightGradient(g, n, x, dy, dWeight, accumulate, work);
            return;
        }
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
}
