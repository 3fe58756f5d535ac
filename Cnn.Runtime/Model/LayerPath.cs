using System;

namespace Cnn.Runtime.Model;

/// <summary>Dotted layer paths (<c>layer1.0.conv1</c>), as <see cref="ParameterInfo.Layer"/> holds them.</summary>
public static class LayerPath
{
    /// <summary>
    /// Whether <paramref name="layer"/> is <paramref name="prefix"/> or nests under it by whole
    /// segments: <c>layer1</c> covers <c>layer1.0.conv1</c> but not <c>layer10</c>. Allocation-free.
    /// </summary>
    /// <param name="layer">A layer's dotted path.</param>
    /// <param name="prefix">A layer path or scope.</param>
    /// <returns>True when the layer is under the prefix.</returns>
    public static bool IsUnder(string layer, string prefix) =>
        layer.StartsWith(prefix, StringComparison.Ordinal) && (layer.Length == prefix.Length || layer[prefix.Length] == '.');
}
