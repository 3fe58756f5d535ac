using System;
using System.Numerics.Tensors;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Direct depthwise convolution (groups = input channels; output channel oc reads input channel
/// oc / multiplier): each kernel tap is one scaled row update, <c>y[oh, ow₀..ow₁] += w · x[ih, iw₀..]</c>,
/// contiguous and vectorized when the stride is 1. im2col + GEMM would multiply 1-row matrices here.
/// </summary>
internal static class DepthwiseConv
{
    internal static void Forward(in ConvGeometry g, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y, bool accumulate, CpuPath path)
    {
        var multiplier = g.OutChannels / g.InChannels;
        var taps = g.Kernel * g.Kernel;
        for (var s = 0; s < n; s++)
        {
            for (var oc = 0; oc < g.OutChannels; oc++)
            {
                var input = x.Slice((s * g.InputLength) + (oc / multiplier * g.InPlane), g.InPlane);
                var output = y.Slice((s * g.OutputLength) + (oc * g.OutPlane), g.OutPlane);
                if (!accumulate)
                {
                    output.Clear();
                }
                var w = weight.Slice(oc * taps, taps);
                for (var i = 0; i < g.Kernel; i++)
                {
                    for (var j = 0; j < g.Kernel; j++)
                    {
                        var (first, last) = Col2Im.ValidColumns(g, j);
                        if (first >= last)
                        {
                            continue;
                        }
                        var tap = w[(i * g.Kernel) + j];
                        for (var oh = 0; oh < g.OutHeight; oh++)
                        {
                            var ih = (oh * g.Stride) - g.Pad + (i * g.Dilation);
                            if ((uint)ih >= (uint)g.InHeight)
                            {
                                continue;
                            }
                            var iw0 = (first * g.Stride) - g.Pad + (j * g.Dilation);
                            var line = output.Slice((oh * g.OutWidth) + first, last - first);
                            var source = input.Slice(ih * g.InWidth);
                            if (g.Stride == 1 && path != CpuPath.Scalar)
                            {
                                TensorPrimitives.MultiplyAdd(source.Slice(iw0, line.Length), tap, line, line);
                            }
                            else
                            {
                                for (int o = 0, iw = iw0; o < line.Length; o++, iw += g.Stride)
                                {
                                    line[o] += tap * source[iw];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Adds <c>w · dy</c> back to the input positions each tap read (dx must be cleared or hold the sum so far).</summary>
    internal static void BackwardData(in ConvGeometry g, int n, ReadOnlySpan<float> dy, ReadOnlySpan<float> weight, Span<float> dx, CpuPath path)
    {
        var multiplier = g.OutChannels / g.InChannels;
        var taps = g.Kernel * g.Kernel;
        for (var s = 0; s < n; s++)
        {
            for (var oc = 0; oc < g.OutChannels; oc++)
            {
                var gradIn = dx.Slice((s * g.InputLength) + (oc / multiplier * g.InPlane), g.InPlane);
                var gradOut = dy.Slice((s * g.OutputLength) + (oc * g.OutPlane), g.OutPlane);
                var w = weight.Slice(oc * taps, taps);
                for (var i = 0; i < g.Kernel; i++)
                {
                    for (var j = 0; j < g.Kernel; j++)
                    {
                        var (first, last) = Col2Im.ValidColumns(g, j);
                        if (first >= last)
                        {
                            continue;
                        }
                        var tap = w[(i * g.Kernel) + j];
                        for (var oh = 0; oh < g.OutHeight; oh++)
                        {
                            var ih = (oh * g.Stride) - g.Pad + (i * g.Dilation);
                            if ((uint)ih >= (uint)g.InHeight)
                            {
                                continue;
                            }
                            var iw0 = (first * g.Stride) - g.Pad + (j * g.Dilation);
                            var line = gradOut.Slice((oh * g.OutWidth) + first, last - first);
                            var target = gradIn.Slice(ih * g.InWidth);
                            if (g.Stride == 1 && path != CpuPath.Scalar)
                            {
                                var span = target.Slice(iw0, line.Length);
                                TensorPrimitives.MultiplyAdd(line, tap, span, span);
                            }
                            else
                            {
                                for (int o = 0, iw = iw0; o < line.Length; o++, iw += g.Stride)
                                {
                                    target[iw] += tap * line[o];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary><c>dW[oc, i, j] (+)= Σ dy[oc, oh, ow] · x[ic, ih, iw]</c> as one dot product per tap and row.</summary>
    internal static void BackwardWeights(in ConvGeometry g, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dWeight, bool accumulate, CpuPath path)
    {
        var multiplier = g.OutChannels / g.InChannels;
        var taps = g.Kernel * g.Kernel;
        if (!accumulate)
        {
            dWeight[..g.WeightLength].Clear();
        }
        for (var s = 0; s < n; s++)
        {
            for (var oc = 0; oc < g.OutChannels; oc++)
            {
                var input = x.Slice((s * g.InputLength) + (oc / multiplier * g.InPlane), g.InPlane);
                var gradOut = dy.Slice((s * g.OutputLength) + (oc * g.OutPlane), g.OutPlane);
                var gradW = dWeight.Slice(oc * taps, taps);
                for (var i = 0; i < g.Kernel; i++)
                {
                    for (var j = 0; j < g.Kernel; j++)
                    {
                        var (first, last) = Col2Im.ValidColumns(g, j);
                        if (first >= last)
                        {
                            continue;
                        }
                        var sum = 0f;
                        for (var oh = 0; oh < g.OutHeight; oh++)
                        {
                            var ih = (oh * g.Stride) - g.Pad + (i * g.Dilation);
                            if ((uint)ih >= (uint)g.InHeight)
                            {
                                continue;
                            }
                            var iw0 = (first * g.Stride) - g.Pad + (j * g.Dilation);
                            var line = gradOut.Slice((oh * g.OutWidth) + first, last - first);
                            var source = input.Slice(ih * g.InWidth);
                            if (g.Stride == 1 && path != CpuPath.Scalar)
                            {
                                sum += TensorPrimitives.Dot(line, source.Slice(iw0, line.Length));
                            }
                            else
                            {
                                for (int o = 0, iw = iw0; o < line.Length; o++, iw += g.Stride)
                                {
                                    sum += line[o] * source[iw];
                                }
                            }
                        }
                        gradW[(i * g.Kernel) + j] += sum;
                    }
                }
            }
        }
    }
}
