using System;
using System.Collections;
using System.Collections.Generic;

using Cnn.Runtime.Model;

namespace Cnn.Runtime.Optim;

/// <summary>
/// The layers kept out of training, as dotted path prefixes: <c>layer1</c> freezes
/// <c>layer1.0.conv1</c> and <c>layer1.1.bn2</c> but not <c>layer10.conv1</c>; <c>conv1</c> freezes
/// the layer <c>conv1</c> and nothing in <c>conv10</c>. A frozen tensor is what PyTorch's
/// <c>requires_grad = False</c> gives: no update, no weight decay, no optimizer state advance,
/// no part in gradient clipping.
/// </summary>
public sealed class FrozenLayers : IReadOnlyCollection<string>
{
    private readonly HashSet<string> _prefixes = new(StringComparer.Ordinal);

    /// <summary>Number of prefixes.</summary>
    public int Count => _prefixes.Count;

    /// <summary>Freezes every layer whose path is <paramref name="prefix"/> or starts with it followed by a dot.</summary>
    /// <returns>Whether the prefix was new.</returns>
    public bool Add(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0 || prefix[0] == '.' || prefix[^1] == '.' || prefix.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{prefix}' is not a layer path: expected dotted names such as 'layer1' or 'layer1.0.conv1'.", nameof(prefix));
        }
        return _prefixes.Add(prefix);
    }

    /// <summary>Unfreezes the layers under <paramref name="prefix"/> (those not also under another prefix).</summary>
    /// <returns>Whether the prefix was present.</returns>
    public bool Remove(string prefix) => _prefixes.Remove(prefix);

    /// <summary>Unfreezes everything.</summary>
    public void Clear() => _prefixes.Clear();

    /// <summary>Whether the layer at the dotted path <paramref name="layer"/> is frozen.</summary>
    public bool Freezes(string layer)
    {
        // Allocation-free: runs for every tensor of every step.
        foreach (var prefix in _prefixes)
        {
            if (LayerPath.IsUnder(layer, prefix))
            {
                return true;
            }
        }
        return false;
    }

    /// <inheritdoc/>
    public IEnumerator<string> GetEnumerator() => _prefixes.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
