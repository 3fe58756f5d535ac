using System.Collections.Generic;
using System.Linq;
using Cnn.Generators.Models;
using Cnn.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Cnn.Generators.Diagnostics;

/// <summary>
/// Maps a <see cref="SpecLocation"/> (a class, one of its attributes, one argument) back to
/// source, through the network's symbol and the block classes it reaches.
/// </summary>
internal sealed class LocationResolver
{
    private readonly INamedTypeSymbol _network;
    private readonly Dictionary<string, INamedTypeSymbol> _blocks = new();

    public LocationResolver(INamedTypeSymbol network)
    {
        _network = network;
        var pending = new Queue<INamedTypeSymbol>(new[] { network });
        while (pending.Count > 0)
        {
            var type = pending.Dequeue();
            foreach (var inner in type.GetAttributes().Where(DslNames.IsLayerAttribute).SelectMany(a => LayerParser.BlockTypes(a)))
            {
                var id = DslNames.IdOf(inner);
                if (!_blocks.ContainsKey(id))
                {
                    _blocks.Add(id, inner);
                    pending.Enqueue(inner);
                }
            }
        }
    }

    /// <summary>
    /// Where to report: the place itself when it is in the network, else the network attribute
    /// that reached it (<see cref="SpecLocation.UseSite"/>), with the place inside the block as
    /// an additional location.
    /// </summary>
    public (Location Primary, IEnumerable<Location> Additional) Resolve(SpecLocation at)
    {
        var place = Find(at);
        if (at.BlockId.Length == 0 || at.UseSite is null)
        {
            return (place, Enumerable.Empty<Location>());
        }
        return (Find(at.UseSite), new[] { place });
    }

    private Location Find(SpecLocation at)
    {
        var type = at.BlockId.Length == 0 ? _network : _blocks.TryGetValue(at.BlockId, out var block) ? block : _network;
        if (at.IsClass)
        {
            return type.Locations.FirstOrDefault() ?? Location.None;
        }
        var attributes = type.GetAttributes();
        if (at.AttributeIndex >= attributes.Length
            || attributes[at.AttributeIndex].ApplicationSyntaxReference?.GetSyntax() is not AttributeSyntax syntax)
        {
            return type.Locations.FirstOrDefault() ?? Location.None;
        }
        var argument = at.Argument is null ? null : FindArgument(syntax, attributes[at.AttributeIndex], at.Argument);
        return (argument ?? (SyntaxNode)syntax).GetLocation();
    }

    /// <summary>The argument written for a parameter, by name or by position; null when it was left at its default.</summary>
    private static AttributeArgumentSyntax? FindArgument(AttributeSyntax syntax, AttributeData attribute, string parameter)
    {
        var arguments = syntax.ArgumentList?.Arguments;
        if (arguments is null)
        {
            return null;
        }
        var named = arguments.Value.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == parameter);
        if (named is not null)
        {
            return named;
        }
        var parameters = attribute.AttributeConstructor?.Parameters ?? default;
        var ordinal = parameters.IsDefault ? -1 : parameters.IndexOf(parameters.FirstOrDefault(p => p.Name == parameter)!);
        var positional = arguments.Value.TakeWhile(a => a.NameColon is null && a.NameEquals is null).ToList();
        return ordinal >= 0 && ordinal < positional.Count ? positional[ordinal] : null;
    }
}
