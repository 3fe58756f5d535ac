using System;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// The constants of one 2-D pooling over NCHW float32: channels, input size, square window, stride,
/// padding and ceil mode. Output size follows PyTorch:
/// <c>out = ⌊(in + 2·pad − size + (ceil ? stride − 1 : 0)) / stride⌋ + 1</c>, and in ceil mode a last
/// window that would start inside the right/bottom padding is dropped.
/// </summary>
public readonly struct PoolGeometry
{
    /// <summary>Describes a pooling; throws on invalid arguments.</summary>
    /// <param name="channels">Channels (unchanged by pooling).</param>
    /// <param name="inHeight">Input height.</param>
    /// <param name="inWidth">Input width.</param>
    /// <param name="size">Window height and width.</param>
    /// <param name="stride">Stride; 0 means <paramref name="size"/> (PyTorch's default).</param>
    /// <param name="pad">Implicit padding on every side (at most size / 2).</param>
    /// <param name="ceilMode">Round the output size up rather than down.</param>
    public PoolGeometry(int channels, int inHeight, int inWidth, int size, int stride = 0, int pad = 0, bool ceilMode = false)
    {
        stride = stride == 0 ? size : stride;
        if (channels <= 0 || inHeight <= 0 || inWidth <= 0 || size <= 0 || stride <= 0 || pad < 0 || pad > size / 2)
        {
            throw new ArgumentException($"Invalid pooling of {channels}×{inHeight}×{inWidth}: size {size}, stride {stride}, pad {pad}.");
        }
        Channels = channels;
        InHeight = inHeight;
        InWidth = inWidth;
        Size = size;
        Stride = stride;
        Pad = pad;
        CeilMode = ceilMode;
        OutHeight = OutputSize(inHeight, size, stride, pad, ceilMode);
        OutWidth = OutputSize(inWidth, size, stride, pad, ceilMode);
        if (OutHeight <= 0 || OutWidth <= 0)
        {
            throw new ArgumentException($"Pooling window {size} does not fit a {inHeight}×{inWidth} input with pad {pad}.");
        }
    }

    /// <summary>Channels.</summary>
    public int Channels { get; }

    /// <summary>Input height.</summary>
    public int InHeight { get; }

    /// <summary>Input width.</summary>
    public int InWidth { get; }

    /// <summary>Window height and width.</summary>
    public int Size { get; }

    /// <summary>Stride.</summary>
    public int Stride { get; }

    /// <summary>Padding.</summary>
    public int Pad { get; }

    /// <summary>Whether the output size is rounded up.</summary>
    public bool CeilMode { get; }

    /// <summary>Output height.</summary>
    public int OutHeight { get; }

    /// <summary>Output width.</summary>
    public int OutWidth { get; }

    /// <summary>Floats per input sample.</summary>
    public int InputLength => Channels * InHeight * InWidth;

    /// <summary>Floats per output sample.</summary>
    public int OutputLength => Channels * OutHeight * OutWidth;

    /// <summary>PyTorch's pooling output size (pooling_output_shape).</summary>
    private static int OutputSize(int input, int size, int stride, int pad, bool ceilMode)
    {
        var span = input + (2 * pad) - size + (ceilMode ? stride - 1 : 0);
        if (span < 0)
        {
            return 0;
        }
        var output = (span / stride) + 1;
        if (ceilMode && (output - 1) * stride >= input + pad)
        {
            output--;
        }
        return output;
    }
}
