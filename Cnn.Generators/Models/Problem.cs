using Cnn.Generators.Diagnostics;

namespace Cnn.Generators.Models;

/// <summary>
/// Something wrong with a network, found by the parser or by shape inference, with a finished
/// message. The analyzer turns it into a diagnostic; the generator emits nothing for a
/// network with any error.
/// </summary>
/// <param name="Id">The diagnostic id (<c>CNN0001</c>…), see <c>Diagnostics/DiagnosticIds</c>.</param>
/// <param name="At">Where it belongs.</param>
/// <param name="Message">The whole message, naming layer kind, index, incoming shape and rule.</param>
/// <param name="FixData">What a code fix needs (for example the padding that keeps the size), or null.</param>
internal sealed record Problem(string Id, SpecLocation At, string Message, string? FixData = null)
{
    public bool IsWarning => DiagnosticIds.IsWarning(Id);
}

/// <summary>
/// A place in the user's source, as data: an attribute of the network class (<see cref="BlockId"/>
/// empty) or of a block class, and optionally one of its arguments by parameter name. For a
/// problem inside a block, <see cref="UseSite"/> points at the attribute of the network that
/// instantiated it (outermost), which is where the problem is reported.
/// </summary>
internal sealed record SpecLocation(string BlockId, int AttributeIndex, string? Argument = null)
{
    /// <summary>The class declaration itself rather than one of its attributes.</summary>
    public static SpecLocation Class(string blockId = "") => new(blockId, -1);

    /// <summary>The outermost attribute of the network through which the problem was reached, if any.</summary>
    public SpecLocation? UseSite { get; init; }

    public bool IsClass => AttributeIndex < 0;
}

internal static class ProblemExtensions
{
    public static bool HasErrors(this EquatableArray<Problem> problems)
    {
        foreach (var problem in problems)
        {
            if (!problem.IsWarning)
            {
                return true;
            }
        }
        return false;
    }
}
