using System;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Max pooling over NCHW float32 (PyTorch's MaxPool2d, dilation 1): padding never wins, NaN propagates.
/// The forward pass saves, per output value, the index of its maximum inside the sample's input plane
/// (<c>ih·W + iw</c>, as PyTorch's indices); the backward pass routes each gradient to that index.
/// </summary>
public static class MaxPool2d
{
    /// <summary><c>y[n, c, oh, ow] = max over the window</c>, recording argmax when <paramref name="argmax"/> is not empty.</summary>
    /// <param name="g">The pooling.</param>
    /// <param name="n">Batch size.</param>
    /// <param name="x">Input, [n, Channels, InHeight, InWidth].</param>
    /// <param name="y">Output, [n, Channels, OutHeight, OutWidth].</param>
    /// <param name="argmax">Same length as y (training) or empty (inference).</param>
    /// <param name="path">The instruction set to use.</param>
    public static void Forward(in PoolGeometry g, int n, ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, CpuPath path = CpuPath.Auto)
    {
        Check(g, n, x.Length, y.Length);
        var saveIndices = !argmax.IsEmpty;
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        for (var plane = 0; plane < n * g.Channels; plane++)
        {
            var input = x.Slice(plane * inPlane, inPlane);
            var output = y.Slice(plane * outPlane, outPlane);
            for (var oh = 0; oh < g.OutHeight; oh++)
            {
                var h0 = (oh * g.Stride) - g.Pad;
                int hs = Math.Max(h0, 0), he = Math.Min(h0 + g.Size, g.InHeight);
                for (var ow = 0; ow < g.OutWidth; ow++)
                {
                    var w0 = (ow * g.Stride) - g.Pad;
                    int ws = Math.Max(w0, 0), we = Math.Min(w0 + g.Size, g.InWidth);
                    var best = float.NegativeInfinity;
                    var bestIndex = (hs * g.InWidth) + ws;
                    for (var ih = hs; ih < he; ih++)
                    {
                        var row = input.Slice(ih * g.InWidth);
                        for (var iw = ws; iw < we; iw++)
                        {
                            var v = row[iw];
                            if (v > best || float.IsNaN(v))
                            {
                                best = v;
                                bestIndex = (ih * g.InWidth) + iw;
                                if (float.IsNaN(v))
                                {
                                    goto Done;
                                }
                            }
                        }
                    }
                Done:
                    output[(oh * g.OutWidth) + ow] = best;
                    if (saveIndices)
                    {
                        argmax[(plane * outPlane) + (oh * g.OutWidth) + ow] = bestIndex;
                    }
                }
            }
        }
    }

    /// <summary><c>dx[n, c, argmax] (+)= dy[n, c, oh, ow]</c>.</summary>
    /// <param name="g">The pooling.</param>
    /// <param name="n">Batch size.</param>
    /// <param name="dy">Output gradient, [n, Channels, OutHeight, OutWidth].</param>
    /// <param name="argmax">The indices the forward pass saved.</param>
    /// <param name="dx">Input gradient, [n, Channels, InHeight, InWidth].</param>
    /// <param name="accumulate">Add into dx rather than overwrite it.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void Backward(in PoolGeometry g, int n, ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx, bool accumulate, CpuPath path = CpuPath.Auto)
    {
        Check(g, n, dx.Length, dy.Length);
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        if (!accumulate)
        {
            dx[..(n * g.InputLength)].Clear();
        }
        for (var plane = 0; plane < n * g.Channels; plane++)
        {
            var gradIn = dx.Slice(plane * inPlane, inPlane);
            var gradOut = dy.Slice(plane * outPlane, outPlane);
            var indices = argmax.Slice(plane * outPlane, outPlane);
            for (var o = 0; o < outPlane; o++)
            {
                gradIn[indices[o]] += gradOut[o];
            }
        }
    }

    internal static void Check(in PoolGeometry g, int n, int inputLength, int outputLength)
    {
        if (n < 0 || inputLength < (long)n * g.InputLength || outputLength < (long)n * g.OutputLength)
        {
            throw new ArgumentException($"Pooling tensors too short for batch {n}: input {inputLength} (needs {n * g.InputLength}), output {outputLength} (needs {n * g.OutputLength}).");
        }
    }
}
