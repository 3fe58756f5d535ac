using System.Linq;
using Cnn.Generators.Models;
using Microsoft.CodeAnalysis;

namespace Cnn.Generators.Parsing;

/// <summary>
/// Reads a bound attribute's constructor arguments by parameter name (the compiler has already
/// filled in defaults for omitted optional parameters) and its named property arguments.
/// </summary>
internal readonly struct Arguments
{
    private readonly AttributeData _attribute;

    public Arguments(AttributeData attribute) => _attribute = attribute;

    public int Int(string parameter, int fallback = 0) =>
        Find(parameter) is { Kind: TypedConstantKind.Primitive, Value: int value } ? value : fallback;

    public double Double(string parameter, double fallback) => Find(parameter) switch
    {
        { Kind: TypedConstantKind.Primitive, Value: double value } => value,
        { Kind: TypedConstantKind.Primitive, Value: float value } => value,
        { Kind: TypedConstantKind.Primitive, Value: int value } => value,
        _ => fallback,
    };

    public bool Bool(string parameter, bool fallback) =>
        Find(parameter) is { Kind: TypedConstantKind.Primitive, Value: bool value } ? value : fallback;

    public EquatableArray<int> Ints(string parameter) =>
        Find(parameter) is { Kind: TypedConstantKind.Array, IsNull: false } array
            ? array.Values.Select(v => v.Value is int i ? i : 0).ToEquatableArray()
            : EquatableArray<int>.Empty;

    public string? NamedString(string property)
    {
        foreach (var pair in _attribute.NamedArguments)
        {
            if (pair.Key == property)
            {
                return pair.Value.Value as string;
            }
        }
        return null;
    }

    private TypedConstant? Find(string parameter)
    {
        var parameters = _attribute.AttributeConstructor!.Parameters;
        var values = _attribute.ConstructorArguments;
        for (var i = 0; i < parameters.Length && i < values.Length; i++)
        {
            if (parameters[i].Name == parameter)
            {
                return values[i];
            }
        }
        return null;
    }
}
