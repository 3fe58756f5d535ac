using System.Collections.Generic;
using System.Globalization;

namespace Cnn.Generators.Shapes;

/// <summary>
/// A name scope (the network's root, a composition's inside, a Repeat copy): default-name
/// counters and the names already taken. Compositions with <c>Name = ""</c> share their
/// enclosing scope, so their layers continue its counters and collide with its names.
/// </summary>
internal sealed class Scope
{
    private readonly Dictionary<string, int> _counts = new();
    private readonly Dictionary<string, (LayerSite Owner, string? Part)> _owners = new();

    public Scope(string path) => Path = path;

    /// <summary>The dotted path of the scope ("" for the network's root).</summary>
    public string Path { get; }

    /// <summary>Messages' words for the scope: <c>in 'layer1.0'</c> or <c>at the top level</c>.</summary>
    public string Description => Path.Length == 0 ? "at the top level" : "in '" + Path + "'";

    public string PathOf(string segment) => Path.Length == 0 ? segment : segment.Length == 0 ? Path : Path + "." + segment;

    /// <summary>The next 1-based index for a default-name prefix (<c>conv</c> → 1, 2, …).</summary>
    public string NextDefault(string prefix)
    {
        _counts.TryGetValue(prefix, out var count);
        _counts[prefix] = ++count;
        return prefix + count.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Takes <paramref name="name"/> for a layer, or for a part of a composition (its shortcut,
    /// a branch, a copy); when it was already taken, returns the earlier owner as messages name it.
    /// </summary>
    public string? Claim(string name, LayerSite owner, string? part = null)
    {
        if (_owners.TryGetValue(name, out var previous))
        {
            return Describe(previous.Owner, previous.Part);
        }
        _owners.Add(name, (owner, part));
        return null;
    }

    /// <summary><c>Conv #3 in block Basic at layer1.0.conv3</c>, or <c>copy 0 of Repeat #2</c>.</summary>
    public static string Describe(LayerSite owner, string? part) => part is null ? owner.Name : part + " of " + owner.Name;
}
