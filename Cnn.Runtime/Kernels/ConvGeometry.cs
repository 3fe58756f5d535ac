using System;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// The constants of one 2-D convolution over NCHW float32: per-sample input C×H×W, square kernel,
/// stride, padding and dilation, groups. Output size follows PyTorch:
/// <c>out = (in + 2·pad − dilation·(kernel − 1) − 1) / stride + 1</c>. Weight layout is PyTorch's
/// [outChannels, inChannels/groups, kernel, kernel]. Generated code builds one from literals.
/// </summary>
public readonly struct ConvGeometry
{
    /// <summary>Describes a convolution; throws when the arguments give no output.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="inHeight">Input height.</param>
    /// <param name="inWidth">Input width.</param>
    /// <param name="outChannels">Output channels (filters).</param>
    /// <param name="kernel">Kernel height and width.</param>
    /// <param name="stride">Stride.</param>
    /// <param name="pad">Zero padding on every side.</param>
    /// <param name="dilation">Dilation.</param>
    /// <param name="groups">Groups (divides both channel counts).</param>
    public ConvGeometry(int inChannels, int inHeight, int inWidth, int outChannels, int kernel, int stride = 1, int pad = 0, int dilation = 1, int groups = 1)
    {
        if (inChannels <= 0 || inHeight <= 0 || inWidth <= 0 || outChannels <= 0 || kernel <= 0 || stride <= 0 || pad < 0 || dilation <= 0 || groups <= 0
            || inChannels % groups != 0 || outChannels % groups != 0)
        {
            throw new ArgumentException($"Invalid convolution {inChannels}×{inHeight}×{inWidth} → {outChannels}, kernel {kernel}, stride {stride}, pad {pad}, dilation {dilation}, groups {groups}.");
        }
        InChannels = inChannels;
        InHeight = inHeight;
        InWidth = inWidth;
        OutChannels = outChannels;
        Kernel = kernel;
        Stride = stride;
        Pad = pad;
        Dilation = dilation;
        Groups = groups;
        OutHeight = ((inHeight + (2 * pad) - (dilation * (kernel - 1)) - 1) / stride) + 1;
        OutWidth = ((inWidth + (2 * pad) - (dilation * (kernel - 1)) - 1) / stride) + 1;
        if (inHeight + (2 * pad) - (dilation * (kernel - 1)) - 1 < 0 || inWidth + (2 * pad) - (dilation * (kernel - 1)) - 1 < 0)
        {
            throw new ArgumentException($"Convolution kernel {kernel} (dilation {dilation}, pad {pad}) does not fit a {inHeight}×{inWidth} input.");
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

    /// <summary>Zero padding on each side.</summary>
    public int Pad { get; }

    /// <summary>Dilation.</summary>
    public int Dilation { get; }

    /// <summary>Groups.</summary>
    public int Groups { get; }

    /// <summary>Output height.</summary>
    public int OutHeight { get; }

    /// <summary>Output width.</summary>
    public int OutWidth { get; }

    /// <summary>Floats per input sample (C·H·W).</summary>
    public int InputLength => InChannels * InHeight * InWidth;

    /// <summary>Floats per output sample.</summary>
    public int OutputLength => OutChannels * OutHeight * OutWidth;

    /// <summary>Floats of weight: outChannels · inChannels/groups · kernel².</summary>
    public int WeightLength => OutChannels * (InChannels / Groups) * Kernel * Kernel;

    /// <summary>Multiply-adds per sample.</summary>
    public long MultiplyAdds => (long)OutputLength * (InChannels / Groups) * Kernel * Kernel;

    /// <summary>Input channels per group.</summary>
    internal int GroupInChannels => InChannels / Groups;

    /// <summary>Output channels per group.</summary>
    internal int GroupOutChannels => OutChannels / Groups;

    /// <summary>Output pixels per channel.</summary>
    internal int OutPlane => OutHeight * OutWidth;

    /// <summary>Input pixels per channel.</summary>
    internal int InPlane => InHeight * InWidth;

    /// <summary>Rows of the im2col matrix of one group: (inChannels/groups)·kernel².</summary>
    internal int PatchLength => GroupInChannels * Kernel * Kernel;

    /// <summary>Whether the convolution is a plain matrix product (1×1, stride 1, no padding): no im2col.</summary>
    internal bool IsPointwise => Kernel == 1 && Stride == 1 && Pad == 0;

    /// <summary>Whether each group holds one input channel (depthwise), computed directly rather than by GEMM.</summary>
    internal bool IsDepthwise => Groups > 1 && Groups == InChannels;
}
