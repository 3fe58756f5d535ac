namespace Cnn.Dsl;

/// <summary>
/// Placeholders for a block's arguments, so one <see cref="BlockAttribute">[Block]</see> serves
/// several widths or strides the way a function serves several values. Write a placeholder
/// wherever a layer inside a block takes an integer; each use of the block fills the
/// placeholders from its arguments, in order: <see cref="A"/> is the first, <see cref="B"/>
/// the second, and so on.
/// </summary>
/// <example>
/// <code>
/// [Block]
/// [Conv(Arg.A, 3, stride: Arg.B, pad: 1, bias: false), BatchNorm, Relu]
/// [Conv(Arg.A, 3, pad: 1, bias: false), BatchNorm]
/// public partial class Basic;
///
/// // in a network: 128 channels, stride 2
/// [Residual&lt;Basic, Projection&gt;(128, 2)]
/// </code>
/// </example>
/// <remarks>
/// A placeholder stands for the whole argument: <c>Arg.A * 4</c> is not a placeholder but a
/// negative number, and the layer reports it as an invalid argument. Pass the product as an
/// argument of its own instead. Inside a block, a placeholder may also be passed on to a
/// nested block: <c>[Use&lt;Inner&gt;(Arg.A)]</c>.
/// </remarks>
public static class Arg
{
    /// <summary>The first argument of the block's use.</summary>
    public const int A = First;

    /// <summary>The second argument of the block's use.</summary>
    public const int B = First - 1;

    /// <summary>The third argument of the block's use.</summary>
    public const int C = First - 2;

    /// <summary>The fourth argument of the block's use.</summary>
    public const int D = First - 3;

    /// <summary>The fifth argument of the block's use.</summary>
    public const int E = First - 4;

    /// <summary>The sixth argument of the block's use.</summary>
    public const int F = First - 5;

    /// <summary>The seventh argument of the block's use.</summary>
    public const int G = First - 6;

    /// <summary>The eighth argument of the block's use.</summary>
    public const int H = First - 7;

    /// <summary>How many placeholders there are.</summary>
    public const int Count = 8;

    /// <summary>
    /// The value of <see cref="A"/>; placeholder <c>i</c> (0-based) is <c>First - i</c>. No
    /// layer argument is ever this negative, so the values cannot be mistaken for sizes.
    /// </summary>
    public const int First = -1_000_001;
}
