using System;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Strided forward passes whose GEMM would read B as 8-float halves (<see cref="HalfShiftedRows"/>): 1×1 kernels
/// (ResNet's projection shortcuts) gather each sample's input once into a compact <c>[icg, H′·W′]</c> block (stride 2:
/// <see cref="EveryOtherGather"/>); stride-2 kernels onto rows an odd multiple of 8 wide (ResNet-8's 32→64 layer onto
/// 8×8) copy the phase planes' column windows out once per sample. Either way the GEMM then reads its rows as whole
/// vectors, one run over all output positions (130 against 190 GFLOP/s for the GEMM alone on the 32→64 layer).
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

    /// <summary>Whether the forward pass takes <see cref="StridedWindowForward"/>: <see cref="HasForwardWindows"/>, on Vector512.</summary>
    private static bool ReadsForwardWindows(in ConvGeometry g, CpuPath path) =>
        HasForwardWindows(g) && path == CpuPath.Vector512 && RowCopy.IsSupported;

    /// <summary>Stride 2, a kernel over 1×1, output rows 8 or 24 wide (wider ones would need copies of several times the input).</summary>
    private static bool HasForwardWindows(in ConvGeometry g) =>
        g.Stride == 2 && g.Kernel > 1 && g.OutWidth % 16 == 8 && g.OutWidth <= 24 && ForwardWindowKeys(g) <= 32;

    /// <summary>Column windows: one per phase of the input and horizontal tap shift ⌊j·d/2⌋.</summary>
    private static int ForwardWindowKeys(in ConvGeometry g) => 4 * (((g.Kernel - 1) * g.Dilation / 2) + 1);

    /// <summary>Floats of one column window: every channel's phase rows, W′ wide.</summary>
    private static int ForwardWindowCopy(in ConvGeometry g) => g.GroupInChannels * ((g.InHeight + (2 * g.Pad) + 1) / 2) * g.OutWidth;

    /// <summary>Scratch of <see cref="StridedWindowForward"/>: packed weights, the phase planes, the row offsets, the windows with slack, the GEMM's work.</summary>
    private static int StridedWindowScratch(in ConvGeometry g) =>
        (g.Groups * PackedGemm.PackedALength(g.GroupOutChannels, g.PatchLength)) + PaddedImage.ScratchLength(g) + RoundUp16(g.PatchLength)
        + (ForwardWindowKeys(g) * ForwardWindowCopy(g)) + 64 + Gemm.ScratchLength(g.GroupOutChannels, g.OutPlane, g.PatchLength);

    /// <summary>
    /// <c>y (+)= W_g · col_g + b</c> with col's row (c, i, j) read from the column window of its phase and shift: the
    /// window holds phase-plane rows cut to the W′ columns that tap reads, so consecutive output rows follow each other.
    /// </summary>
    private static void StridedWindowForward(in ConvGeometry g, int n, float* x, float* weight, float* bias, float* y, bool accumulate, float* work, CpuPath path)
    {
        int icg = g.GroupInChannels, ocg = g.GroupOutChannels, plane = g.OutPlane, patch = g.PatchLength, outWidth = g.OutWidth;
        var packedLength = PackedGemm.PackedALength(ocg, patch);
        var rows = 0;
        for (var group = 0; group < g.Groups; group++)
        {
            rows = PackedGemm.PackAll(false, weight + (group * ocg * patch), patch, ocg, patch, work + ((long)group * packedLength), path);
        }
        var image = new PaddedImage(g, work + ((long)g.Groups * packedLength));
        var offsets = (int*)(work + ((long)g.Groups * packedLength) + PaddedImage.ScratchLength(g));
        var windows = (float*)offsets + RoundUp16(patch);
        var gemmWork = windows + (ForwardWindowKeys(g) * ForwardWindowCopy(g)) + 64;
        int phaseRows = image.Plane / image.Width, phaseBlock = icg * image.Plane, shifts = ForwardWindowKeys(g) / 4, copy = ForwardWindowCopy(g);
        var used = 0;
        for (var row = 0; row < patch; row++)
        {
            // image.Offsets[row] = phase·icg·Plane + c·Plane + ⌊i·d/2⌋·Ws + ⌊j·d/2⌋.
            var offset = image.Offsets[row];
            var inPhase = offset % phaseBlock;
            var inPlane = inPhase % image.Plane;
            var key = (offset / phaseBlock * shifts) + (inPlane % image.Width);
            used |= 1 << key;
            offsets[row] = (key * copy) + ((((inPhase / image.Plane) * phaseRows) + (inPlane / image.Width)) * outWidth);
        }
        for (var s = 0; s < n; s++)
        {
            for (var group = 0; group < g.Groups; group++)
            {
                image.Fill(x + ((long)s * g.InputLength) + (group * icg * g.InPlane));
                CopyForwardWindows(image, used, shifts, phaseBlock, outWidth, windows, copy);
                var output = y + ((long)s * g.OutputLength) + (group * ocg * plane);
                var weights = new PrepackedA(work + ((long)group * packedLength), rows);
                PackedGemm.LoopShifted(ocg, plane, patch, weights, windows, offsets, plane, plane, output, plane, accumulate, gemmWork, path);
                if (bias != null)
                {
                    AddBias(ocg, plane, 1, new ReadOnlySpan<float>(bias + (group * ocg), ocg), new Span<float>(output, ocg * plane));
                }
            }
        }
    }

    /// <summary>Window (phase, shift): <c>windows[key][c, u, 0..W′) = plane(phase)[c, u, shift..shift + W′)</c>, 8-wide rows one 256-bit copy each.</summary>
    private static void CopyForwardWindows(in PaddedImage image, int used, int shifts, int phaseBlock, int outWidth, float* windows, int copy)
    {
        var tail = RowCopy.TailMask(outWidth);
        var planeRows = image.Channels * (image.Plane / image.Width);
        for (var key = 0; key < 4 * shifts; key++)
        {
            if ((used & (1 << key)) == 0)
            {
                continue;
            }
            // Channels' planes follow each other, so their rows are one sequence Ws apart.
            var source = image.Data + (key / shifts * phaseBlock) + (key % shifts);
            var target = windows + (key * copy);
            for (var row = 0; row < planeRows; row++, source += image.Width, target += outWidth)
            {
                if (outWidth == 8)
                {
                    Vector256.Load(source).Store(target);
                }
                else
                {
                    RowCopy.Copy(source, target, outWidth, tail);
                }
            }
        }
    }
}
