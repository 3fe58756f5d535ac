using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Optim;

/// <summary>
/// Gradient clipping over a gradient arena, as torch.nn.utils.clip_grad_norm_ and clip_grad_value_.
/// Buffers and the tensors a network's <see cref="ITrainableLayout"/> holds frozen (which in PyTorch
/// have no gradient) take no part.
/// </summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients by min(1, maxNorm / (‖g‖ + 1e-6)), where ‖g‖ is the norm of every
    /// tensor's gradient viewed as one vector (the norm of the per-tensor norms).
    /// </summary>
    /// <param name="gradients">The gradient arena, scaled in place.</param>
    /// <param name="layout">The network's tensors (its <see cref="ITrainableLayout"/> to leave frozen ones out).</param>
    /// <param name="maxNorm">The largest norm allowed.</param>
    /// <param name="normType">The p of the p-norm: 1, 2 or <see cref="double.PositiveInfinity"/>.</param>
    /// <returns>The total norm before clipping.</returns>
    /// <remarks>
    /// As in PyTorch (without <c>error_if_nonfinite</c>), a NaN or infinite norm scales every
    /// gradient to NaN: run <see cref="NonFiniteScan"/> first to name the tensor at fault.
    /// </remarks>
    public static float ClipByNorm(Span<float> gradients, IReadOnlyList<ParameterInfo> layout, float maxNorm, double normType = 2)
    {
        var total = Norm(gradients, layout, normType);
        // PyTorch's order: the coefficient is computed in float, clamped, and applied even when it is 1.
        var coefficient = MathF.Min(maxNorm / (total + 1e-6f), 1f);
        for (var t = 0; t < layout.Count; t++)
        {
            var tensor = layout[t];
            if (!Trains(layout, t))
            {
                continue;
            }
            var values = gradients.Slice(tensor.Offset, tensor.Length);
            TensorPrimitives.Multiply(values, coefficient, values);
        }
        return total;
    }

    /// <summary>Clamps every gradient into [−<paramref name="clipValue"/>, <paramref name="clipValue"/>] (NaN stays NaN).</summary>
    /// <param name="gradients">The gradient arena, clamped in place.</param>
    /// <param name="layout">The network's tensors (its <see cref="ITrainableLayout"/> to leave frozen ones out).</param>
    /// <param name="clipValue">The largest magnitude allowed (≥ 0).</param>
    public static void ClipByValue(Span<float> gradients, IReadOnlyList<ParameterInfo> layout, float clipValue)
    {
        if (!(clipValue >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(clipValue), clipValue, "The clip value must be non-negative.");
        }
        ArgumentNullException.ThrowIfNull(layout);
        for (var t = 0; t < layout.Count; t++)
        {
            var tensor = layout[t];
            if (!Trains(layout, t))
            {
                continue;
            }
            var values = gradients.Slice(tensor.Offset, tensor.Length);
            TensorPrimitives.Clamp(values, -clipValue, clipValue, values);
        }
    }

    /// <summary>The p-norm of all trained tensors' gradients viewed as one vector, as clip_grad_norm_ computes it.</summary>
    /// <param name="gradients">The gradient arena.</param>
    /// <param name="layout">The network's tensors (its <see cref="ITrainableLayout"/> to leave frozen ones out).</param>
    /// <param name="normType">1, 2 or <see cref="double.PositiveInfinity"/>.</param>
    public static float Norm(ReadOnlySpan<float> gradients, IReadOnlyList<ParameterInfo> layout, double normType = 2)
    {
        if (normType is not (1 or 2 or double.PositiveInfinity))
        {
            throw new ArgumentOutOfRangeException(nameof(normType), normType, "Supported norms: 1, 2 and infinity.");
        }
        // Each tensor's norm in float, as PyTorch's per-tensor torch.norm; combined in double.
        ArgumentNullException.ThrowIfNull(layout);
        double total = 0;
        for (var t = 0; t < layout.Count; t++)
        {
            var tensor = layout[t];
            if (!Trains(layout, t))
            {
                continue;
            }
            var values = gradients.Slice(tensor.Offset, tensor.Length);
            if (normType == 2)
            {
                double norm = TensorPrimitives.Norm(values);
                total += norm * norm;
            }
            else if (normType == 1)
            {
                total += TensorPrimitives.SumOfMagnitudes(values);
            }
            else if (values.Length > 0)
            {
                // MaxMagnitude keeps the sign of the value it picks; Math.Max propagates NaN, as torch.max does.
                total = Math.Max(total, Math.Abs(TensorPrimitives.MaxMagnitude(values)));
            }
        }
        return (float)(normType == 2 ? Math.Sqrt(total) : total);
    }

    private static bool Trains(IReadOnlyList<ParameterInfo> layout, int index) =>
        !layout[index].IsBuffer && !(layout is ITrainableLayout trainable && trainable.IsFrozen(index));
}
