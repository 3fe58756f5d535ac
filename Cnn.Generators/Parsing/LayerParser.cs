using System.Collections.Immutable;
using System.Linq;
using Cnn.Generators.Models;
using Microsoft.CodeAnalysis;

namespace Cnn.Generators.Parsing;

/// <summary>Turns one bound layer attribute into a <see cref="LayerSpec"/>.</summary>
internal static class LayerParser
{
    /// <summary>
    /// The layer an attribute describes, or null when it did not bind (the compiler reports why)
    /// or is a layer kind this generator does not know.
    /// </summary>
    public static LayerSpec? Parse(AttributeData attribute, int attributeIndex)
    {
        var type = attribute.AttributeClass;
        if (type is null || attribute.AttributeConstructor is null || type.TypeArguments.Any(t => t.TypeKind == TypeKind.Error))
        {
            return null;
        }
        var args = new Arguments(attribute);
        var layer = type.Name switch
        {
            "ConvAttribute" => new LayerSpec(LayerKind.Conv, attributeIndex)
            {
                Filters = args.Int("filters"),
                Kernel = args.Int("kernel"),
                Stride = args.Int("stride", 1),
                Pad = args.Int("pad"),
                Dilation = args.Int("dilation", 1),
                Groups = args.Int("groups", 1),
                Bias = args.Bool("bias", true),
            },
            "ConvTransposeAttribute" => new LayerSpec(LayerKind.ConvTranspose, attributeIndex)
            {
                Filters = args.Int("filters"),
                Kernel = args.Int("kernel"),
                Stride = args.Int("stride", 1),
                Pad = args.Int("pad"),
                OutputPad = args.Int("outputPad"),
                Bias = args.Bool("bias", true),
            },
            "MaxPoolAttribute" => Pool(LayerKind.MaxPool, attributeIndex, args),
            "AvgPoolAttribute" => Pool(LayerKind.AvgPool, attributeIndex, args),
            "GlobalAvgPoolAttribute" => new LayerSpec(LayerKind.GlobalAvgPool, attributeIndex),
            "BatchNormAttribute" => new LayerSpec(LayerKind.BatchNorm, attributeIndex)
            {
                Eps = args.Double("eps", 1e-5),
                Momentum = args.Double("momentum", 0.1),
            },
            "DropoutAttribute" => new LayerSpec(LayerKind.Dropout, attributeIndex) { Rate = args.Double("rate", 0.5) },
            "FlattenAttribute" => new LayerSpec(LayerKind.Flatten, attributeIndex),
            "DenseAttribute" => new LayerSpec(LayerKind.Dense, attributeIndex)
            {
                Units = args.Int("units"),
                Bias = args.Bool("bias", true),
            },
            "ReluAttribute" => new LayerSpec(LayerKind.Relu, attributeIndex),
            "LeakyReluAttribute" => new LayerSpec(LayerKind.LeakyRelu, attributeIndex) { Slope = args.Double("slope", 0.01) },
            "EluAttribute" => new LayerSpec(LayerKind.Elu, attributeIndex) { Alpha = args.Double("alpha", 1.0) },
            "TanhAttribute" => new LayerSpec(LayerKind.Tanh, attributeIndex),
            "SigmoidAttribute" => new LayerSpec(LayerKind.Sigmoid, attributeIndex),
            "GeluAttribute" => new LayerSpec(LayerKind.Gelu, attributeIndex),
            "SoftmaxAttribute" => new LayerSpec(LayerKind.Softmax, attributeIndex),
            "ResidualAttribute" => Composite(LayerKind.Residual, attributeIndex, type, args) with { ShortcutName = args.NamedString("ShortcutName") },
            "ConcatAttribute" => Composite(LayerKind.Concat, attributeIndex, type, args),
            "RepeatAttribute" => Composite(LayerKind.Repeat, attributeIndex, type, args) with { Count = args.Int("count") },
            "UseAttribute" => Composite(LayerKind.Use, attributeIndex, type, args),
            _ => null,
        };
        return layer is null ? null : layer with { Name = args.NamedString("Name") };
    }

    /// <summary>The block classes a composition names, in type-argument order.</summary>
    public static ImmutableArray<INamedTypeSymbol> BlockTypes(AttributeData attribute) =>
        attribute.AttributeClass is { IsGenericType: true } type
            ? type.TypeArguments.OfType<INamedTypeSymbol>().ToImmutableArray()
            : ImmutableArray<INamedTypeSymbol>.Empty;

    private static LayerSpec Pool(LayerKind kind, int attributeIndex, Arguments args) => new(kind, attributeIndex)
    {
        Kernel = args.Int("size"),
        Stride = args.Int("stride"),
        Pad = args.Int("pad"),
        CeilMode = args.Bool("ceilMode", false),
    };

    private static LayerSpec Composite(LayerKind kind, int attributeIndex, INamedTypeSymbol type, Arguments args) => new(kind, attributeIndex)
    {
        Blocks = type.TypeArguments.OfType<INamedTypeSymbol>().Select(DslNames.IdOf).ToEquatableArray(),
        Args = args.Ints("args"),
    };
}
