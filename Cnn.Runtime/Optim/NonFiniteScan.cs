using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Optim;

/// <summary>Finds NaN and infinities in an arena, tensor by tensor in layout order, so a bad step is reported before it is applied.</summary>
public static class NonFiniteScan
{
    /// <summary>
    /// The first non-finite value of <paramref name="arena"/>: in the first tensor (layout order)
    /// holding one, its first such element. Null when every value is finite.
    /// </summary>
    /// <param name="arena">The gradient or parameter arena, or, with <paramref name="kind"/> = <see cref="NonFiniteArena.Buffers"/>, the buffer arena.</param>
    /// <param name="layout">The network's tensors; with a network's <see cref="ITrainableLayout"/>, frozen tensors are skipped.</param>
    /// <param name="kind">Which arena this is: buffers are scanned only in the buffer arena, learned tensors only in the others.</param>
    public static NonFiniteValue? FindFirst(ReadOnlySpan<float> arena, IReadOnlyList<ParameterInfo> layout, NonFiniteArena kind = NonFiniteArena.Gradients)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var buffers = kind == NonFiniteArena.Buffers;
        var trainable = layout as ITrainableLayout;
        for (var t = 0; t < layout.Count; t++)
        {
            var tensor = layout[t];
            // Frozen tensors' gradients are unused and their parameters unchanged by the step.
            if (tensor.IsBuffer != buffers || tensor.Length == 0 || (trainable is not null && trainable.IsFrozen(t)))
            {
                continue;
            }
            var values = arena.Slice(tensor.Offset, tensor.Length);
            // One vectorized pass: the largest magnitude is finite exactly when every value is.
            if (float.IsFinite(TensorPrimitives.MaxMagnitude(values)))
            {
                continue;
            }
            var index = FirstIndex(values);
            return new NonFiniteValue(tensor, index, values[index]);
        }
        return null;
    }

    /// <summary>The index of the first NaN or infinity in <paramref name="values"/>, or -1.</summary>
    internal static int FirstIndex(ReadOnlySpan<float> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Throws a <see cref="NonFiniteException"/> naming the first non-finite value of <paramref name="arena"/>, if any.</summary>
    /// <param name="arena">The arena.</param>
    /// <param name="layout">The network's tensors.</param>
    /// <param name="kind">Which arena this is.</param>
    /// <param name="step">The training step, for the message.</param>
    public static void ThrowIfAny(ReadOnlySpan<float> arena, IReadOnlyList<ParameterInfo> layout, NonFiniteArena kind, long step)
    {
        if (FindFirst(arena, layout, kind) is { } found)
        {
            throw new NonFiniteException(found, kind, step);
        }
    }
}
