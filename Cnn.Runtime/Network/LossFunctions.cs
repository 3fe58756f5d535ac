using System;
using System.Numerics.Tensors;

namespace Cnn.Runtime.Network;

/// <summary>
/// The losses a network trains with, each computing its value and seeding the output gradient in one
/// pass. Both average over the whole batch (<c>totalBatch</c>), so that workers holding parts of a
/// batch produce partial sums that add up to PyTorch's mean-reduced loss and gradient.
/// </summary>
public static class LossFunctions
{
    /// <summary>
    /// Fused, numerically stable softmax cross-entropy on logits (PyTorch's <c>CrossEntropyLoss</c>):
    /// per row, <c>loss = log Σ exp(z − max) − (z_label − max)</c> and <c>∂loss/∂z = softmax(z) − onehot</c>,
    /// both divided by <paramref name="totalBatch"/>.
    /// </summary>
    /// <param name="logits">[batch, classes] logits.</param>
    /// <param name="labels">batch class indices.</param>
    /// <param name="classes">Classes per row.</param>
    /// <param name="totalBatch">Rows the loss averages over (≥ this part's rows).</param>
    /// <param name="gradient">[batch, classes] gradient of the loss with respect to the logits (written).</param>
    /// <returns>This part's share of the mean loss.</returns>
    public static float SoftmaxCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classes, int totalBatch, Span<float> gradient)
    {
        var batch = labels.Length;
        var scale = 1f / totalBatch;
        var sum = 0.0;
        for (var n = 0; n < batch; n++)
        {
            var label = labels[n];
            if ((uint)label >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), $"Label {label} of sample {n} is outside 0..{classes - 1}.");
            }
            var z = logits.Slice(n * classes, classes);
            var g = gradient.Slice(n * classes, classes);
            var max = TensorPrimitives.Max(z);
            TensorPrimitives.Subtract(z, max, g);
            TensorPrimitives.Exp(g, g);
            var total = TensorPrimitives.Sum<float>(g);
            sum += Math.Log(total) - (z[label] - max);
            TensorPrimitives.Multiply(g, scale / total, g);
            g[label] -= scale;
        }
        return (float)(sum * scale);
    }

    /// <summary>
    /// Mean squared error over every value (PyTorch's <c>MSELoss</c>): <c>loss = Σ (y − t)² / (totalBatch·n)</c>,
    /// <c>∂loss/∂y = 2 (y − t) / (totalBatch·n)</c>.
    /// </summary>
    /// <param name="outputs">[batch, n] outputs.</param>
    /// <param name="targets">[batch, n] targets.</param>
    /// <param name="valuesPerSample">n.</param>
    /// <param name="totalBatch">Rows the loss averages over.</param>
    /// <param name="gradient">[batch, n] gradient (written).</param>
    /// <returns>This part's share of the mean loss.</returns>
    public static float MeanSquaredError(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int valuesPerSample, int totalBatch, Span<float> gradient)
    {
        var count = (float)totalBatch * valuesPerSample;
        TensorPrimitives.Subtract(outputs, targets, gradient);
        var sum = (double)TensorPrimitives.SumOfSquares<float>(gradient);
        TensorPrimitives.Multiply(gradient, 2f / count, gradient);
        return (float)(sum / count);
    }
}
