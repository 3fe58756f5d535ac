using System;
using System.Collections.Generic;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Weights;

/// <summary>
/// What a network's state_dict holds and where each tensor lives: the float tensors (parameters
/// in the parameter arena, running statistics in the buffer arena) and the int64 counters
/// (<c>bn1.num_batches_tracked</c>), which live in their own long arena, one slot each, in order.
/// </summary>
public sealed class StateDictLayout
{
    /// <summary>PyTorch's name for a BatchNorm's step counter, after the layer's path.</summary>
    public const string CounterSuffix = "num_batches_tracked";

    /// <summary>A layout from its tensors and counter names.</summary>
    /// <exception cref="ArgumentException">Two entries share a name, or an offset is negative.</exception>
    public StateDictLayout(IReadOnlyList<ParameterInfo> tensors, IReadOnlyList<string> counters)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(counters);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in tensors)
        {
            if (!names.Add(tensor.Name))
            {
                throw new ArgumentException($"two tensors are named '{tensor.Name}'", nameof(tensors));
            }
            if (tensor.Offset < 0)
            {
                throw new ArgumentException($"tensor '{tensor.Name}' has a negative offset", nameof(tensors));
            }
        }
        foreach (var counter in counters)
        {
            if (!names.Add(counter))
            {
                throw new ArgumentException($"two tensors are named '{counter}'", nameof(counters));
            }
        }
        Tensors = tensors;
        Counters = counters;
    }

    /// <summary>Float tensors: parameters and running statistics.</summary>
    public IReadOnlyList<ParameterInfo> Tensors { get; }

    /// <summary>Counter names; counter <c>i</c> lives at index <c>i</c> of the counter arena.</summary>
    public IReadOnlyList<string> Counters { get; }

    /// <summary>
    /// The layout PyTorch gives these tensors: every layer with a running mean (a BatchNorm) also
    /// has a <c>&lt;layer&gt;.num_batches_tracked</c> counter, numbered in the order the layers appear.
    /// </summary>
    public static StateDictLayout FromParameters(IReadOnlyList<ParameterInfo> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var counters = new List<string>();
        foreach (var tensor in tensors)
        {
            if (tensor.Role == ParameterRole.RunningMean)
            {
                counters.Add(tensor.Layer.Length == 0 ? CounterSuffix : tensor.Layer + "." + CounterSuffix);
            }
        }
        return new StateDictLayout(tensors, counters);
    }
}
