using System;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// The constants of one 2-D transposed convolution over NCHW float32 (PyTorch's ConvTranspose2d, groups 1,
/// dilation 1): <c>out = (in − 1)·stride − 2·pad + kernel + outputPad</c>. Weight layout is PyTorch's
/// [inChannels, outChannels, kernel, kernel], which is exactly the weight of the convolution it transposes
/// (<see cref="Conv"/>: from this layer's output back to its input).
/// </summary>
public readonly struct ConvTransposeGeometry
{
    /// <summary>Describes a transposed convolution; throws on invalid arguments.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="inHeight">Input height.</param>
    /// <param name="inWidth">Input width.</param>
    /// <param name="outChannels">Output channels (filters).</param>
    /// <param name="kernel">Kernel height and width.</param>
    /// <param name="stride">Stride.</param>
    /// <param name="pad">Padding removed from every side of the full output.</param>
    /// <param name="outputPad">Extra rows and columns added at the bottom and right (less than the stride).</param>
    public ConvTransposeGeometry(int inChannels, int inHeight, int inWidth, int outChannels, int kernel, int stride = 1, int pad = 0, int outputPad = 0)
    {
        if (outputPad < 0 || outputPad >= Math.Max(stride, 1))
        {
            throw new ArgumentException($"ConvTranspose outputPad {outputPad} must be in [0, stride {stride}).");
        }
        InChannels = inChannels;
        InHeight = inHeight;
        InWidth = inWidth;
        OutChannels = outChannels;
        Kernel = kernel;
        Stride = stride;
        Pad = pad;
        OutputPad = outputPad;
        OutHeight = ((inHeight - 1) * stride) - (2 * pad) + kernel + outputPad;
        OutWidth = ((inWidth - 1) * stride) - (2 * pad) + kernel + outputPad;
        Conv = new ConvGeometry(outChannels, OutHeight, OutWidth, inChannels, kernel, stride, pad);
        if (Conv.OutHeight != inHeight || Conv.OutWidth != inWidth)
        {
            throw new ArgumentException($"ConvTranspose {inChannels}×{inHeight}×{inWidth}, kernel {kernel}, stride {stride}, pad {pad} is not the transpose of a convolution.");
        }
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Input height.</summary>
    public int InHeight { get; }

    /// <summary>Input width.</summary>
    public int InWidth { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel height and width.</summary>
    public int Kernel { get; }

    /// <summary>Stride.</summary>
    public int Stride { get; }

    /// <summary>Padding.</summary>
    public int Pad { get; }

    /// <summary>Output padding.</summary>
    public int OutputPad { get; }

    /// <summary>Output height.</summary>
    public int OutHeight { get; }

    /// <summary>Output width.</summary>
    public int OutWidth { get; }

    /// <summary>The convolution whose data gradient this layer computes (its input is this layer's output).</summary>
    public ConvGeometry Conv { get; }

    /// <summary>Floats per input sample.</summary>
    public int InputLength => InChannels * InHeight * InWidth;

    /// <summary>Floats per output sample.</summary>
    public int OutputLength => OutChannels * OutHeight * OutWidth;

    /// <summary>Floats of weight: inChannels · outChannels · kernel².</summary>
    public int WeightLength => InChannels * OutChannels * Kernel * Kernel;
}
