using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Cnn.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Cnn.Generators.CodeFixes;

/// <summary>
/// CNN0002: a Dense gets C×H×W. Inserts <c>Flatten</c> right before it, in the same attribute
/// list (<c>[Conv(16, 5), Dense(10)]</c> becomes <c>[Conv(16, 5), Flatten, Dense(10)]</c>), written
/// the way the Dense is written (<c>Cnn.Dsl.Dense</c> gives <c>Cnn.Dsl.Flatten</c>).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InsertFlattenCodeFix)), Shared]
public sealed class InsertFlattenCodeFix : CodeFixProvider
{
    private const string Title = "Insert Flatten before this layer";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.NeedsFlatten);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            if (await LayerAttributeSyntax.FindAsync(context.Document.Project.Solution, diagnostic, context.CancellationToken).ConfigureAwait(false) is not { } found)
            {
                continue;
            }
            context.RegisterCodeFix(
                CodeAction.Create(Title, ct => InsertAsync(found.Document, found.Attribute, ct), equivalenceKey: nameof(InsertFlattenCodeFix)),
                diagnostic);
        }
    }

    private static async Task<Solution> InsertAsync(Document document, AttributeSyntax layer, CancellationToken cancellationToken)
    {
        var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
        var insertion = new TextChange(new TextSpan(layer.SpanStart, 0), FlattenNamedLike(layer.Name) + ", ");
        return document.WithText(text.WithChanges(insertion)).Project.Solution;
    }

    /// <summary>The layer's name with its last identifier replaced by Flatten, keeping any qualifier and the Attribute suffix.</summary>
    private static string FlattenNamedLike(NameSyntax name)
    {
        SimpleNameSyntax last = name switch
        {
            QualifiedNameSyntax qualified => qualified.Right,
            AliasQualifiedNameSyntax alias => alias.Name,
            _ => (SimpleNameSyntax)name,
        };
        var prefix = name.ToString().Substring(0, last.SpanStart - name.SpanStart);
        return prefix + (last.Identifier.ValueText.EndsWith("Attribute", System.StringComparison.Ordinal) ? "FlattenAttribute" : "Flatten");
    }
}
