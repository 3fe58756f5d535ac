using System;
using System.Numerics;

namespace Cnn.Runtime.Kernels.Reference;

/// <summary>Losses by their formulas, in any floating-point type.</summary>
public static class ReferenceLosses
{
    /// <summary>Mean over rows of <c>log Σⱼ e^{zⱼ} − z_label</c>.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="n">Rows.</param>
    /// <param name="classes">Columns.</param>
    /// <param name="logits">Logits.</param>
    /// <param name="labels">Labels.</param>
    /// <returns>The loss.</returns>
    public static T SoftmaxCrossEntropy<T>(int n, int classes, ReadOnlySpan<T> logits, ReadOnlySpan<int> labels) where T : IFloatingPointIeee754<T>
    {
        var total = T.Zero;
        for (var s = 0; s < n; s++)
        {
            var max = T.NegativeInfinity;
            for (var j = 0; j < classes; j++)
            {
                max = T.Max(max, logits[(s * classes) + j]);
            }
            var sum = T.Zero;
            for (var j = 0; j < classes; j++)
            {
                sum += T.Exp(logits[(s * classes) + j] - max);
            }
            total += T.Log(sum) + max - logits[(s * classes) + labels[s]];
        }
        return total / T.CreateChecked(n);
    }

    /// <summary>Mean of squared differences.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="prediction">Predictions.</param>
    /// <param name="target">Targets.</param>
    /// <returns>The loss.</returns>
    public static T MeanSquaredError<T>(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target) where T : IFloatingPointIeee754<T>
    {
        var total = T.Zero;
        for (var i = 0; i < prediction.Length; i++)
        {
            var d = prediction[i] - target[i];
            total += d * d;
        }
        return total / T.CreateChecked(prediction.Length);
    }
}
