namespace Cnn.Generators;

/// <summary>
/// Names of the incremental pipeline's steps, so tests can read each step's outputs and check
/// that an unrelated edit leaves them cached.
/// </summary>
internal static class TrackingNames
{
    /// <summary>Each <c>[Network]</c> class parsed into a <see cref="Models.NetworkSpec"/> (null when not generated from this declaration).</summary>
    public const string Parse = nameof(Parse);

    /// <summary>Parsed networks whose attributes all bind (the others wait until they compile).</summary>
    public const string Complete = nameof(Complete);

    /// <summary>Each complete network with its inferred shapes.</summary>
    public const string Infer = nameof(Infer);

    /// <summary>Networks without errors, the ones that get code.</summary>
    public const string Valid = nameof(Valid);

    /// <summary>The generated file of each valid network.</summary>
    public const string Emit = nameof(Emit);
}
