using System;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Network;

public abstract partial class NetworkBase
{
    /// <summary>
    /// Freezes every parameter of the layers under the given prefixes (transfer learning), as PyTorch's
    /// <c>requires_grad = False</c>: <see cref="Backward"/> does not compute their gradients (they stay
    /// zero) and ends at the first layer that trains, and an optimizer built over <see cref="Layout"/>
    /// neither updates them nor decays them nor advances their momentum or Adam state. A prefix names a layer or a scope by whole dotted segments: <c>layer1</c> freezes
    /// <c>layer1.0.conv1.weight</c> but not <c>layer10.…</c>. BatchNorm running statistics of frozen
    /// layers still update in training mode, as in PyTorch. Call between steps; it takes effect at the next.
    /// </summary>
    /// <param name="layerPrefixes">Layer paths or scope prefixes (<c>"conv1"</c>, <c>"features"</c>).</param>
    /// <exception cref="ArgumentException">A prefix is malformed or matches no layer with parameters.</exception>
    public void Freeze(params string[] layerPrefixes) => SetFrozen(layerPrefixes, frozen: true);

    /// <summary>
    /// Unfreezes the layers under the given prefixes (fine-tuning in stages: <c>Unfreeze("layer4")</c>),
    /// or every layer when called without arguments. An optimizer's state for a tensor resumes where
    /// it stopped when the tensor was frozen.
    /// </summary>
    /// <param name="layerPrefixes">Layer paths or scope prefixes; none means all.</param>
    /// <exception cref="ArgumentException">A prefix is malformed or matches no layer with parameters.</exception>
    public void Unfreeze(params string[] layerPrefixes)
    {
        ArgumentNullException.ThrowIfNull(layerPrefixes);
        if (layerPrefixes.Length == 0)
        {
            Array.Clear(_frozen);
            FrozenChanged();
            return;
        }
        SetFrozen(layerPrefixes, frozen: false);
    }

    /// <summary>Whether a tensor is frozen by <see cref="Freeze"/>.</summary>
    /// <param name="info">A tensor of <see cref="Layout"/>.</param>
    /// <returns>True when it is kept out of training.</returns>
    public bool IsFrozen(ParameterInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return _byName.TryGetValue(info.Name, out var index) && _frozen[index];
    }

    private void SetFrozen(string[] layerPrefixes, bool frozen)
    {
        ArgumentNullException.ThrowIfNull(layerPrefixes);
        foreach (var prefix in layerPrefixes)
        {
            if (string.IsNullOrEmpty(prefix) || prefix[0] == '.' || prefix[^1] == '.' || prefix.Contains("..", StringComparison.Ordinal))
            {
                throw new ArgumentException($"'{prefix}' is not a layer path: expected dotted names such as 'conv1', 'layer1' or 'layer1.0.conv1'.", nameof(layerPrefixes));
            }
            if (!Matches(prefix))
            {
                throw new ArgumentException($"No layer with parameters is named '{prefix}' or nests under it.", nameof(layerPrefixes));
            }
        }
        foreach (var prefix in layerPrefixes)
        {
            for (var i = 0; i < _plan.Layout.Count; i++)
            {
                var info = _plan.Layout[i];
                if (!info.IsBuffer && LayerPath.IsUnder(info.Layer, prefix))
                {
                    _frozen[i] = frozen;
                }
            }
        }
        FrozenChanged();
    }

    private bool Matches(string prefix)
    {
        foreach (var info in _plan.Layout)
        {
            if (!info.IsBuffer && LayerPath.IsUnder(info.Layer, prefix))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Backward no longer writes frozen gradients, so they are zeroed here, once, in every worker's
    /// arena (the reduction sums them), and the per-step flags the generated backward reads are redone.
    /// </summary>
    private void FrozenChanged()
    {
        _trainedSteps.Update(_frozen);
        for (var i = 0; i < _frozen.Length; i++)
        {
            if (_frozen[i])
            {
                var info = _plan.Layout[i];
                foreach (var context in _contexts)
                {
                    context.Gradients.AsSpan(info.Offset, info.Length).Clear();
                }
            }
        }
    }
}
