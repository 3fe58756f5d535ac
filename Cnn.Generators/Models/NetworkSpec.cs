namespace Cnn.Generators.Models;

/// <summary>
/// A network class as parsed: where it lives, its input shape, its layers in source order,
/// every block it reaches (transitively), and the problems the parser already found.
/// Holds no symbols, syntax or locations, so it is cacheable and equal by value.
/// </summary>
internal sealed record NetworkSpec(
    TypeSpec Type,
    int Channels,
    int Height,
    int Width,
    EquatableArray<LayerSpec> Layers,
    EquatableArray<BlockSpec> Blocks,
    EquatableArray<Problem> Problems)
{
    /// <summary>
    /// Some attribute did not bind (a compile error the compiler already reports, such as a
    /// missing argument or an unknown block type): the layer list is not known, so nothing is
    /// inferred or emitted until it binds.
    /// </summary>
    public bool Incomplete { get; init; }

    /// <summary>Position of <c>[Network(c, h, w)]</c> in the class's attribute list (where input problems are reported), or -1 when unknown.</summary>
    public int InputAttributeIndex { get; init; } = -1;

    public BlockSpec? FindBlock(string id)
    {
        foreach (var block in Blocks)
        {
            if (block.Id == id)
            {
                return block;
            }
        }
        return null;
    }
}

/// <summary>A <c>[Block]</c> class: its identity, the name users see, and its layers.</summary>
/// <param name="Id">The class's fully qualified metadata name, unique in the compilation.</param>
/// <param name="Name">The class's simple name, as written in messages and default scope names.</param>
/// <param name="IsBlock">Whether the class carries <c>[Block]</c>; a composition naming any other class is an error.</param>
internal sealed record BlockSpec(string Id, string Name, bool IsBlock, EquatableArray<LayerSpec> Layers);

/// <summary>Where the generated partial class goes, and what the user's declaration allows.</summary>
/// <param name="Namespace">The containing namespace, or empty for the global namespace.</param>
/// <param name="Name">The class name.</param>
/// <param name="Accessibility">The accessibility keyword(s) as C# writes them (<c>public</c>, <c>internal</c>, …).</param>
/// <param name="ContainingTypes">Enclosing types outermost first, each as its declaration header (<c>partial class Outer</c>).</param>
/// <param name="IsPartial">Whether every declaration of the class is partial.</param>
/// <param name="IsStatic">Whether the class is static (a network needs instances).</param>
internal sealed record TypeSpec(
    string Namespace,
    string Name,
    string Accessibility,
    EquatableArray<string> ContainingTypes,
    bool IsPartial,
    bool IsStatic)
{
    public string FullName => Namespace.Length == 0 ? Name : Namespace + "." + Name;

    /// <summary>A file name unique per class, nested classes included (<c>Ns.Outer.Net.g.cs</c>).</summary>
    public string HintName
    {
        get
        {
            var name = Name;
            for (var i = ContainingTypes.Count - 1; i >= 0; i--)
            {
                var header = ContainingTypes[i];
                var end = header.IndexOf('<');
                header = end < 0 ? header : header.Substring(0, end);
                name = header.Substring(header.LastIndexOf(' ') + 1) + "." + name;
            }
            return (Namespace.Length == 0 ? name : Namespace + "." + name) + ".g.cs";
        }
    }
}
