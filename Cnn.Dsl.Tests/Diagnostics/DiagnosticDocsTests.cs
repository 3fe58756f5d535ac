using System;
using System.IO;
using System.Linq;
using Cnn.Generators.Diagnostics;
using Microsoft.CodeAnalysis;

namespace Cnn.Dsl.Tests.Diagnostics;

/// <summary>Every descriptor is documented and release-tracked with its current title and severity.</summary>
public class DiagnosticDocsTests
{
    private static readonly string Root = RepositoryRoot.Path;

    [Fact]
    public void Every_id_has_a_section_and_a_table_row_in_docs_diagnostics()
    {
        var docs = File.ReadAllText(Path.Combine(Root, "docs", "diagnostics.md"));
        var headings = docs.Split('\n').Where(l => l.StartsWith("## CNN", StringComparison.Ordinal)).Select(l => l.Substring(3).Trim());

        Assert.Equal(Descriptors.All.Select(d => d.Id), headings);
        foreach (var descriptor in Descriptors.All)
        {
            var row = $"| [{descriptor.Id}](#{descriptor.Id.ToLowerInvariant()}) | {Severity(descriptor)} | {descriptor.Title} |";
            Assert.Contains(row, docs, StringComparison.Ordinal);
            Assert.Contains($"**{descriptor.Title}** ({Severity(descriptor)})", docs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_id_is_in_the_unshipped_release_with_its_category_severity_and_title()
    {
        var releases = File.ReadAllText(Path.Combine(Root, "Cnn.Generators", "AnalyzerReleases.Unshipped.md"));
        var rows = releases.Split('\n').Where(l => l.StartsWith("CNN", StringComparison.Ordinal)).Select(l => l.Trim());

        Assert.Equal(
            Descriptors.All.Select(d => $"{d.Id} | {d.Category} | {d.DefaultSeverity} | {d.Title}"),
            rows);
    }

    private static string Severity(DiagnosticDescriptor descriptor) =>
        descriptor.DefaultSeverity == DiagnosticSeverity.Warning ? "warning" : "error";
}
