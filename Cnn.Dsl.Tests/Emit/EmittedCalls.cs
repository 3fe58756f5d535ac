using System.Text.RegularExpressions;
using Cnn.Dsl.Tests.Infrastructure;

namespace Cnn.Dsl.Tests.Emit;

/// <summary>The generated source of one network, and how often it calls a <c>LayerOps</c> method: what the fusion tests read.</summary>
internal static class EmittedCalls
{
    /// <summary>Runs the generator on <paramref name="network"/> (with <c>using Cnn.Dsl;</c>) and returns its one source, asserting no exception and no error.</summary>
    public static string Generate(string network)
    {
        var run = GeneratorHarness.Run("using Cnn.Dsl;\n" + network);
        Assert.Null(run.Exception);
        Assert.True(run.Errors.Count == 0, string.Join("\n", run.Errors));
        return run.SingleSource;
    }

    /// <summary>Calls of <c>LayerOps.<paramref name="method"/></c> (that exact name) in <paramref name="source"/>.</summary>
    public static int Calls(string source, string method) =>
        Regex.Matches(source, $@"LayerOps\.{method}\(context").Count;
}
