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
        var strided = StridedPointwise.Fits(g) ? StridedPointwise.ScratchLength(g) : 0;
        return Math.Max(Math.Max(Math.Max(ForwardScratch(g), DirectScratch(g)), Math.Max(weights, data)), Math.Max(WinogradScratch(g), strided));
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
    /// over the whole tensor (16 MB in resnet8's first layers at batch 256). With <paramref name="filters"/>, the forward pass is
    /// Winograd's with those filters, as <see cref="ForwardWithFilters"/> runs it.
    /// </summary>
    internal static void ForwardNormalized(in ConvGeometry g, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, float eps, Span<float> normalized, bool relu,
        Span<float> scratch, CpuPath path, ReadOnlySpan<float> filters = default)
    {
        if (normalized.Length < n * g.OutputLength)
        {
            throw new ArgumentException($"Need {n * g.OutputLength} floats for the normalized output, got {normalized.Length}.", nameof(normalized));
        }
        Forward(g, n, x, weight, bias, y, accumulate: false, SampleEpilogue.Normalizing(BatchNorm2d.ChannelAffine.Inference(gamma, beta, runningMean, runningVar, eps),
            normalized, relu), scratch, path, filters);
    }

    /// <summary>
    /// The forward pass on the kernel <paramref name="g"/> takes, or by Winograd with <paramref name="filters"/> when given (transformed
    /// by the caller, <see cref="TransformFilters"/>); then each sample's <paramref name="epilogue"/>.
    /// </summary>
    private static void Forward(in ConvGeometry g, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, bool accumulate,
        scoped in SampleEpilogue epilogue, Span<float> scratch, CpuPath path, ReadOnlySpan<float> filters = default)
    {
        Check(g, n, x.Length, y.Length, weight.Length, scratch.Length);
        path = CpuPaths.Resolve(path);
        if (!filters.IsEmpty)
        {
            fixed (float* xBase = x, bBase = bias, yBase = y, work = scratch)
            {
                KeptWinogradForward(g, n, xBase, filters, bias.IsEmpty ? null : bBase, yBase, accumulate, work, scratch.Length, path, epilogue);
            }
            return;
        }
        if (g.IsDepthwise)
        {
            DepthwiseConv.Forward(g, n, x, weight, y, accumulate, path);
        }
        else if (!accumulate && UsesDirectForward(g, path))
        {
            DirectForward(g, n, x, weight, bias, y, epilogue, scratch, path);
            return;
        }
        else if (!accumulate && StridedPointwise.Supports(g, path))
        {
            StridedPointwiseForward(g, n, x, weight, bias, y, epilogue, scratch, path);
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
            else if (StridedPointwise.Supports(g, path))
            {
                StridedPointwise.BackwardData(g, n, dyBase, wBase, dxBase, accumulate);
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
        CheckTensors(g, n, inputLength, outputLength, weightLength);
        if (scratchLength < ScratchLength(g, n))
        {
            throw new ArgumentException($"Conv2d needs {ScratchLength(g, n)} floats of scratch, got {scratchLength}.");
        }
    }

    private static void CheckTensors(in ConvGeometry g, int n, int inputLength, int outputLength, int weightLength)
    {
        if (n < 0 || inputLength < (long)n * g.InputLength || outputLength < (long)n * g.OutputLength || weightLength < g.WeightLength)
        {
            throw new ArgumentException($"Conv2d tensors too short for batch {n}: input {inputLength} (needs {n * g.InputLength}), output {outputLength} (needs {n * g.OutputLength}), weight {weightLength} (needs {g.WeightLength}).");
        }
    }
}
