using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Cnn.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Cnn.Generators.CodeFixes;

/// <summary>
/// CNN0008: adds <c>partial</c> to every declaration of the network class and of each type
/// containing it that lacks it (the generator completes the class inside the same nesting),
/// in whichever files those declarations are.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFix)), Shared]
public sealed class MakePartialCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.NotPartial);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            var declaration = root?.FindNode(diagnostic.Location.SourceSpan).AncestorsAndSelf().OfType<TypeDeclarationSyntax>().FirstOrDefault();
            if (declaration is null || model?.GetDeclaredSymbol(declaration, context.CancellationToken) is not INamedTypeSymbol type)
            {
                continue;
            }
            var title = type.ContainingType is null ? $"Make '{type.Name}' partial" : $"Make '{type.Name}' and its containing types partial";
            context.RegisterCodeFix(
                CodeAction.Create(title, ct => MakePartialAsync(context.Document.Project.Solution, type, ct), equivalenceKey: nameof(MakePartialCodeFix)),
                diagnostic);
        }
    }

    private static async Task<Solution> MakePartialAsync(Solution solution, INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var insertions = new Dictionary<DocumentId, List<TextChange>>();
        for (var current = type; current is not null; current = current.ContainingType)
        {
            foreach (var reference in current.DeclaringSyntaxReferences)
            {
                if (await reference.GetSyntaxAsync(cancellationToken).ConfigureAwait(false) is not TypeDeclarationSyntax declaration
                    || declaration.Modifiers.Any(SyntaxKind.PartialKeyword)
                    || solution.GetDocumentId(declaration.SyntaxTree) is not { } id)
                {
                    continue;
                }
                // C# wants partial immediately before the type keyword (class, struct, record, interface).
                var change = new TextChange(new TextSpan(declaration.Keyword.SpanStart, 0), "partial ");
                if (!insertions.TryGetValue(id, out var changes))
                {
                    insertions.Add(id, changes = new List<TextChange>());
                }
                changes.Add(change);
            }
        }
        foreach (var pair in insertions)
        {
            var text = await solution.GetDocument(pair.Key)!.GetTextAsync(cancellationToken).ConfigureAwait(false);
            solution = solution.WithDocumentText(pair.Key, text.WithChanges(pair.Value));
        }
        return solution;
    }
}
