using Cnn.Generators.Models;

namespace Cnn.Generators.Shapes;

/// <summary>
/// One layer being inferred: its spec (placeholders substituted once they are), its position in
/// its class's layer list, the block use that reached it (null in the network itself), and
/// its dotted path. Knows where its problems belong and how messages name it.
/// </summary>
/// <param name="Layer">The layer's spec.</param>
/// <param name="Index">0-based position in the declaring class's layer list (messages print it 1-based).</param>
/// <param name="Use">The block expansion this layer belongs to, or null for a layer of the network.</param>
/// <param name="Path">The layer's dotted path from the network (its composition's path when it has no scope of its own).</param>
/// <param name="Context">The inference run, for the block names messages print.</param>
internal sealed record LayerSite(LayerSpec Layer, int Index, BlockUse? Use, string Path, InferenceContext Context)
{
    /// <summary>The arguments as messages print them, <c> (3×3, stride 1, pad 1)</c>, or empty; built only for a message.</summary>
    public string Arguments => LayerText.Arguments(Layer, Context);

    /// <summary><c>Conv #4</c>.</summary>
    public string Label => Layer.Kind + " #" + (Index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Where a block's layer sits, <c> in block Basic at layer2.0.conv1</c>; empty in the network.</summary>
    public string Where => Use is null ? "" : Path.Length == 0 ? " in block " + Use.Block.Name : " in block " + Use.Block.Name + " at " + Path;

    /// <summary>The layer as a message names it: <c>Conv #1 in block Basic at layer2.0.conv1</c>.</summary>
    public string Name => Label + Where;

    /// <summary>The start of a message: <c>Conv #4 (5×5, stride 1, pad 0) on 16×4×4</c>.</summary>
    public string Head(Shape? input) => Label + Arguments + Where + (input is { } shape ? " on " + shape : "");

    /// <summary>The attribute, or one of its arguments by constructor parameter name; inside a block, with the network's use site.</summary>
    public SpecLocation At(string? argument = null) =>
        new(Use?.Block.Id ?? "", Layer.AttributeIndex, argument) { UseSite = Use?.UseSite };

    public bool IsComposition => Layer.Kind is LayerKind.Residual or LayerKind.Concat or LayerKind.Repeat or LayerKind.Use;

    /// <summary>A composition with <c>Name = ""</c>: its inner layers nest directly in the enclosing scope.</summary>
    public bool IsTransparent => IsComposition && Layer.Name is { Length: 0 };
}

/// <summary>One expansion of a block: which block, the values bound to its placeholders, and who expanded it.</summary>
/// <param name="Block">The block.</param>
/// <param name="Args">Placeholder values, already resolved (Arg.A is <c>Args[0]</c>).</param>
/// <param name="UseSite">The network's attribute through which this expansion was reached (outermost).</param>
/// <param name="Caller">The composition that expanded the block.</param>
internal sealed record BlockUse(BlockSpec Block, EquatableArray<int> Args, SpecLocation UseSite, LayerSite Caller);
