using System;
using System.Numerics.Tensors;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Data;

/// <summary>
/// Per-channel standardization, <c>(x − mean[c]) / std[c]</c>, as torchvision's <c>Normalize</c>
/// (subtract, then divide, so results match it bit for bit).
/// </summary>
public sealed class ChannelNormalization
{
    private readonly float[] _mean;
    private readonly float[] _std;

    /// <summary>Creates the normalization from one mean and one positive standard deviation per channel.</summary>
    public ChannelNormalization(float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0 || mean.Length != std.Length)
        {
            throw new ArgumentException($"{mean.Length} means and {std.Length} standard deviations: need one of each per channel");
        }
        foreach (var s in std)
        {
            if (!(s > 0) || float.IsInfinity(s))
            {
                throw new ArgumentException($"standard deviation {s} is not a positive finite number", nameof(std));
            }
        }
        _mean = (float[])mean.Clone();
        _std = (float[])std.Clone();
    }

    /// <summary>Channel count.</summary>
    public int Channels => _mean.Length;

    /// <summary>Per-channel means.</summary>
    public ReadOnlySpan<float> Mean => _mean;

    /// <summary>Per-channel standard deviations.</summary>
    public ReadOnlySpan<float> Std => _std;

    /// <summary>Measures every channel's mean and population standard deviation over all of <paramref name="dataset"/>, in double precision.</summary>
    public static ChannelNormalization Measure(Dataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var shape = dataset.SampleShape;
        var plane = shape.H * shape.W;
        var sum = new double[shape.C];
        var sumOfSquares = new double[shape.C];
        for (var i = 0; i < dataset.Count; i++)
        {
            var image = dataset.Image(i);
            for (var c = 0; c < shape.C; c++)
            {
                foreach (var v in image.Slice(c * plane, plane))
                {
                    sum[c] += v;
                    sumOfSquares[c] += (double)v * v;
                }
            }
        }
        var n = (double)dataset.Count * plane;
        var mean = new float[shape.C];
        var std = new float[shape.C];
        for (var c = 0; c < shape.C; c++)
        {
            var m = sum[c] / n;
            mean[c] = (float)m;
            std[c] = (float)Math.Sqrt(Math.Max(sumOfSquares[c] / n - m * m, 0));
        }
        return new ChannelNormalization(mean, std);
    }

    /// <summary>Standardizes one C×H×W sample in place.</summary>
    public void Apply(Span<float> sample, TensorShape shape)
    {
        var plane = shape.H * shape.W;
        for (var c = 0; c < shape.C; c++)
        {
            var channel = sample.Slice(c * plane, plane);
            TensorPrimitives.Subtract(channel, _mean[c], channel);
            TensorPrimitives.Divide(channel, _std[c], channel);
        }
    }
}
