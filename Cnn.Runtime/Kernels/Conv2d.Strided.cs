using System;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// 1×1 strided convolutions (ResNet's projection shortcuts), forward: each sample's input is gathered once into a
/// compact <c>[icg, H′·W′]</c> block (stride 2: <see cref="EveryOtherGather"/>), which the GEMM reads in place as rows
/// of whole vectors. Through <see cref="PaddedImage"/> the same product read 8×8 outputs as two 8-float halves per
/// vector (<see cref="HalfShiftedRows"/>) and cleared every phase plane of the input on each call.
/// </summary>
public static unsafe partial class Conv2d
{
    /// <summary>Whether the forward pass takes <see cref="StridedPointwiseForward"/>: a strided 1×1 kernel on Vector512 (where the GEMM reads B in place).</summary>
    private static bool IsStridedPointwise(in ConvGeometry g, CpuPath path) =>
        g.Kernel == 1 && g.Stride > 1 && path == CpuPath.Vector512 && EveryOtherGather.IsSupported;

    /// <summary>Scratch of <see cref="StridedPointwiseForward"/>: packed weights, row offsets, the compact block with slack for a last panel's reads, the GEMM's work.</summary>
    private static int StridedPointwiseScratch(in ConvGeometry g) =>
        (g.Groups * PackedGemm.PackedALength(g.GroupOutChannels, g.GroupInChannels)) + RoundUp16(g.GroupInChannels)
        + (g.GroupInChannels * g.OutPlane) + 64 + Gemm.ScratchLength(g.GroupOutChannels, g.OutPlane, g.GroupInChannels);

    /// <summary><c>y (+)= W_g · gather(x_g) + b</c> per sample and group, the weights packed once per call.</summary>
    private static void StridedPointwiseForward(in ConvGeometry g, int n, float* x, float* weight, float* bias, float* y, bool accumulate, float* work, CpuPath path)
    {
        int icg = g.GroupInChannels, ocg = g.GroupOutChannels, plane = g.OutPlane;
        var packedLength = PackedGemm.PackedALength(ocg, icg);
        var rows = 0;
        for (var group = 0; group < g.Groups; group++)
        {
            rows = PackedGemm.PackAll(false, weight + (group * ocg * icg), icg, ocg, icg, work + ((long)group * packedLength), path);
        }
        var offsets = (int*)(work + ((long)g.Groups * packedLength));
        var compact = (float*)offsets + RoundUp16(icg);
        var gemmWork = compact + (icg * plane) + 64;
        for (var c = 0; c < icg; c++)
        {
            offsets[c] = c * plane;
        }
        // The last panel's columns past the plane read these (computed, never stored).
        new Span<float>(compact + (icg * plane), 64).Clear();
        for (var s = 0; s < n; s++)
        {
            for (var group = 0; group < g.Groups; group++)
            {
                GatherStrided(g, x + ((long)s * g.InputLength) + (group * icg * g.InPlane), compact);
                var output = y + ((long)s * g.OutputLength) + (group * ocg * plane);
                var weights = new PrepackedA(work + ((long)group * packedLength), rows);
                PackedGemm.LoopShifted(ocg, plane, icg, weights, compact, offsets, plane, plane, output, plane, accumulate, gemmWork, path);
                if (bias != null)
                {
                    AddBias(ocg, plane, 1, new ReadOnlySpan<float>(bias + (group * ocg), ocg), new Span<float>(output, ocg * plane));
                }
            }
        }
    }

    /// <summary><c>compact[c, oh, ow] = x[c, s·oh − p, s·ow − p]</c>, zero where that lies in the padding.</summary>
    private static void GatherStrided(in ConvGeometry g, float* x, float* compact)
    {
        int s = g.Stride, pad = g.Pad, width = g.InWidth, outWidth = g.OutWidth;
        // Output columns whose input column s·ow − p lies inside the row: [first, last).
        var first = Math.Min(outWidth, (pad + s - 1) / s);
        var last = Math.Max(first, Math.Min(outWidth, ((width - 1 + pad) / s) + 1));
        var vectors = s == 2 && EveryOtherGather.IsSupported;
        for (var c = 0; c < g.GroupInChannels; c++)
        {
            for (var oh = 0; oh < g.OutHeight; oh++)
            {
                var target = compact + (((c * g.OutHeight) + oh) * outWidth);
                var ih = (s * oh) - pad;
                if (ih < 0 || ih >= g.InHeight)
                {
                    new Span<float>(target, outWidth).Clear();
                    continue;
                }
                new Span<float>(target, first).Clear();
                new Span<float>(target + last, outWidth - last).Clear();
                var source = x + (((c * g.InHeight) + ih) * width) + (s * first) - pad;
                if (vectors)
                {
                    EveryOtherGather.Copy(source, target + first, last - first);
                    continue;
                }
                for (var ow = 0; ow < last - first; ow++)
                {
                    target[first + ow] = source[s * ow];
                }
            }
        }
    }
}
