using Microsoft.CodeAnalysis;

namespace Cnn.Generators.Parsing;

/// <summary>The attribute language's metadata names, as the generator finds them in a compilation.</summary>
internal static class DslNames
{
    public const string Namespace = "Cnn.Dsl";
    public const string NetworkAttribute = "Cnn.Dsl.NetworkAttribute";
    public const string BlockAttribute = "Cnn.Dsl.BlockAttribute";
    public const string LayerAttribute = "Cnn.Dsl.LayerAttribute";

    public static bool IsDslType(INamedTypeSymbol? type) =>
        type is { ContainingNamespace: { Name: "Dsl", ContainingNamespace: { Name: "Cnn", ContainingNamespace.IsGlobalNamespace: true } } };

    public static bool IsNetworkAttribute(AttributeData attribute) =>
        IsDslType(attribute.AttributeClass) && attribute.AttributeClass!.MetadataName == "NetworkAttribute";

    public static bool IsBlockAttribute(AttributeData attribute) =>
        IsDslType(attribute.AttributeClass) && attribute.AttributeClass!.MetadataName == "BlockAttribute";

    /// <summary>Whether an attribute is one of the language's layers (derives from LayerAttribute).</summary>
    public static bool IsLayerAttribute(AttributeData attribute)
    {
        for (var type = attribute.AttributeClass?.BaseType; type is not null; type = type.BaseType)
        {
            if (IsDslType(type) && type.MetadataName == "LayerAttribute")
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// A type's identity across the pipeline: its metadata name, namespace and containing types
    /// included (<c>Ns.Outer+Inner</c>), which <c>Compilation.GetTypeByMetadataName</c> understands.
    /// </summary>
    public static string IdOf(INamedTypeSymbol type)
    {
        var name = type.MetadataName;
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            name = outer.MetadataName + "+" + name;
        }
        var ns = type.ContainingNamespace;
        return ns is null || ns.IsGlobalNamespace ? name : ns.ToDisplayString() + "." + name;
    }
}
