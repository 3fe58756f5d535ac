using System;
using System.Numerics.Tensors;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// 2-D convolution over NCHW float32 (PyTorch's Conv2d): forward, data gradient and weight/bias gradient.
/// Each sample and group is lowered with im2col and multiplied by <see cref="Gemm"/>
/// (<c>Y_g[oc, P] = W_g[oc, K] · col[K, P]</c>); 1×1 stride-1 convolutions skip im2col and depthwise
/// convolutions run a direct kernel. All scratch comes from the caller; nothing is allocated.
/// </summary>
public static class Conv2d
{
    /// <summary>
    /// Output planes at least this long take the weight gradient as row dot products; shorter ones spend too much
    /// of each dot product on its horizontal sum, and the packed GEMM is faster (measured: 28×28 and 32×32 planes
    /// gain, 10×10, 16×16 and 8×8 lose up to 5×).
    /// </summary>
    private const int RowDotMinPlane = 512;

    /// <summary>Floats of scratch every entry point of this class needs for a batch of <paramref name="n"/>.</summary>
    /// <param name="g">The convolution.</param>
    /// <param name="n">Batch size (the largest the caller will pass).</param>
    /// <returns>The scratch length in floats.</returns>
    public static int ScratchLength(in ConvGeometry g, int n)
    {
        if (g.IsDepthwise)
        {
            return 0;
        }
        var col = g.IsPointwise ? 0 : g.PatchLength * g.OutPlane;
        var gemm = Math.Max(
            Gemm.ScratchLength(g.GroupOutChannels, g.OutPlane, g.PatchLength),
            Math.Max(Gemm.ScratchLength(g.PatchLength, g.OutPlane, g.GroupOutChannels), Gemm.ScratchLength(g.GroupOutChannels, g.PatchLength, g.OutPlane)));
        return col + gemm;
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
    {
        Check(g, n, x.Length, y.Length, weight.Length, scratch.Length);
        if (g.IsDepthwise)
        {
            DepthwiseConv.Forward(g, n, x, weight, y, accumulate, path);
        }
        else
        {
            int icg = g.GroupInChannels, ocg = g.GroupOutChannels, plane = g.OutPlane, patch = g.PatchLength;
            var col = scratch[..(g.IsPointwise ? 0 : patch * plane)];
            var gemmScratch = scratch[col.Length..];
            for (var s = 0; s < n; s++)
            {
                for (var group = 0; group < g.Groups; group++)
                {
                    var input = x.Slice((s * g.InputLength) + (group * icg * g.InPlane), icg * g.InPlane);
                    ReadOnlySpan<float> b = input;
                    if (!g.IsPointwise)
                    {
                        Im2Col.Lower(g, input, col);
                        b = col;
                    }
                    var output = y.Slice((s * g.OutputLength) + (group * ocg * plane), ocg * plane);
                    Gemm.Multiply(false, false, ocg, plane, patch, weight.Slice(group * ocg * patch, ocg * patch), patch, b, plane, output, plane, accumulate, gemmScratch, path);
                }
            }
        }
        if (!bias.IsEmpty)
        {
            AddBias(g.OutChannels, g.OutPlane, n, bias, y);
        }
    }

    /// <summary>Data gradient: <c>dx (+)= W_gᵀ · dy_g</c> scattered back through col2im.</summary>
    /// <param name="g">The convolution.</param>
    /// <param name="n">Batch size.</param>
    /// <param name="dy">Output gradient, [n, OutChannels, OutHeight, OutWidth].</param>
    /// <param name="weight">Weight, [OutChannels, InChannels/Groups, Kernel, Kernel].</param>
    /// <param name="dx">Input gradient, [n, InChannels, InHeight, InWidth].</param>
    /// <param name="accumulate">Add into dx rather than overwrite it.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void BackwardData(in ConvGeometry g, int n, ReadOnlySpan<float> dy, ReadOnlySpan<float> weight, Span<float> dx, bool accumulate, Span<float> scratch, CpuPath path = CpuPath.Auto)
    {
        Check(g, n, dx.Length, dy.Length, weight.Length, scratch.Length);
        if (!accumulate && !g.IsPointwise)
        {
            dx[..(n * g.InputLength)].Clear();
        }
        if (g.IsDepthwise)
        {
            DepthwiseConv.BackwardData(g, n, dy, weight, dx, path);
            return;
        }
        int icg = g.GroupInChannels, ocg = g.GroupOutChannels, plane = g.OutPlane, patch = g.PatchLength;
        var col = scratch[..(g.IsPointwise ? 0 : patch * plane)];
        var gemmScratch = scratch[col.Length..];
        for (var s = 0; s < n; s++)
        {
            for (var group = 0; group < g.Groups; group++)
            {
                var gradOut = dy.Slice((s * g.OutputLength) + (group * ocg * plane), ocg * plane);
                var w = weight.Slice(group * ocg * patch, ocg * patch);
                var gradIn = dx.Slice((s * g.InputLength) + (group * icg * g.InPlane), icg * g.InPlane);
                if (g.IsPointwise)
                {
                    Gemm.Multiply(true, false, patch, plane, ocg, w, patch, gradOut, plane, gradIn, plane, accumulate, gemmScratch, path);
                }
                else
                {
                    Gemm.Multiply(true, false, patch, plane, ocg, w, patch, gradOut, plane, col, plane, false, gemmScratch, path);
                    Im2Col.Accumulate(g, col, gradIn);
                }
            }
        }
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
        if (!dBias.IsEmpty)
        {
            BiasGradient(g.OutChannels, g.OutPlane, n, dy, dBias, accumulate);
        }
        if (g.IsDepthwise)
        {
            DepthwiseConv.BackwardWeights(g, n, x, dy, dWeight, accumulate, path);
            return;
        }
        int icg = g.GroupInChannels, ocg = g.GroupOutChannels, plane = g.OutPlane, patch = g.PatchLength;
        var col = scratch[..(g.IsPointwise ? 0 : patch * plane)];
        var gemmScratch = scratch[col.Length..];
        if (n == 0 && !accumulate)
        {
            dWeight[..g.WeightLength].Clear();
        }
        for (var s = 0; s < n; s++)
        {
            for (var group = 0; group < g.Groups; group++)
            {
                var input = x.Slice((s * g.InputLength) + (group * icg * g.InPlane), icg * g.InPlane);
                ReadOnlySpan<float> b = input;
                if (!g.IsPointwise)
                {
                    Im2Col.Lower(g, input, col);
                    b = col;
                }
                var gradOut = dy.Slice((s * g.OutputLength) + (group * ocg * plane), ocg * plane);
                var gradW = dWeight.Slice(group * ocg * patch, ocg * patch);
                if (plane >= RowDotMinPlane && RowDotProducts.Supports(path))
                {
                    // dy rows and col rows are both contiguous along a long plane: dot products beat packing col transposed.
                    RowDotProducts.Multiply(ocg, patch, plane, gradOut, plane, b, plane, gradW, patch, accumulate || s > 0, path);
                }
                else
                {
                    Gemm.Multiply(false, true, ocg, patch, plane, gradOut, plane, b, plane, gradW, patch, accumulate || s > 0, gemmScratch, path);
                }
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
