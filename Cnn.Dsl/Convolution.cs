using System;

namespace Cnn.Dsl;

/// <summary>
/// 2-D convolution, PyTorch's <c>nn.Conv2d</c>: C×H×W → filters×H'×W' with
/// <c>H' = floor((H + 2·pad − dilation·(kernel − 1) − 1) / stride) + 1</c> (likewise W').
/// Weights are [filters, C/groups, kernel, kernel], He-initialized; bias is [filters].
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConvAttribute : LayerAttribute
{
    /// <summary>A square convolution.</summary>
    /// <param name="filters">Output channels; must be divisible by <paramref name="groups"/>.</param>
    /// <param name="kernel">Kernel height and width.</param>
    /// <param name="stride">Step between windows.</param>
    /// <param name="pad">Zeros added on every side.</param>
    /// <param name="dilation">Spacing between kernel taps (1 is a dense kernel).</param>
    /// <param name="groups">Channel groups; input and output channels must both divide by it (C groups is a depthwise convolution).</param>
    /// <param name="bias">Whether the layer adds a learned bias per output channel.</param>
    public ConvAttribute(int filters, int kernel, int stride = 1, int pad = 0, int dilation = 1, int groups = 1, bool bias = true)
    {
        Filters = filters;
        Kernel = kernel;
        Stride = stride;
        Pad = pad;
        Dilation = dilation;
        Groups = groups;
        Bias = bias;
    }

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel height and width.</summary>
    public int Kernel { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Zero padding on every side.</summary>
    public int Pad { get; }

    /// <summary>Spacing between kernel taps.</summary>
    public int Dilation { get; }

    /// <summary>Channel groups.</summary>
    public int Groups { get; }

    /// <summary>Whether a bias is learned.</summary>
    public bool Bias { get; }
}

/// <summary>
/// Transposed 2-D convolution ("deconvolution"), PyTorch's <c>nn.ConvTranspose2d</c>:
/// C×H×W → filters×H'×W' with <c>H' = (H − 1)·stride − 2·pad + kernel + outputPad</c>.
/// Weights are [C, filters, kernel, kernel], as in PyTorch; bias is [filters].
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConvTransposeAttribute : LayerAttribute
{
    /// <summary>A square transposed convolution.</summary>
    /// <param name="filters">Output channels.</param>
    /// <param name="kernel">Kernel height and width.</param>
    /// <param name="stride">Upsampling factor.</param>
    /// <param name="pad">Rows and columns removed from every side of the full output.</param>
    /// <param name="outputPad">Extra rows and columns added on the bottom and right; must be smaller than <paramref name="stride"/>.</param>
    /// <param name="bias">Whether the layer adds a learned bias per output channel.</param>
    public ConvTransposeAttribute(int filters, int kernel, int stride = 1, int pad = 0, int outputPad = 0, bool bias = true)
    {
        Filters = filters;
        Kernel = kernel;
        Stride = stride;
        Pad = pad;
        OutputPad = outputPad;
        Bias = bias;
    }

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel height and width.</summary>
    public int Kernel { get; }

    /// <summary>Upsampling factor.</summary>
    public int Stride { get; }

    /// <summary>Rows and columns removed from every side.</summary>
    public int Pad { get; }

    /// <summary>Extra rows and columns on the bottom and right.</summary>
    public int OutputPad { get; }

    /// <summary>Whether a bias is learned.</summary>
    public bool Bias { get; }
}
