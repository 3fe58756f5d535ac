using System;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// 2-D transposed convolution over NCHW float32 (PyTorch's ConvTranspose2d). It is the data gradient of
/// <see cref="ConvTransposeGeometry.Conv"/>, so forward runs <see cref="Conv2d.BackwardData"/>, the data
/// gradient runs Conv2d.Forward, and the weight gradient runs
/// <see cref="Conv2d.BackwardWeights"/> with input and output gradient swapped.
/// </summary>
public static class ConvTranspose2d
{
    /// <summary>Floats of scratch every entry point of this class needs for a batch of <paramref name="n"/>.</summary>
    /// <param name="g">The transposed convolution.</param>
    /// <param name="n">Batch size (the largest the caller will pass).</param>
    /// <returns>The scratch length in floats.</returns>
    public static int ScratchLength(in ConvTransposeGeometry g, int n) => Conv2d.ScratchLength(g.Conv, n);

    /// <summary><c>y = Convᵀ(x) + bias</c>.</summary>
    /// <param name="g">The transposed convolution.</param>
    /// <param name="n">Batch size.</param>
    /// <param name="x">Input, [n, InChannels, InHeight, InWidth].</param>
    /// <param name="weight">Weight, [InChannels, OutChannels, Kernel, Kernel].</param>
    /// <param name="bias">Bias, [OutChannels], or empty.</param>
    /// <param name="y">Output, [n, OutChannels, OutHeight, OutWidth] (overwritten).</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void Forward(in ConvTransposeGeometry g, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, Span<float> scratch, CpuPath path = CpuPath.Auto)
    {
        Conv2d.BackwardData(g.Conv, n, x, weight, y, accumulate: false, scratch, path);
        if (!bias.IsEmpty)
        {
            Conv2d.AddBias(g.OutChannels, g.OutHeight * g.OutWidth, n, bias, y);
        }
    }

    /// <summary>Data gradient: <c>dx (+)= Conv(dy)</c> without bias.</summary>
    /// <param name="g">The transposed convolution.</param>
    /// <param name="n">Batch size.</param>
    /// <param name="dy">Output gradient, [n, OutChannels, OutHeight, OutWidth].</param>
    /// <param name="weight">Weight, [InChannels, OutChannels, Kernel, Kernel].</param>
    /// <param name="dx">Input gradient, [n, InChannels, InHeight, InWidth].</param>
    /// <param name="accumulate">Add into dx rather than overwrite it.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void BackwardData(in ConvTransposeGeometry g, int n, ReadOnlySpan<float> dy, ReadOnlySpan<float> weight, Span<float> dx, bool accumulate, Span<float> scratch, CpuPath path = CpuPath.Auto)
        => Conv2d.Forward(g.Conv, n, dy, weight, ReadOnlySpan<float>.Empty, dx, accumulate, scratch, path);

    /// <summary>Weight and bias gradients: <c>dW[ic, oc, i, j] (+)= Σ x[ic] ⋆ dy[oc]</c>, <c>dBias[oc] (+)= Σ dy[·, oc]</c>.</summary>
    /// <param name="g">The transposed convolution.</param>
    /// <param name="n">Batch size.</param>
    /// <param name="x">Input, [n, InChannels, InHeight, InWidth].</param>
    /// <param name="dy">Output gradient, [n, OutChannels, OutHeight, OutWidth].</param>
    /// <param name="dWeight">Weight gradient, [InChannels, OutChannels, Kernel, Kernel].</param>
    /// <param name="dBias">Bias gradient, [OutChannels], or empty.</param>
    /// <param name="accumulate">Add into the gradients rather than overwrite them.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void BackwardWeights(in ConvTransposeGeometry g, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dWeight, Span<float> dBias, bool accumulate, Span<float> scratch, CpuPath path = CpuPath.Auto)
    {
        Conv2d.BackwardWeights(g.Conv, n, dy, x, dWeight, Span<float>.Empty, accumulate, scratch, path);
        if (!dBias.IsEmpty)
        {
            Conv2d.BiasGradient(g.OutChannels, g.OutHeight * g.OutWidth, n, dy, dBias, accumulate);
        }
    }
}
