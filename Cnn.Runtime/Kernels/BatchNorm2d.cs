using System;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Batch normalization over NCHW float32 (PyTorch's BatchNorm2d; with plane = 1 also BatchNorm1d on [n, C]).
/// Training normalizes with the batch's biased variance, saves mean and 1/√(var + ε) for the backward
/// pass, and updates running statistics with the unbiased variance:
/// <c>running = (1 − momentum)·running + momentum·batch</c>.
/// <para>
/// Split batches: every statistic is a per-channel sum, so workers holding parts of one batch compute
/// <see cref="Sums"/> (forward) or <see cref="GradientSums"/> (backward) over their samples, add the
/// partial sums (in double), and each finishes with the combined sums: <see cref="Statistics"/> then
/// <see cref="Normalize"/>, or <see cref="BackwardData"/> and <see cref="ParameterGradients"/>. The result
/// is the full batch's normalization, not an average of per-worker statistics.
/// </para>
/// </summary>
public static partial class BatchNorm2d
{
    /// <summary>Training forward over the whole batch: sums, statistics, running update, normalization.</summary>
    /// <param name="n">Batch size.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Pixels per channel (H·W; 1 for a vector).</param>
    /// <param name="x">Input, [n, channels, plane].</param>
    /// <param name="gamma">Scale γ, [channels].</param>
    /// <param name="beta">Shift β, [channels].</param>
    /// <param name="y">Output (may be x).</param>
    /// <param name="saveMean">Receives the batch mean, [channels].</param>
    /// <param name="saveInvStd">Receives 1/√(var + ε), [channels].</param>
    /// <param name="runningMean">Running mean, updated.</param>
    /// <param name="runningVar">Running variance, updated with the unbiased batch variance.</param>
    /// <param name="momentum">PyTorch's momentum (weight of the new batch, default 0.1).</param>
    /// <param name="eps">ε added to the variance.</param>
    /// <param name="sums">Scratch for the per-channel sums, 2·channels doubles.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void ForwardTraining(int n, int channels, int plane, ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y,
        Span<float> saveMean, Span<float> saveInvStd, Span<float> runningMean, Span<float> runningVar, float momentum, float eps, Span<double> sums, CpuPath path = CpuPath.Auto)
    {
        var sum = sums[..channels];
        var sumSquares = sums.Slice(channels, channels);
        Sums(n, channels, plane, x, sum, sumSquares, accumulate: false, path);
        Statistics((long)n * plane, sum, sumSquares, eps, momentum, saveMean, saveInvStd, runningMean, runningVar);
        Normalize(n, channels, plane, x, gamma, beta, saveMean, saveInvStd, y, path);
    }

    /// <summary>Inference forward with the running statistics: <c>y = γ·(x − running_mean)/√(running_var + ε) + β</c>.</summary>
    /// <param name="n">Batch size.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Pixels per channel.</param>
    /// <param name="x">Input, [n, channels, plane].</param>
    /// <param name="gamma">Scale γ.</param>
    /// <param name="beta">Shift β.</param>
    /// <param name="runningMean">Running mean.</param>
    /// <param name="runningVar">Running variance.</param>
    /// <param name="eps">ε.</param>
    /// <param name="y">Output (may be x).</param>
    /// <param name="path">The instruction set to use.</param>
    public static void ForwardInference(int n, int channels, int plane, ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, float eps, Span<float> y, CpuPath path = CpuPath.Auto) =>
        Inference(n, channels, plane, x, gamma, beta, runningMean, runningVar, eps, y, relu: false, path);

    /// <summary>Per-channel <c>Σx</c> and <c>Σx²</c> over a (sub-)batch, in double.</summary>
    /// <param name="n">Samples in this part of the batch.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Pixels per channel.</param>
    /// <param name="x">Input, [n, channels, plane].</param>
    /// <param name="sum">Σx per channel.</param>
    /// <param name="sumSquares">Σx² per channel.</param>
    /// <param name="accumulate">Add to the sums rather than overwrite them.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void Sums(int n, int channels, int plane, ReadOnlySpan<float> x, Span<double> sum, Span<double> sumSquares, bool accumulate, CpuPath path = CpuPath.Auto)
    {
        if (!accumulate)
        {
            sum[..channels].Clear();
            sumSquares[..channels].Clear();
        }
        for (var s = 0; s < n; s++)
        {
            for (var c = 0; c < channels; c++)
            {
                var values = x.Slice(((s * channels) + c) * plane, plane);
                sum[c] += Reductions.Sum(values, path);
                sumSquares[c] += Reductions.SumOfSquares(values, path);
            }
        }
    }

    /// <summary>
    /// Mean and 1/√(var + ε) from combined sums over <paramref name="count"/> values per channel (n·plane),
    /// and the running-statistics update (unbiased variance, var·count/(count − 1)).
    /// </summary>
    /// <param name="count">Values per channel in the whole batch (n·plane); at least 2.</param>
    /// <param name="sum">Σx per channel.</param>
    /// <param name="sumSquares">Σx² per channel.</param>
    /// <param name="eps">ε.</param>
    /// <param name="momentum">Weight of this batch in the running statistics.</param>
    /// <param name="mean">Receives the batch mean.</param>
    /// <param name="invStd">Receives 1/√(biased var + ε).</param>
    /// <param name="runningMean">Running mean, updated.</param>
    /// <param name="runningVar">Running variance, updated.</param>
    public static void Statistics(long count, ReadOnlySpan<double> sum, ReadOnlySpan<double> sumSquares, float eps, float momentum,
        Span<float> mean, Span<float> invStd, Span<float> runningMean, Span<float> runningVar)
    {
        if (count < 2)
        {
            throw new ArgumentException($"BatchNorm in training needs more than one value per channel, got {count}.", nameof(count));
        }
        for (var c = 0; c < mean.Length; c++)
        {
            var m = sum[c] / count;
            var variance = Math.Max((sumSquares[c] / count) - (m * m), 0.0);
            mean[c] = (float)m;
            invStd[c] = (float)(1.0 / Math.Sqrt(variance + eps));
            runningMean[c] = (float)(((1.0 - momentum) * runningMean[c]) + (momentum * m));
            runningVar[c] = (float)(((1.0 - momentum) * runningVar[c]) + (momentum * variance * count / (count - 1)));
        }
    }

    /// <summary><c>y = γ·(x − mean)·invStd + β</c> with given statistics.</summary>
    /// <param name="n">Samples.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Pixels per channel.</param>
    /// <param name="x">Input, [n, channels, plane].</param>
    /// <param name="gamma">Scale γ.</param>
    /// <param name="beta">Shift β.</param>
    /// <param name="mean">Batch mean.</param>
    /// <param name="invStd">1/√(var + ε).</param>
    /// <param name="y">Output (may be x).</param>
    /// <param name="path">The instruction set to use.</param>
    public static void Normalize(int n, int channels, int plane, ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, Span<float> y, CpuPath path = CpuPath.Auto) =>
        Normalized(n, channels, plane, x, gamma, beta, mean, invStd, y, relu: false, path);

    /// <summary>Training backward over the whole batch: dx, dγ, dβ.</summary>
    /// <param name="n">Batch size.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Pixels per channel.</param>
    /// <param name="x">Forward input.</param>
    /// <param name="dy">Output gradient.</param>
    /// <param name="gamma">Scale γ.</param>
    /// <param name="mean">Saved batch mean.</param>
    /// <param name="invStd">Saved 1/√(var + ε).</param>
    /// <param name="dx">Input gradient (may be dy).</param>
    /// <param name="dGamma">γ gradient.</param>
    /// <param name="dBeta">β gradient.</param>
    /// <param name="accumulate">Add into dx, dγ and dβ rather than overwrite them.</param>
    /// <param name="sums">Scratch for the per-channel sums, 2·channels doubles.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void Backward(int n, int channels, int plane, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, Span<float> dx, Span<float> dGamma, Span<float> dBeta, bool accumulate, Span<double> sums, CpuPath path = CpuPath.Auto)
    {
        var sumDy = sums[..channels];
        var sumDyXhat = sums.Slice(channels, channels);
        GradientSums(n, channels, plane, x, dy, mean, invStd, sumDy, sumDyXhat, accumulate: false, path);
        ParameterGradients(sumDy, sumDyXhat, dGamma, dBeta, accumulate);
        BackwardData(n, channels, plane, x, dy, gamma, mean, invStd, (long)n * plane, sumDy, sumDyXhat, dx, accumulate, path);
    }

    /// <summary>Per-channel <c>Σdy</c> and <c>Σdy·x̂</c> (x̂ = (x − mean)·invStd) over a (sub-)batch, in double.</summary>
    /// <param name="n">Samples in this part of the batch.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Pixels per channel.</param>
    /// <param name="x">Forward input.</param>
    /// <param name="dy">Output gradient.</param>
    /// <param name="mean">Batch mean (of the whole batch).</param>
    /// <param name="invStd">1/√(var + ε) of the whole batch.</param>
    /// <param name="sumDy">Σdy per channel.</param>
    /// <param name="sumDyXhat">Σdy·x̂ per channel.</param>
    /// <param name="accumulate">Add to the sums rather than overwrite them.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void GradientSums(int n, int channels, int plane, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> invStd, Span<double> sumDy, Span<double> sumDyXhat, bool accumulate, CpuPath path = CpuPath.Auto) =>
        GatedGradientSums(n, channels, plane, x, ReadOnlySpan<float>.Empty, dy, mean, invStd, sumDy, sumDyXhat, accumulate, path);

    /// <summary><c>dγ (+)= Σdy·x̂</c>, <c>dβ (+)= Σdy</c> from combined sums.</summary>
    /// <param name="sumDy">Σdy per channel.</param>
    /// <param name="sumDyXhat">Σdy·x̂ per channel.</param>
    /// <param name="dGamma">γ gradient.</param>
    /// <param name="dBeta">β gradient.</param>
    /// <param name="accumulate">Add rather than overwrite.</param>
    public static void ParameterGradients(ReadOnlySpan<double> sumDy, ReadOnlySpan<double> sumDyXhat, Span<float> dGamma, Span<float> dBeta, bool accumulate)
    {
        for (var c = 0; c < sumDy.Length; c++)
        {
            dGamma[c] = (float)sumDyXhat[c] + (accumulate ? dGamma[c] : 0f);
            dBeta[c] = (float)sumDy[c] + (accumulate ? dBeta[c] : 0f);
        }
    }

    /// <summary>
    /// <c>dx (+)= γ·invStd·(dy − Σdy/M − x̂·Σdy·x̂/M)</c> with M = <paramref name="count"/> values per channel in the
    /// whole batch, applied to this part's samples. Expanded as <c>a·dy + b·x + c</c> per channel.
    /// </summary>
    /// <param name="n">Samples in this part of the batch.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Pixels per channel.</param>
    /// <param name="x">Forward input.</param>
    /// <param name="dy">Output gradient.</param>
    /// <param name="gamma">Scale γ.</param>
    /// <param name="mean">Batch mean.</param>
    /// <param name="invStd">1/√(var + ε).</param>
    /// <param name="count">Values per channel in the whole batch.</param>
    /// <param name="sumDy">Combined Σdy.</param>
    /// <param name="sumDyXhat">Combined Σdy·x̂.</param>
    /// <param name="dx">Input gradient (may be dy).</param>
    /// <param name="accumulate">Add into dx rather than overwrite it.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void BackwardData(int n, int channels, int plane, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, long count, ReadOnlySpan<double> sumDy, ReadOnlySpan<double> sumDyXhat, Span<float> dx, bool accumulate, CpuPath path = CpuPath.Auto) =>
        GatedBackwardData(n, channels, plane, x, ReadOnlySpan<float>.Empty, dy, gamma, mean, invStd, count, sumDy, sumDyXhat, dx, accumulate, path);
}
