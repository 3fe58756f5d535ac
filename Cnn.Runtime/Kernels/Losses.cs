using System;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Training losses with their gradients fused in. Each returns its sum over this call's samples divided
/// by <c>meanOver</c> (default: this call's own count), and scales the gradient the same way, so workers
/// holding parts of one batch pass the whole batch's size and add their returned losses.
/// </summary>
public static class Losses
{
    /// <summary>
    /// Softmax cross-entropy on logits, stable (log-sum-exp with the row maximum subtracted):
    /// <c>loss = Σₙ (log Σⱼ e^{zₙⱼ} − zₙ,label) / meanOver</c>, <c>dz = (softmax(z) − onehot(label)) / meanOver</c>.
    /// PyTorch's CrossEntropyLoss with mean reduction.
    /// </summary>
    /// <param name="n">Samples.</param>
    /// <param name="classes">Classes.</param>
    /// <param name="logits">Logits, [n, classes].</param>
    /// <param name="labels">Class indices, [n], each in [0, classes).</param>
    /// <param name="dLogits">Receives the gradient, [n, classes], or empty to compute only the loss.</param>
    /// <param name="meanOver">Divisor of the sum (0 means n).</param>
    /// <param name="path">The instruction set to use.</param>
    /// <returns>The loss.</returns>
    public static float SoftmaxCrossEntropy(int n, int classes, ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, Span<float> dLogits, int meanOver = 0, CpuPath path = CpuPath.Auto)
    {
        var divisor = meanOver > 0 ? meanOver : n;
        var total = 0.0;
        for (var s = 0; s < n; s++)
        {
            var label = labels[s];
            if ((uint)label >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), label, $"Label of sample {s} is outside [0, {classes}).");
            }
            var row = logits.Slice(s * classes, classes);
            var max = float.NegativeInfinity;
            foreach (var v in row)
            {
                max = MathF.Max(max, v);
            }
            if (dLogits.IsEmpty)
            {
                var sumExp = 0.0;
                foreach (var v in row)
                {
                    sumExp += MathF.Exp(v - max);
                }
                total += Math.Log(sumExp) + max - row[label];
                continue;
            }
            var gradient = dLogits.Slice(s * classes, classes);
            Elementwise.Map(new AffineOp(1f, -max), row, gradient, path);
            Elementwise.Map(default(ExpOp), gradient, gradient, path);
            var sum = Reductions.Sum(gradient, path);
            total += Math.Log(sum) + max - row[label];
            Elementwise.Map(new AffineOp(1f / (sum * divisor), 0f), gradient, gradient, path);
            gradient[label] -= 1f / divisor;
        }
        return (float)(total / divisor);
    }

    /// <summary>
    /// Mean squared error (PyTorch's MSELoss, mean over all elements):
    /// <c>loss = Σ (p − t)² / meanOver</c>, <c>dp = 2(p − t) / meanOver</c>.
    /// </summary>
    /// <param name="prediction">Predictions.</param>
    /// <param name="target">Targets, same length.</param>
    /// <param name="dPrediction">Receives the gradient, or empty to compute only the loss.</param>
    /// <param name="meanOver">Divisor of the sum (0 means the number of elements).</param>
    /// <param name="path">The instruction set to use.</param>
    /// <returns>The loss.</returns>
    public static float MeanSquaredError(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, Span<float> dPrediction, int meanOver = 0, CpuPath path = CpuPath.Auto)
    {
        if (target.Length != prediction.Length)
        {
            throw new ArgumentException($"MSE target has {target.Length} values, prediction {prediction.Length}.", nameof(target));
        }
        var divisor = meanOver > 0 ? meanOver : prediction.Length;
        var total = 0.0;
        const int Block = 1024;
        for (var start = 0; start < prediction.Length; start += Block)
        {
            var count = Math.Min(Block, prediction.Length - start);
            var p = prediction.Slice(start, count);
            var t = target.Slice(start, count);
            total += SquaredDistance(p, t, path);
            if (!dPrediction.IsEmpty)
            {
                var d = dPrediction.Slice(start, count);
                Elementwise.Map(new ScaledDifferenceOp(2f / divisor), p, t, d, path);
            }
        }
        return (float)(total / divisor);
    }

    /// <summary>How many rows' largest logit is at the label (first maximum on ties).</summary>
    /// <param name="n">Samples.</param>
    /// <param name="classes">Classes.</param>
    /// <param name="logits">Logits or probabilities, [n, classes].</param>
    /// <param name="labels">Class indices, [n].</param>
    /// <returns>The number of correct predictions.</returns>
    public static int CountCorrect(int n, int classes, ReadOnlySpan<float> logits, ReadOnlySpan<int> labels)
    {
        var correct = 0;
        for (var s = 0; s < n; s++)
        {
            var row = logits.Slice(s * classes, classes);
            var best = 0;
            for (var j = 1; j < classes; j++)
            {
                if (row[j] > row[best])
                {
                    best = j;
                }
            }
            correct += best == labels[s] ? 1 : 0;
        }
        return correct;
    }

    private static double SquaredDistance(ReadOnlySpan<float> p, ReadOnlySpan<float> t, CpuPath path)
    {
        if (CpuPaths.Resolve(path) != CpuPath.Scalar)
        {
            double distance = TensorPrimitives.Distance(p, t);
            return distance * distance;
        }
        var sum = 0.0;
        for (var i = 0; i < p.Length; i++)
        {
            var diff = p[i] - t[i];
            sum += diff * diff;
        }
        return sum;
    }
}

/// <summary>y = eˣ.</summary>
internal readonly struct ExpOp : IUnaryKernel
{
    public float Invoke(float x) => MathF.Exp(x);

    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Exp(x);

    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Exp(x);
}

/// <summary>y = k·(u − v).</summary>
internal readonly struct ScaledDifferenceOp(float k) : IBinaryKernel
{
    public float Invoke(float u, float v) => k * (u - v);

    public Vector256<float> Invoke(Vector256<float> u, Vector256<float> v) => (u - v) * k;

    public Vector512<float> Invoke(Vector512<float> u, Vector512<float> v) => (u - v) * k;
}
