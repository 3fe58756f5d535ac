using Cnn.Runtime.Model;

namespace Cnn.Runtime.Summary;

/// <summary>One layer of a network's summary, as the generator computed it at compile time.</summary>
/// <param name="Name">The layer's dotted path (<c>layer2.0.conv1</c>), the prefix of its parameters' state_dict names.</param>
/// <param name="Kind">The layer's kind as written in the DSL (<c>Conv</c>, <c>Residual&lt;Basic, Projection&gt;</c>).</param>
/// <param name="Output">The per-sample output shape.</param>
/// <param name="Parameters">Learned values; for a composition, those of its inner layers.</param>
/// <param name="MultiplyAdds">Multiply-adds per sample (convolutions and dense layers); for a composition, its inner layers'.</param>
/// <param name="ReceptiveField">Side, in input pixels, of the square one output value depends on.</param>
/// <param name="ActivationBytes">Bytes of the per-sample output (float32).</param>
/// <param name="Depth">Nesting depth: 0 for the network's own layers, 1 for a composition's inner layers, and so on.</param>
public sealed record LayerSummary(
    string Name,
    string Kind,
    TensorShape Output,
    long Parameters,
    long MultiplyAdds,
    int ReceptiveField,
    long ActivationBytes,
    int Depth);
