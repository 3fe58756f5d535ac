namespace Cnn.Generators.Models;

/// <summary>
/// The result of shape inference: every layer with its shapes and costs, blocks expanded at
/// each use, or the problems that make the network invalid. The emitter and the analyzer
/// both read this; nothing else computes shapes.
/// </summary>
internal sealed record InferredNetwork(
    Shape Input,
    Shape Output,
    EquatableArray<LayerNode> Layers,
    EquatableArray<Problem> Problems)
{
    public bool HasErrors => Problems.HasErrors();
}

/// <summary>
/// One layer of an expanded network. Compositions (Residual, Concat, Repeat, Use) carry their
/// inner layers in <see cref="Paths"/>; every other kind has none.
/// </summary>
/// <param name="Kind">The layer kind.</param>
/// <param name="Name">The layer's own name in its scope (<c>conv1</c>, or the user's Name).</param>
/// <param name="Path">The dotted name from the network's root (<c>layer2.0.conv1</c>); the prefix of its parameters' names.</param>
/// <param name="Spec">The layer's arguments with placeholders substituted and pooling strides resolved.</param>
/// <param name="In">Incoming shape.</param>
/// <param name="Out">Outgoing shape.</param>
/// <param name="Parameters">Learned values (PyTorch's count: BatchNorm's γ and β, not its running statistics); for compositions, the sum of the inner layers.</param>
/// <param name="MultiplyAdds">Multiply-adds per sample of convolutions and dense layers (0 for the rest); for compositions, the sum.</param>
/// <param name="ReceptiveField">Side of the input square that one output value depends on.</param>
/// <param name="Jump">Distance in input pixels between neighbouring outputs (the product of strides so far).</param>
/// <param name="Paths">Inner sequences of a composition: Residual's body (scope "") and shortcut; Concat's branches; Repeat's copies; Use's body (scope "").</param>
internal sealed record LayerNode(
    LayerKind Kind,
    string Name,
    string Path,
    LayerSpec Spec,
    Shape In,
    Shape Out,
    long Parameters,
    long MultiplyAdds,
    int ReceptiveField,
    double Jump,
    EquatableArray<PathNode> Paths)
{
    /// <summary>Activation bytes per sample of the output, float32.</summary>
    public long ActivationBytes => Out.Elements * 4;
}

/// <summary>A named sequence of layers inside a composition.</summary>
/// <param name="Scope">The name segment the layers nest under ("" when they nest directly under the composition).</param>
/// <param name="Layers">The layers in order.</param>
internal sealed record PathNode(string Scope, EquatableArray<LayerNode> Layers);
