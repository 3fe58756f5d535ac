using System.Collections.Generic;
using Cnn.Generators.Models;

namespace Cnn.Generators.Emit;

/// <summary>Walks an expanded network in order: each layer, then (for a composition) its paths' layers one level deeper.</summary>
internal static class LayerWalk
{
    public static IEnumerable<(LayerNode Layer, int Depth)> All(EquatableArray<LayerNode> layers, int depth = 0)
    {
        foreach (var layer in layers)
        {
            yield return (layer, depth);
            foreach (var path in layer.Paths)
            {
                foreach (var inner in All(path.Layers, depth + 1))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>Whether a layer's output is a tensor of its own; Repeat's and Use's output is their last inner layer's.</summary>
    public static bool ProducesTensor(LayerNode layer) => layer.Kind is not (LayerKind.Repeat or LayerKind.Use);
}
