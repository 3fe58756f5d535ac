using System;
using System.Numerics;

namespace Cnn.Runtime.Kernels.Reference;

/// <summary>Convolution and transposed convolution straight from their sums, in any floating-point type.</summary>
public static class ReferenceConv
{
    /// <summary><c>y[s, oc, oh, ow] = b[oc] + Σ_{ic,i,j} w[oc, ic, i, j]·x[s, g·icg + ic, oh·st − p + i·d, ow·st − p + j·d]</c>.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="g">Geometry.</param>
    /// <param name="n">Batch.</param>
    /// <param name="x">Input.</param>
    /// <param name="w">Weight.</param>
    /// <param name="bias">Bias or empty.</param>
    /// <param name="y">Output.</param>
    public static void Forward<T>(in ConvGeometry g, int n, ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        int icg = g.InChannels / g.Groups, ocg = g.OutChannels / g.Groups, k = g.Kernel;
        for (var s = 0; s < n; s++)
        {
            for (var oc = 0; oc < g.OutChannels; oc++)
            {
                var group = oc / ocg;
                for (var oh = 0; oh < g.OutHeight; oh++)
                {
                    for (var ow = 0; ow < g.OutWidth; ow++)
                    {
                        var sum = bias.IsEmpty ? T.Zero : bias[oc];
                        for (var ic = 0; ic < icg; ic++)
                        {
                            for (var i = 0; i < k; i++)
                            {
                                for (var j = 0; j < k; j++)
                                {
                                    var ih = (oh * g.Stride) - g.Pad + (i * g.Dilation);
                                    var iw = (ow * g.Stride) - g.Pad + (j * g.Dilation);
                                    if (ih >= 0 && ih < g.InHeight && iw >= 0 && iw < g.InWidth)
                                    {
                                        sum += w[(((oc * icg) + ic) * k * k) + (i * k) + j] * x[XIndex(g, s, (group * icg) + ic, ih, iw)];
                                    }
                                }
                            }
                        }
                        y[YIndex(g, s, oc, oh, ow)] = sum;
                    }
                }
            }
        }
    }

    /// <summary><c>dx (+)= ∂(Σ dy·y)/∂x</c>: every product of the forward sum sends dy·w back to its x.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="g">Geometry.</param>
    /// <param name="n">Batch.</param>
    /// <param name="dy">Output gradient.</param>
    /// <param name="w">Weight.</param>
    /// <param name="dx">Input gradient.</param>
    /// <param name="accumulate">Add into dx.</param>
    public static void BackwardData<T>(in ConvGeometry g, int n, ReadOnlySpan<T> dy, ReadOnlySpan<T> w, Span<T> dx, bool accumulate)
        where T : IFloatingPointIeee754<T>
    {
        if (!accumulate)
        {
            dx[..(n * g.InputLength)].Clear();
        }
        ScatterData(g, n, dy, w, dx);
    }

