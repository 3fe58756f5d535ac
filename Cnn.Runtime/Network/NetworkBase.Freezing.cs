using System;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Network;

public abstract partial class NetworkBase
{
    /// <summary>
    /// Freezes every parameter of the layers under the given prefixes (transfer learning): their
    /// gradients are zero after <see cref="Backward"/>, so no optimizer moves them. A prefix names a
    /// layer or a scope: <c>layer1</c> freezes <c>layer1.0.conv1.weight</c> but not <c>layer10.…</c>.
    /// BatchNorm running statistics of frozen layers still update in training mode, as in PyTorch.
    /// </summary>
    /// <param name="layerPrefixes">Layer paths or scope prefixes.</param>
    /// <exception cref="ArgumentException">A prefix matches no layer with parameters.</exception>
    public void Freeze(params string[] layerPrefixes)
    {
        ArgumentNullException.ThrowIfNull(layerPrefixes);
        foreach (var prefix in layerPrefixes)
        {
            var matched = false;
            for (var i = 0; i < _plan.Layout.Count; i++)
            {
                var info = _plan.Layout[i];
                if (!info.IsBuffer && LayerPath.IsUnder(info.Layer, prefix))
                {
                    _frozen[i] = true;
                    matched = true;
                }
            }
            if (!matched)
            {
                throw new ArgumentException($"No layer with parameters is named '{prefix}' or nests under it.", nameof(layerPrefixes));
            }
        }
    }

    /// <summary>Unfreezes every parameter.</summary>
    public void Unfreeze() => Array.Clear(_frozen);

    /// <summary>Whether a parameter is frozen by <see cref="Freeze"/>.</summary>
    /// <param name="info">A tensor of <see cref="Layout"/>.</param>
    /// <returns>True when its gradient is held at zero.</returns>
    public bool IsFrozen(ParameterInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var index = IndexOf(info);
        return index >= 0 && _frozen[index];
    }

    private int IndexOf(ParameterInfo info)
    {
        for (var i = 0; i < _plan.Layout.Count; i++)
        {
            if (_plan.Layout[i].Name == info.Name)
            {
                return i;
            }
        }
        return -1;
    }
}
