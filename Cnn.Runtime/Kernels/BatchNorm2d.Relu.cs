using System;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// BatchNorm followed by ReLU in one pass each way (the generator fuses a BatchNorm whose only consumer
/// is a ReLU): forward writes <c>relu(γ·x̂ + β)</c> without storing the normalized values, and backward
/// gates the incoming gradient by the ReLU's output (<c>y &gt; 0</c>) inside BatchNorm's own two passes,
/// so neither the ReLU's input nor its gradient is ever written to memory. The plain methods are these
/// with no gate: their <c>y</c> is empty.
/// </summary>
public static partial class BatchNorm2d
{
    /// <summary><c>y = relu(γ·(x − mean)·invStd + β)</c> with given statistics.</summary>
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
    public static void NormalizeRelu(int n, int channels, int plane, ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, Span<float> y, CpuPath path = CpuPath.Auto) =>
        Normalized(n, channels, plane, x, gamma, beta, mean, invStd, y, relu: true, path);

    /// <summary>Inference with the running statistics, then ReLU: <c>y = relu(γ·(x − running_mean)/√(running_var + ε) + β)</c>.</summary>
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
    public static void ForwardInferenceRelu(int n, int channels, int plane, ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, float eps, Span<float> y, CpuPath path = CpuPath.Auto) =>
        Inference(n, channels, plane, x, gamma, beta, runningMean, runningVar, eps, y, relu: true, path);

    /// <summary>
    /// <see cref="GradientSums"/>
    /// of the gradient that reaches the normalized values through the ReLU: <c>dy</c> where <c>y &gt; 0</c>, else 0.
    /// </summary>
    /// <param name="n">Samples in this part of the batch.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Pixels per channel.</param>
    /// <param name="x">Forward input.</param>
    /// <param name="y">Forward output (after the ReLU).</param>
    /// <param name="dy">Gradient of the output.</param>
    /// <param name="mean">Batch mean (of the whole batch).</param>
    /// <param name="invStd">1/√(var + ε) of the whole batch.</param>
    /// <param name="sumDy">Σ gated dy per channel.</param>
    /// <param name="sumDyXhat">Σ gated dy·x̂ per channel.</param>
    /// <param name="accumulate">Add to the sums rather than overwrite them.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void GradientSumsRelu(int n, int channels, int plane, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> invStd, Span<double> sumDy, Span<double> sumDyXhat, bool accumulate, CpuPath path = CpuPath.Auto)
    {
        RequireGate(y, dy);
        GatedGradientSums(n, channels, plane, x, y, dy, mean, invStd, sumDy, sumDyXhat, accumulate, path);
    }

    /// <summary>
    /// <see cref="BackwardData"/>
    /// with <c>dy</c> gated by the ReLU's output: <c>dx (+)= a·(y &gt; 0 ? dy : 0) + b·x + c</c> per channel.
    /// </summary>
    /// <param name="n">Samples in this part of the batch.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Pixels per channel.</param>
    /// <param name="x">Forward input.</param>
    /// <param name="y">Forward output (after the ReLU).</param>
    /// <param name="dy">Gradient of the output.</param>
    /// <param name="gamma">Scale γ.</param>
    /// <param name="mean">Batch mean.</param>
    /// <param name="invStd">1/√(var + ε).</param>
    /// <param name="count">Values per channel in the whole batch.</param>
    /// <param name="sumDy">Combined Σ gated dy.</param>
    /// <param name="sumDyXhat">Combined Σ gated dy·x̂.</param>
    /// <param name="dx">Input gradient (may be dy).</param>
    /// <param name="accumulate">Add into dx rather than overwrite it.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void BackwardDataRelu(int n, int channels, int plane, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, long count, ReadOnlySpan<double> sumDy, ReadOnlySpan<double> sumDyXhat, Span<float> dx, bool accumulate, CpuPath path = CpuPath.Auto)
    {
        RequireGate(y, dy);
        GatedBackwardData(n, channels, plane, x, y, dy, gamma, mean, invStd, count, sumDy, sumDyXhat, dx, accumulate, path);
    }

    private static void RequireGate(ReadOnlySpan<float> y, ReadOnlySpan<float> dy)
    {
        if (y.Length < dy.Length)
        {
            throw new ArgumentException($"The ReLU's output has {y.Length} values, fewer than its gradient's {dy.Length}.", nameof(y));
        }
    }

    /// <summary>Inference with the running statistics, then ReLU when <paramref name="relu"/>.</summary>
    internal static void Inference(int n, int channels, int plane, ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, float eps, Span<float> y, bool relu, CpuPath path) =>
        Mapped(n, channels, plane, x, ChannelAffine.Inference(gamma, beta, runningMean, runningVar, eps), y, relu, path);

    /// <summary>Normalization with given statistics, then ReLU when <paramref name="relu"/>.</summary>
    internal static void Normalized(int n, int channels, int plane, ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, Span<float> y, bool relu, CpuPath path) =>
        Mapped(n, channels, plane, x, ChannelAffine.Training(gamma, beta, mean, invStd), y, relu, path);