    /// <summary><c>dW (+)= Σ dy·x</c> over every product of the forward sum; <c>db (+)= Σ dy</c>.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="g">Geometry.</param>
    /// <param name="n">Batch.</param>
    /// <param name="x">Input.</param>
    /// <param name="dy">Output gradient.</param>
    /// <param name="dw">Weight gradient.</param>
    /// <param name="db">Bias gradient or empty.</param>
    /// <param name="accumulate">Add into the gradients.</param>
    public static void BackwardWeights<T>(in ConvGeometry g, int n, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dw, Span<T> db, bool accumulate)
        where T : IFloatingPointIeee754<T>
    {
        if (!accumulate)
        {
            dw[..g.WeightLength].Clear();
            db.Clear();
        }
        int icg = g.InChannels / g.Groups, ocg = g.OutChannels / g.Groups, k = g.Kernel;
        for (var s = 0; s < n; s++)
        {
            for (var oc = 0; oc < g.OutChannels; oc++)
            {
                var group = oc / ocg;
                for (var oh = 0; oh < g.OutHeight; oh++)
                {
                    for (var ow = 0; ow < g.OutWidth; ow++)
                    {
                        var grad = dy[YIndex(g, s, oc, oh, ow)];
                        if (!db.IsEmpty)
                        {
                            db[oc] += grad;
                        }
                        for (var ic = 0; ic < icg; ic++)
                        {
                            for (var i = 0; i < k; i++)
                            {
                                for (var j = 0; j < k; j++)
                                {
                                    var ih = (oh * g.Stride) - g.Pad + (i * g.Dilation);
                                    var iw = (ow * g.Stride) - g.Pad + (j * g.Dilation);
                                    if (ih >= 0 && ih < g.InHeight && iw >= 0 && iw < g.InWidth)
                                    {
                                        dw[(((oc * icg) + ic) * k * k) + (i * k) + j] += grad * x[XIndex(g, s, (group * icg) + ic, ih, iw)];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Transposed convolution by its definition: <c>y[oc, ih·s − p + i, iw·s − p + j] += x[ic, ih, iw]·w[ic, oc, i, j]</c>, plus bias.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="g">Geometry.</param>
    /// <param name="n">Batch.</param>
    /// <param name="x">Input.</param>
    /// <param name="w">Weight, [in, out, k, k].</param>
    /// <param name="bias">Bias or empty.</param>
    /// <param name="y">Output.</param>
    public static void TransposeForward<T>(in ConvTransposeGeometry g, int n, ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        int k = g.Kernel, outPlane = g.OutHeight * g.OutWidth;
        for (var s = 0; s < n; s++)
        {
            for (var oc = 0; oc < g.OutChannels; oc++)
            {
                y.Slice(((s * g.OutChannels) + oc) * outPlane, outPlane).Fill(bias.IsEmpty ? T.Zero : bias[oc]);
            }
            for (var ic = 0; ic < g.InChannels; ic++)
            {
                for (var ih = 0; ih < g.InHeight; ih++)
                {
                    for (var iw = 0; iw < g.InWidth; iw++)
                    {
                        var xv = x[(((s * g.InChannels) + ic) * g.InHeight * g.InWidth) + (ih * g.InWidth) + iw];
                        for (var oc = 0; oc < g.OutChannels; oc++)
                        {
                            for (var i = 0; i < k; i++)
                            {
                                for (var j = 0; j < k; j++)
                                {
                                    var oh = (ih * g.Stride) - g.Pad + i;
                                    var ow = (iw * g.Stride) - g.Pad + j;
                                    if (oh >= 0 && oh < g.OutHeight && ow >= 0 && ow < g.OutWidth)
                                    {
                                        y[(((s * g.OutChannels) + oc) * outPlane) + (oh * g.OutWidth) + ow] += xv * w[(((ic * g.OutChannels) + oc) * k * k) + (i * k) + j];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static void ScatterData<T>(in ConvGeometry g, int n, ReadOnlySpan<T> dy, ReadOnlySpan<T> w, Span<T> dx)
        where T : IFloatingPointIeee754<T>
    {
        int icg = g.InChannels / g.Groups, ocg = g.OutChannels / g.Groups, k = g.Kernel;
        for (var s = 0; s < n; s++)
        {
            for (var oc = 0; oc < g.OutChannels; oc++)
            {
                var group = oc / ocg;
                for (var oh = 0; oh < g.OutHeight; oh++)
                {
                    for (var ow = 0; ow < g.OutWidth; ow++)
                    {
                        var grad = dy[YIndex(g, s, oc, oh, ow)];
                        for (var ic = 0; ic < icg; ic++)
                        {
                            for (var i = 0; i < k; i++)
                            {
                                for (var j = 0; j < k; j++)
                                {
                                    var ih = (oh * g.Stride) - g.Pad + (i * g.Dilation);
                                    var iw = (ow * g.Stride) - g.Pad + (j * g.Dilation);
                                    if (ih >= 0 && ih < g.InHeight && iw >= 0 && iw < g.InWidth)
                                    {
                                        dx[XIndex(g, s, (group * icg) + ic, ih, iw)] += grad * w[(((oc * icg) + ic) * k * k) + (i * k) + j];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static int XIndex(in ConvGeometry g, int s, int c, int h, int w) => (((s * g.InChannels) + c) * g.InHeight * g.InWidth) + (h * g.InWidth) + w;

    private static int YIndex(in ConvGeometry g, int s, int c, int h, int w) => (((s * g.OutChannels) + c) * g.OutHeight * g.OutWidth) + (h * g.OutWidth) + w;
}
