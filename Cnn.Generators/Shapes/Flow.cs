using System;
using Cnn.Generators.Models;

namespace Cnn.Generators.Shapes;

/// <summary>
/// What passes from one layer to the next during inference: the shape (null once an error
/// makes it unknown; later layers then check only their arguments and names), the
/// receptive-field state, and a Softmax still waiting to see whether anything follows it.
/// </summary>
/// <param name="Shape">The incoming shape, or null when an earlier problem left it unknown.</param>
/// <param name="Field">Receptive field side in input pixels (fractional after a transposed convolution).</param>
/// <param name="Jump">Distance in input pixels between neighbouring values.</param>
/// <param name="Extent">For a vector, the side of the map it was flattened from (a following Dense sees all of it); 1 otherwise.</param>
/// <param name="Softmax">The last Softmax, until another layer follows it.</param>
internal readonly record struct Flow(Shape? Shape, double Field, double Jump, int Extent, SoftmaxMark? Softmax)
{
    public static Flow Start(Shape input) => new(input, 1, 1, 1, null);

    public Flow Unknown => this with { Shape = null };

    /// <summary>The flow after a window of <paramref name="window"/> pixels at <paramref name="stride"/>: <c>rf += (k − 1)·jump</c>, <c>jump *= stride</c>.</summary>
    public Flow Windowed(Shape output, double window, double stride) =>
        this with { Shape = output, Field = Field + (window - 1) * Jump, Jump = Jump * stride, Extent = 1 };

    /// <summary>Receptive field as <see cref="LayerNode.ReceptiveField"/> stores it: rounded up, at most <see cref="int.MaxValue"/>.</summary>
    public int FieldSide => Field >= int.MaxValue || double.IsNaN(Field) ? int.MaxValue : (int)Math.Ceiling(Field);
}

/// <summary>A Softmax layer that nothing has followed yet: where it is, and how messages name it.</summary>
internal sealed record SoftmaxMark(SpecLocation At, string Label);

/// <summary>What a layer rule returns: the flow after the layer, the spec as resolved, its costs and its inner paths.</summary>
internal readonly record struct LayerResult(Flow Flow, LayerSpec Spec, long Parameters, long MultiplyAdds, EquatableArray<PathNode> Paths)
{
    /// <summary>A layer whose output is unknown because of a problem already reported.</summary>
    public static LayerResult Failed(Flow flow, LayerSpec spec) => new(flow.Unknown, spec, 0, 0, EquatableArray<PathNode>.Empty);

    /// <summary>A layer without parameters or inner paths.</summary>
    public static LayerResult Simple(Flow flow, LayerSpec spec) => new(flow, spec, 0, 0, EquatableArray<PathNode>.Empty);
}