    /// <summary>
    /// <c>y = map(x)</c> per channel, then ReLU when <paramref name="relu"/>: training's normalization or inference's. Sample by
    /// sample, each sample's channels in turn, so the tensor is read in memory order (a channel's planes across samples lie a
    /// sample's length apart, 64 KiB in resnet8's first layers); each channel's coefficients are recomputed per sample (the same
    /// values). Inference used to go channel by channel across samples; in memory order resnet8's batch-256 BatchNorms took
    /// 33–65 % less thread CPU time, the whole pass 4.5 % less (alternated, load 6.5).
    /// </summary>
    internal static void Mapped(int n, int channels, int plane, ReadOnlySpan<float> x, scoped in ChannelAffine map, Span<float> y, bool relu, CpuPath path)
    {
        for (var s = 0; s < n; s++)
        {
            for (var c = 0; c < channels; c++)
            {
                var (scale, shift) = map.Of(c);
                var offset = ((s * channels) + c) * plane;
                Affine(x.Slice(offset, plane), y.Slice(offset, plane), scale, shift, relu, path);
            }
        }
    }

    /// <summary>
    /// <see cref="Mapped"/> of one run of each channel's plane: <c>y = map(x)</c>, then ReLU when <paramref name="relu"/>, over
    /// <paramref name="length"/> values from <paramref name="xOffset"/> of each plane of <paramref name="x"/> to
    /// <paramref name="yOffset"/> of each plane of <paramref name="y"/>, whose planes may differ in size (rows of a map shared
    /// between threads: <see cref="Network.SharedWinograd"/>). Each value is <see cref="Mapped"/>'s, bit for bit.
    /// </summary>
    internal static void MappedRuns(int channels, ReadOnlySpan<float> x, int xOffset, int xPlane, scoped in ChannelAffine map, Span<float> y, int yOffset, int yPlane,
        int length, bool relu, CpuPath path)
    {
        for (var c = 0; c < channels; c++)
        {
            var (scale, shift) = map.Of(c);
            Affine(x.Slice((c * xPlane) + xOffset, length), y.Slice((c * yPlane) + yOffset, length), scale, shift, relu, path);
        }
    }

    /// <summary>Channel <paramref name="c"/>'s affine map <c>y = scale·x + shift</c> in inference, from the running statistics.</summary>
    private static (float Scale, float Shift) InferenceAffineOf(int c, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> runningMean,
        ReadOnlySpan<float> runningVar, float eps)
    {
        var invStd = 1f / MathF.Sqrt(runningVar[c] + eps);
        var scale = gamma[c] * invStd;
        return (scale, beta[c] - (runningMean[c] * scale));
    }

    /// <summary>Channel <paramref name="c"/>'s affine map <c>y = scale·x + shift</c> in training; the backward passes that recompute the ReLU's gate call this too, so their gate is the forward's.</summary>
    private static (float Scale, float Shift) AffineOf(int c, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd)
    {
        var scale = gamma[c] * invStd[c];
        return (scale, beta[c] - (mean[c] * scale));
    }

    /// <summary>
    /// <see cref="GatedGradientSums"/> behind a ReLU whose output is not read: each value's gate, <c>y &gt; 0</c>, is recomputed from x
    /// with the forward's affine map and instructions (<see cref="Reductions.AffineGatedSumAndDot"/>), so the sums are the same bit
    /// for bit and the pass reads two tensors instead of three (resnet8's four BatchNorm+ReLU backward passes: 2–0.5 MB each per worker).
    /// </summary>
    internal static void InputGatedGradientSums(int n, int channels, int plane, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> beta, ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, Span<double> sumDy, Span<double> sumDyXhat, CpuPath path)
    {
        sumDy[..channels].Clear();
        sumDyXhat[..channels].Clear();
        AddInputGatedGradientSums(n, channels, plane, x, dy, gamma, beta, mean, invStd, sumDy, sumDyXhat, path);
    }

    /// <summary><see cref="InputGatedGradientSums"/> adding to the sums: samples taken in turn give the whole batch's sums bit for bit (<see cref="ReluGradientSums"/>).</summary>
    private static void AddInputGatedGradientSums(int n, int channels, int plane, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> beta, ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, Span<double> sumDy, Span<double> sumDyXhat, CpuPath path)
    {
        for (var s = 0; s < n; s++)
        {
            for (var c = 0; c < channels; c++)
            {
                var offset = ((s * channels) + c) * plane;
                var (scale, shift) = AffineOf(c, gamma, beta, mean, invStd);
                var (gradSum, dot) = Reductions.AffineGatedSumAndDot(x.Slice(offset, plane), dy.Slice(offset, plane), scale, shift, path);
                AddPlaneSums(c, gradSum, dot, mean, invStd, sumDy, sumDyXhat);
            }
        }
    }

