namespace Cnn.Generators.Diagnostics;

/// <summary>
/// The analyzer's ids. They are the product's public surface: never renumber one, never reuse
/// a retired one; document each in the README and in AnalyzerReleases.Unshipped.md.
/// </summary>
internal static class DiagnosticIds
{
    /// <summary>A layer's output would have a zero or negative size.</summary>
    public const string NonPositiveOutput = "CNN0001";

    /// <summary>A layer that needs a vector (Dense) gets C×H×W: insert Flatten.</summary>
    public const string NeedsFlatten = "CNN0002";

    /// <summary>A layer that needs C×H×W (convolution, pooling, Flatten) gets a vector.</summary>
    public const string NeedsSpatial = "CNN0003";

    /// <summary>
    /// An argument outside its valid range (kernel, stride, filters ≤ 0, pad &lt; 0, rate outside [0,1), groups not dividing channels,
    /// outputPad ≥ stride, pooling pad above half the window, Repeat count &lt; 1, an empty Name on a layer that is not a composition…),
    /// a network input ≤ 0, or sizes too large for an int-indexed array.
    /// </summary>
    public const string InvalidArgument = "CNN0004";

    /// <summary>A residual's body (or shortcut) does not produce its input's shape.</summary>
    public const string ResidualMismatch = "CNN0005";

    /// <summary>Concat branches whose spatial sizes (or ranks) disagree.</summary>
    public const string ConcatMismatch = "CNN0006";

    /// <summary>
    /// A block that uses itself, directly or through other blocks; also blocks nested more than 64 deep, or a network
    /// expanding to more than 100,000 layers and block uses (so inference always ends).
    /// </summary>
    public const string BlockCycle = "CNN0007";

    /// <summary>A network class, or a type containing it, that is not partial (blocks need not be: nothing is generated for them).</summary>
    public const string NotPartial = "CNN0008";

    /// <summary>Layer attributes on a class with neither [Network] nor [Block].</summary>
    public const string MissingNetwork = "CNN0009";

    /// <summary>Layer attributes spread over several partial declarations.</summary>
    public const string SplitDeclarations = "CNN0010";

    /// <summary>A stride or pooling window silently drops input rows or columns.</summary>
    public const string DropsInput = "CNN0011";

    /// <summary>A Softmax that is not the last layer, so the loss would apply softmax again.</summary>
    public const string SoftmaxBeforeLoss = "CNN0012";

    /// <summary>A composition names a class that is not a [Block].</summary>
    public const string NotABlock = "CNN0013";

    /// <summary>A block placeholder (Arg.A…) without a value: outside a block, or a use passing too few arguments.</summary>
    public const string MissingBlockArgument = "CNN0014";

    /// <summary>A class with both [Network] and [Block], or a network with a shape that cannot be one.</summary>
    public const string InvalidDeclaration = "CNN0015";

    /// <summary>Two layers in one scope with the same name (their parameters would collide in the state_dict).</summary>
    public const string DuplicateName = "CNN0016";

    public static bool IsWarning(string id) => id is DropsInput or SoftmaxBeforeLoss;
}
