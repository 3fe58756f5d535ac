using System;

namespace Cnn.Generators.Models;

/// <summary>
/// One layer attribute as written, before shapes: the kind and its arguments. Integer
/// arguments may still be <c>Arg</c> placeholders (see <see cref="Placeholders"/>); shape
/// inference substitutes them at each use of a block. Fields a kind does not use keep their
/// defaults. <see cref="AttributeIndex"/> is the attribute's position in the declaring class's
/// attribute list, so the analyzer can find its syntax again.
/// </summary>
internal sealed record LayerSpec(LayerKind Kind, int AttributeIndex)
{
    /// <summary>The user's <c>Name = "…"</c>, or null for the default name.</summary>
    public string? Name { get; init; }

    /// <summary>Output channels of Conv and ConvTranspose.</summary>
    public int Filters { get; init; }

    /// <summary>Output values of Dense.</summary>
    public int Units { get; init; }

    /// <summary>Kernel size of Conv and ConvTranspose; window size of MaxPool and AvgPool.</summary>
    public int Kernel { get; init; }

    /// <summary>Stride; for pooling, 0 means the window size (resolved by shape inference).</summary>
    public int Stride { get; init; } = 1;

    public int Pad { get; init; }

    public int Dilation { get; init; } = 1;

    public int Groups { get; init; } = 1;

    public int OutputPad { get; init; }

    public bool Bias { get; init; } = true;

    public bool CeilMode { get; init; }

    public double Eps { get; init; } = 1e-5;

    public double Momentum { get; init; } = 0.1;

    /// <summary>Dropout rate.</summary>
    public double Rate { get; init; } = 0.5;

    /// <summary>LeakyRelu's negative slope.</summary>
    public double Slope { get; init; } = 0.01;

    /// <summary>Elu's alpha.</summary>
    public double Alpha { get; init; } = 1.0;

    /// <summary>Repeat's count.</summary>
    public int Count { get; init; }

    /// <summary>
    /// The block classes a composition refers to, by <see cref="BlockSpec.Id"/>: Residual's body
    /// then optional shortcut, Concat's branches in order, Repeat's and Use's single block.
    /// </summary>
    public EquatableArray<string> Blocks { get; init; } = EquatableArray<string>.Empty;

    /// <summary>The values a composition passes to its blocks' placeholders (may be placeholders themselves).</summary>
    public EquatableArray<int> Args { get; init; } = EquatableArray<int>.Empty;

    /// <summary>Residual's scope name for the shortcut's layers, or null for <c>shortcut</c>.</summary>
    public string? ShortcutName { get; init; }
}

/// <summary>The placeholder encoding of <c>Cnn.Dsl.Arg</c>, mirrored here because the generator cannot reference the attribute assembly.</summary>
internal static class Placeholders
{
    public const int First = -1_000_001;
    public const int Count = 8;

    public static bool IsPlaceholder(int value) => value <= First && value > First - Count;

    /// <summary>0-based index of a placeholder value.</summary>
    public static int IndexOf(int value) => First - value;

    /// <summary>The letter a user writes for placeholder <paramref name="index"/>: <c>Arg.A</c> for 0.</summary>
    public static string Letter(int index) => ((char)('A' + index)).ToString();
}