    /// <summary>
    /// <see cref="GatedBackwardData"/> writing dx (not adding to it) behind a ReLU whose output is not read: the gate recomputed from x
    /// as in <see cref="InputGatedGradientSums"/>, the same values bit for bit.
    /// </summary>
    internal static void InputGatedBackwardData(int n, int channels, int plane, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> beta, ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, long count, ReadOnlySpan<double> sumDy, ReadOnlySpan<double> sumDyXhat,
        Span<float> dx, CpuPath path)
    {
        for (var s = 0; s < n; s++)
        {
            for (var c = 0; c < channels; c++)
            {
                var (a, b, shift) = DataGradientOf(c, gamma, mean, invStd, count, sumDy, sumDyXhat);
                var (gateScale, gateShift) = AffineOf(c, gamma, beta, mean, invStd);
                var offset = ((s * channels) + c) * plane;
                Elementwise.Map(new InputGatedAffinePairOp(a, b, shift, new AffineReluGate(gateScale, gateShift)), x.Slice(offset, plane), dy.Slice(offset, plane),
                    dx.Slice(offset, plane), path);
            }
        }
    }

    /// <summary>Channel <paramref name="c"/>'s data gradient as <c>a·dy + b·x + shift</c>.</summary>
    private static (float A, float B, float Shift) DataGradientOf(int c, ReadOnlySpan<float> gamma, ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd,
        long count, ReadOnlySpan<double> sumDy, ReadOnlySpan<double> sumDyXhat)
    {
        var a = gamma[c] * invStd[c];
        var b = -a * invStd[c] * (float)(sumDyXhat[c] / count);
        return (a, b, (-a * (float)(sumDy[c] / count)) - (b * mean[c]));
    }

    /// <summary>One plane: <c>y = scale·x + shift</c>, then ReLU if asked.</summary>
    private static void Affine(ReadOnlySpan<float> x, Span<float> y, float scale, float shift, bool relu, CpuPath path)
    {
        if (relu)
        {
            Elementwise.Map(new AffineReluOp(scale, shift), x, y, path);
        }
        else
        {
            Elementwise.Map(new AffineOp(scale, shift), x, y, path);
        }
    }

    /// <summary>The gradient sums, with dy gated by the ReLU output <paramref name="y"/> unless it is empty (no ReLU).</summary>
    internal static void GatedGradientSums(int n, int channels, int plane, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> invStd, Span<double> sumDy, Span<double> sumDyXhat, bool accumulate, CpuPath path)
    {
        if (!accumulate)
        {
            sumDy[..channels].Clear();
            sumDyXhat[..channels].Clear();
        }
        for (var s = 0; s < n; s++)
        {
            for (var c = 0; c < channels; c++)
            {
                var offset = ((s * channels) + c) * plane;
                var gradOut = dy.Slice(offset, plane);
                var input = x.Slice(offset, plane);
                var (gradSum, dot) = y.IsEmpty
                    ? Reductions.SumAndDot(gradOut, input, path)
                    : Reductions.GatedSumAndDot(y.Slice(offset, plane), gradOut, input, path);
                AddPlaneSums(c, gradSum, dot, mean, invStd, sumDy, sumDyXhat);
            }
        }
    }

    /// <summary>
    /// Adds one plane of channel <paramref name="c"/> to the backward sums from its Σg and Σg·x: <c>Σg·x̂ = invStd·(Σg·x − mean·Σg)</c>.
    /// Every pass that takes the sums (alone, behind a ReLU, in a convolution's epilogue, in a residual join) adds its planes here.
    /// </summary>
    internal static void AddPlaneSums(int c, float gradSum, float dot, ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, Span<double> sumDy, Span<double> sumDyXhat)
    {
        sumDy[c] += gradSum;
        sumDyXhat[c] += invStd[c] * (dot - (mean[c] * (double)gradSum));
    }

    /// <summary>The data gradient, with dy gated by the ReLU output <paramref name="y"/> unless it is empty.</summary>
    internal static void GatedBackwardData(int n, int channels, int plane, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, long count, ReadOnlySpan<double> sumDy, ReadOnlySpan<double> sumDyXhat, Span<float> dx, bool accumulate, CpuPath path)
    {
        var gated = !y.IsEmpty;
        // In memory order, as Normalized: the per-channel coefficients are recomputed for each sample (the same values).
        for (var s = 0; s < n; s++)
        {
            for (var c = 0; c < channels; c++)
            {
                var (a, b, shift) = DataGradientOf(c, gamma, mean, invStd, count, sumDy, sumDyXhat);
                var offset = ((s * channels) + c) * plane;
                var target = dx.Slice(offset, plane);
                var gradOut = dy.Slice(offset, plane);
                var input = x.Slice(offset, plane);
                if (accumulate)
                {
                    if (gated)
                    {
                        Elementwise.Map(new GatedAxpyOp(a), y.Slice(offset, plane), gradOut, target, target, path);
                    }
                    else
                    {
                        Elementwise.Map(new AxpyOp(a), gradOut, target, target, path);
                    }
                    Elementwise.Map(new AxpyOp(b), input, target, target, path);
                    Elementwise.Map(new AffineOp(1f, shift), target, target, path);
                }
                else if (gated)
                {
                    Elementwise.Map(new GatedAffinePairOp(a, b, shift), y.Slice(offset, plane), gradOut, input, target, path);
                }
                else
                {
                    Elementwise.Map(new AffinePairOp(a, b, shift), gradOut, input, target, path);
                }
            }
        }
    }
}
