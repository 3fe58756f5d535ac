using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Cnn.Generators.Diagnostics;
using Cnn.Generators.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Cnn.Generators.Parsing;

/// <summary>
/// Turns a <c>[Network]</c> class symbol into a <see cref="NetworkSpec"/>: its input, its layers,
/// every block it reaches, and the declaration problems only symbols can show (not partial,
/// layers split over declarations, both [Network] and [Block]). Shared by the generator and
/// the analyzer; shapes are left to <c>ShapeInference</c>.
/// </summary>
internal static class NetworkParser
{
    public static NetworkSpec Parse(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var problems = new List<Problem>();
        var attributes = type.GetAttributes();
        var network = attributes.FirstOrDefault(DslNames.IsNetworkAttribute);
        var input = network?.AttributeConstructor is null
            ? new[] { 0, 0, 0 }
            : network.ConstructorArguments.Select(a => a.Value is int i ? i : 0).ToArray();
        var incomplete = network?.AttributeConstructor is null || input.Length != 3;

        if (attributes.Any(DslNames.IsBlockAttribute))
        {
            problems.Add(new Problem(DiagnosticIds.InvalidDeclaration, SpecLocation.Class(),
                $"'{type.Name}' is marked both [Network] and [Block]: a class is either a network or a reusable block"));
        }
        if (type.IsStatic)
        {
            problems.Add(new Problem(DiagnosticIds.InvalidDeclaration, SpecLocation.Class(),
                $"Network '{type.Name}' is static: a network has instances holding its weights"));
        }
        if (NotPartial(type) is { } notPartial)
        {
            problems.Add(new Problem(DiagnosticIds.NotPartial, SpecLocation.Class(),
                notPartial == type.Name
                    ? $"Network '{type.Name}' must be declared partial so the generator can complete it"
                    : $"Network '{type.Name}' is nested in '{notPartial}', which must be declared partial so the generator can complete it"));
        }

        var layers = ParseLayers(type, "", problems, ref incomplete);
        var blocks = ParseBlocks(type, problems, ref incomplete, cancellationToken);

        return new NetworkSpec(
            TypeSpecOf(type),
            input.ElementAtOrDefault(0),
            input.ElementAtOrDefault(1),
            input.ElementAtOrDefault(2),
            layers,
            blocks,
            problems.ToEquatableArray())
        {
            Incomplete = incomplete,
            InputAttributeIndex = network is null ? -1 : attributes.IndexOf(network),
        };
    }

    /// <summary>
    /// The layers of a network or block class in application order, with a problem when they
    /// are spread over more than one partial declaration (their order would then depend on
    /// file order).
    /// </summary>
    internal static EquatableArray<LayerSpec> ParseLayers(INamedTypeSymbol type, string blockId, List<Problem> problems, ref bool incomplete)
    {
        var layers = new List<LayerSpec>();
        SyntaxNode? firstDeclaration = null;
        var attributes = type.GetAttributes();
        for (var index = 0; index < attributes.Length; index++)
        {
            var attribute = attributes[index];
            if (!DslNames.IsLayerAttribute(attribute))
            {
                incomplete |= attribute.AttributeClass is null or { TypeKind: TypeKind.Error };
                continue;
            }
            var declaration = DeclarationOf(attribute);
            firstDeclaration ??= declaration;
            if (declaration is not null && declaration != firstDeclaration)
            {
                problems.Add(new Problem(DiagnosticIds.SplitDeclarations, new SpecLocation(blockId, index),
                    $"Layer attributes of '{type.Name}' are spread over several partial declarations; put them all on one, so their order is the order written"));
            }
            var layer = LayerParser.Parse(attribute, index);
            if (layer is null)
            {
                incomplete = true;
                continue;
            }
            layers.Add(layer);
        }
        return layers.ToEquatableArray();
    }

    /// <summary>Every class a composition reaches from <paramref name="network"/>, transitively, each once.</summary>
    private static EquatableArray<BlockSpec> ParseBlocks(INamedTypeSymbol network, List<Problem> problems, ref bool incomplete, CancellationToken cancellationToken)
    {
        var blocks = new List<BlockSpec>();
        var seen = new HashSet<string>();
        var pending = new Queue<INamedTypeSymbol>(BlockTypesOf(network));
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var block = pending.Dequeue();
            var id = DslNames.IdOf(block);
            if (!seen.Add(id))
            {
                continue;
            }
            var isBlock = block.GetAttributes().Any(DslNames.IsBlockAttribute);
            var layers = isBlock ? ParseLayers(block, id, problems, ref incomplete) : EquatableArray<LayerSpec>.Empty;
            blocks.Add(new BlockSpec(id, block.Name, isBlock, layers));
            if (isBlock)
            {
                foreach (var inner in BlockTypesOf(block))
                {
                    pending.Enqueue(inner);
                }
            }
        }
        return blocks.ToEquatableArray();
    }

    private static IEnumerable<INamedTypeSymbol> BlockTypesOf(INamedTypeSymbol type) =>
        type.GetAttributes().Where(DslNames.IsLayerAttribute).SelectMany(a => LayerParser.BlockTypes(a));

    private static SyntaxNode? DeclarationOf(AttributeData attribute) =>
        attribute.ApplicationSyntaxReference?.GetSyntax().Parent?.Parent as TypeDeclarationSyntax;

    /// <summary>The name of the first of the class and its containing types that has a non-partial declaration, or null.</summary>
    private static string? NotPartial(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
        {
            foreach (var reference in current.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax() is TypeDeclarationSyntax declaration
                    && !declaration.Modifiers.Any(m => m.ValueText == "partial"))
                {
                    return current.Name;
                }
            }
        }
        return null;
    }

    private static TypeSpec TypeSpecOf(INamedTypeSymbol type)
    {
        var containing = new List<string>();
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            containing.Insert(0, "partial " + KeywordOf(outer) + " " + outer.Name + TypeParametersOf(outer));
        }
        var ns = type.ContainingNamespace;
        return new TypeSpec(
            ns is null || ns.IsGlobalNamespace ? "" : ns.ToDisplayString(),
            type.Name,
            AccessibilityOf(type.DeclaredAccessibility),
            containing.ToEquatableArray(),
            NotPartial(type) is null,
            type.IsStatic);
    }

    private static string KeywordOf(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };

    private static string TypeParametersOf(INamedTypeSymbol type) =>
        type.TypeParameters.Length == 0 ? "" : "<" + string.Join(", ", type.TypeParameters.Select(p => p.Name)) + ">";

    private static string AccessibilityOf(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Public => "public",
        Accessibility.Internal => "internal",
        Accessibility.Private => "private",
        Accessibility.Protected => "protected",
        Accessibility.ProtectedOrInternal => "protected internal",
        Accessibility.ProtectedAndInternal => "private protected",
        _ => "internal",
    };
}
