using System;
using System.Numerics;

namespace Cnn.Runtime.Kernels.Reference;

/// <summary>Batch normalization by its definition (two-pass mean and variance), in any floating-point type.</summary>
public static class ReferenceBatchNorm
{
    /// <summary>Training forward: <c>y = γ(x − μ)/√(σ² + ε) + β</c> with batch μ and biased σ²; running stats get the unbiased σ².</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="n">Batch.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Pixels per channel.</param>
    /// <param name="x">Input.</param>
    /// <param name="gamma">γ.</param>
    /// <param name="beta">β.</param>
    /// <param name="y">Output.</param>
    /// <param name="runningMean">Running mean, updated.</param>
    /// <param name="runningVar">Running variance, updated.</param>
    /// <param name="momentum">Momentum.</param>
    /// <param name="eps">ε.</param>
    public static void ForwardTraining<T>(int n, int channels, int plane, ReadOnlySpan<T> x, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, Span<T> y,
        Span<T> runningMean, Span<T> runningVar, T momentum, T eps)
        where T : IFloatingPointIeee754<T>
    {
        var count = T.CreateChecked(n * plane);
        for (var c = 0; c < channels; c++)
        {
            var mean = T.Zero;
            for (var s = 0; s < n; s++)
            {
                for (var i = 0; i < plane; i++)
                {
                    mean += x[(((s * channels) + c) * plane) + i];
                }
            }
            mean /= count;
            var variance = T.Zero;
            for (var s = 0; s < n; s++)
            {
                for (var i = 0; i < plane; i++)
                {
                    var d = x[(((s * channels) + c) * plane) + i] - mean;
                    variance += d * d;
                }
            }
            variance /= count;
            var invStd = T.One / T.Sqrt(variance + eps);
            for (var s = 0; s < n; s++)
            {
                for (var i = 0; i < plane; i++)
                {
                    var at = (((s * channels) + c) * plane) + i;
                    y[at] = (gamma[c] * (x[at] - mean) * invStd) + beta[c];
                }
            }
            runningMean[c] = ((T.One - momentum) * runningMean[c]) + (momentum * mean);
            runningVar[c] = ((T.One - momentum) * runningVar[c]) + (momentum * variance * count / (count - T.One));
        }
    }

    /// <summary>Inference forward with running statistics.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="n">Batch.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Pixels per channel.</param>
    /// <param name="x">Input.</param>
    /// <param name="gamma">γ.</param>
    /// <param name="beta">β.</param>
    /// <param name="runningMean">Running mean.</param>
    /// <param name="runningVar">Running variance.</param>
    /// <param name="eps">ε.</param>
    /// <param name="y">Output.</param>
    public static void ForwardInference<T>(int n, int channels, int plane, ReadOnlySpan<T> x, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta,
        ReadOnlySpan<T> runningMean, ReadOnlySpan<T> runningVar, T eps, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        for (var s = 0; s < n; s++)
        {
            for (var c = 0; c < channels; c++)
            {
                for (var i = 0; i < plane; i++)
                {
                    var at = (((s * channels) + c) * plane) + i;
                    y[at] = (gamma[c] * (x[at] - runningMean[c]) / T.Sqrt(runningVar[c] + eps)) + beta[c];
                }
            }
        }
    }
}
