using System;

namespace Cnn.Dsl.Tests.Golden;

/// <summary>
/// LeNet-5 written out directly in double precision, straight from the definitions (PyTorch
/// layouts: conv weight [out, in, kh, kw], dense weight [out, in]), so a loaded state_dict can be
/// checked against PyTorch's output without the generator.
/// </summary>
internal static class ReferenceLeNet5
{
    public static double[] Forward(ReadOnlySpan<float> p, ReadOnlySpan<float> image)
    {
        var x = Array.ConvertAll(image.ToArray(), v => (double)v);
        x = MaxPool2(Relu(Conv(x, 1, 28, p[..150], p.Slice(150, 6), 6, 5, pad: 2)), 6, 28);
        x = MaxPool2(Relu(Conv(x, 6, 14, p.Slice(156, 2400), p.Slice(2556, 16), 16, 5, pad: 0)), 16, 10);
        x = Relu(Dense(x, p.Slice(2572, 48_000), p.Slice(50_572, 120), 120));
        x = Relu(Dense(x, p.Slice(50_692, 10_080), p.Slice(60_772, 84), 84));
        return Dense(x, p.Slice(60_856, 840), p.Slice(61_696, 10), 10);
    }

    /// <summary>out[o, y, x] = b[o] + Σ w[o, c, i, j] · in[c, y + i − pad, x + j − pad] (zero outside).</summary>
    private static double[] Conv(double[] input, int channels, int size, ReadOnlySpan<float> w, ReadOnlySpan<float> b, int filters, int k, int pad)
    {
        var outSize = size + 2 * pad - k + 1;
        var output = new double[filters * outSize * outSize];
        for (var o = 0; o < filters; o++)
        {
            for (var y = 0; y < outSize; y++)
            {
                for (var x = 0; x < outSize; x++)
                {
                    double sum = b[o];
                    for (var c = 0; c < channels; c++)
                    {
                        for (var i = 0; i < k; i++)
                        {
                            for (var j = 0; j < k; j++)
                            {
                                int row = y + i - pad, column = x + j - pad;
                                if (row >= 0 && row < size && column >= 0 && column < size)
                                {
                                    sum += w[((o * channels + c) * k + i) * k + j] * input[(c * size + row) * size + column];
                                }
                            }
                        }
                    }
                    output[(o * outSize + y) * outSize + x] = sum;
                }
            }
        }
        return output;
    }

    private static double[] MaxPool2(double[] input, int channels, int size)
    {
        var half = size / 2;
        var output = new double[channels * half * half];
        for (var c = 0; c < channels; c++)
        {
            for (var y = 0; y < half; y++)
            {
                for (var x = 0; x < half; x++)
                {
                    var at = (c * size + 2 * y) * size + 2 * x;
                    output[(c * half + y) * half + x] = Math.Max(Math.Max(input[at], input[at + 1]), Math.Max(input[at + size], input[at + size + 1]));
                }
            }
        }
        return output;
    }

    /// <summary>out[o] = b[o] + Σ w[o, i] · in[i].</summary>
    private static double[] Dense(double[] input, ReadOnlySpan<float> w, ReadOnlySpan<float> b, int units)
    {
        var output = new double[units];
        for (var o = 0; o < units; o++)
        {
            double sum = b[o];
            for (var i = 0; i < input.Length; i++)
            {
                sum += w[o * input.Length + i] * input[i];
            }
            output[o] = sum;
        }
        return output;
    }

    private static double[] Relu(double[] x) => Array.ConvertAll(x, v => Math.Max(v, 0));
}
