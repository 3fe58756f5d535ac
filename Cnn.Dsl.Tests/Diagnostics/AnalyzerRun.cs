using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Cnn.Dsl.Tests.Infrastructure;
using Cnn.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Cnn.Dsl.Tests.Diagnostics;

/// <summary>
/// Runs <see cref="NetworkAnalyzer"/> over real source, the way the compiler does, and turns each
/// diagnostic into plain values a test can compare: id, severity, message, and where it points.
/// (Microsoft.CodeAnalysis.*.Testing cannot be restored here; this is the part of it we need.)
/// </summary>
internal static class AnalyzerRun
{
    /// <summary>The CNN diagnostics of the given sources, in source order; fails on analyzer crashes (AD0001).</summary>
    public static IReadOnlyList<Reported> Cnn(params string[] sources) => Cnn(TestCompilation.Create(sources));

    /// <inheritdoc cref="Cnn(string[])"/>
    public static IReadOnlyList<Reported> Cnn(Compilation compilation) =>
        All(compilation).Where(d => d.Id.StartsWith("CNN", StringComparison.Ordinal)).Select(Reported.Of).ToList();

    /// <summary>Every analyzer diagnostic (CNN ids and analyzer failures), unsuppressed, in source order.</summary>
    public static ImmutableArray<Diagnostic> All(Compilation compilation)
    {
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: null,
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false,
            reportSuppressedDiagnostics: false);
        var diagnostics = compilation
            .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new NetworkAnalyzer()), options)
            .GetAnalyzerDiagnosticsAsync(CancellationToken.None)
            .GetAwaiter().GetResult();
        var crashes = diagnostics.Where(d => d.Id == "AD0001").Select(d => d.ToString()).ToList();
        Assert.True(crashes.Count == 0, "analyzer threw:\n" + string.Join("\n", crashes));
        return diagnostics
            .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ToImmutableArray();
    }

    /// <summary>The single CNN diagnostic of the sources (fails if there are none or several).</summary>
    public static Reported Single(params string[] sources)
    {
        var reported = Cnn(sources);
        Assert.True(reported.Count == 1, $"expected one CNN diagnostic, got {reported.Count}:\n" + string.Join("\n", reported));
        return reported[0];
    }
}

/// <summary>A place in a source file: 1-based line and column range, and the text it covers.</summary>
internal sealed record Place(string File, int Line, int Column, int EndLine, int EndColumn, string Text)
{
    public static Place Of(Location location)
    {
        var span = location.GetLineSpan();
        var text = location.SourceTree!.GetText().ToString(location.SourceSpan);
        return new Place(
            span.Path,
            span.StartLinePosition.Line + 1,
            span.StartLinePosition.Character + 1,
            span.EndLinePosition.Line + 1,
            span.EndLinePosition.Character + 1,
            text);
    }

    public override string ToString() => $"{File}({Line},{Column})-({EndLine},{EndColumn}) `{Text}`";
}

/// <summary>One diagnostic as values.</summary>
internal sealed record Reported(string Id, DiagnosticSeverity Severity, string Message, Place At, IReadOnlyList<Place> Additional, string? FixData)
{
    public static Reported Of(Diagnostic diagnostic) => new(
        diagnostic.Id,
        diagnostic.Severity,
        diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture),
        Place.Of(diagnostic.Location),
        diagnostic.AdditionalLocations.Select(Place.Of).ToList(),
        diagnostic.Properties.TryGetValue(NetworkAnalyzer.FixDataKey, out var fix) ? fix : null);

    public override string ToString() =>
        $"{Id} {Severity} {At}: {Message}" + string.Concat(Additional.Select(a => $" [also {a}]"));
}
