using System;
using System.Numerics.Tensors;

namespace Cnn.Runtime.Kernels;

// The forward pass and the scatter data gradient as packed GEMMs over the implicit col.
public static unsafe partial class Conv2d
{
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
}
