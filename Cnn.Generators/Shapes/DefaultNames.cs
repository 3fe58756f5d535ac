using Cnn.Generators.Models;

namespace Cnn.Generators.Shapes;

/// <summary>
/// Default layer names: a lowercase prefix per kind plus the layer's 1-based index among the
/// layers with that prefix in its scope (<c>conv1</c>, <c>bn2</c>); a <c>Use&lt;T&gt;</c> takes
/// the block's class name in lower camel case (<c>stage1</c>).
/// </summary>
internal static class DefaultNames
{
    public static string Prefix(LayerSpec layer, InferenceContext context) => layer.Kind switch
    {
        LayerKind.Conv => "conv",
        LayerKind.ConvTranspose => "convt",
        LayerKind.MaxPool => "maxpool",
        LayerKind.AvgPool => "avgpool",
        LayerKind.GlobalAvgPool => "gap",
        LayerKind.BatchNorm => "bn",
        LayerKind.Dropout => "dropout",
        LayerKind.Flatten => "flatten",
        LayerKind.Dense => "dense",
        LayerKind.Residual => "res",
        LayerKind.Concat => "concat",
        LayerKind.Repeat => "repeat",
        LayerKind.Use => layer.Blocks.Count > 0 ? LowerCamelCase(context.BlockName(layer.Blocks[0])) : "use",
        _ => layer.Kind.ToString().ToLowerInvariant(),
    };

    /// <summary>The first letter lowercased: <c>Stage</c> → <c>stage</c>, <c>ResNetStage</c> → <c>resNetStage</c>.</summary>
    public static string LowerCamelCase(string name) =>
        name.Length == 0 ? "use" : char.ToLowerInvariant(name[0]) + name.Substring(1);
}
