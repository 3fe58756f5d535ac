using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
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
/// CNN0011: a stride or pooling window drops the last rows and columns. Writes the padding that
/// keeps them, which shape inference computed and passed as the diagnostic's fix data: it
/// replaces the <c>pad</c> argument when it is written as a number, or adds <c>pad: N</c> after
/// the constructor arguments. No fix is offered when <c>pad</c> is a block placeholder or
/// another expression, since a literal there would change every use of the block.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(KeepRowsPaddingCodeFix)), Shared]
public sealed class KeepRowsPaddingCodeFix : CodeFixProvider
{
    private const string Parameter = "pad";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.DropsInput);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            if (PaddingOf(diagnostic) is not { } pad
                || await LayerAttributeSyntax.FindAsync(context.Document.Project.Solution, diagnostic, context.CancellationToken).ConfigureAwait(false) is not { } found)
            {
                continue;
            }
            var model = await found.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            if (model?.GetSymbolInfo(found.Attribute, context.CancellationToken).Symbol is not IMethodSymbol constructor
                || constructor.Parameters.All(p => p.Name != Parameter)
                || Edit(found.Attribute, constructor, pad) is not { } edit)
            {
                continue;
            }
            var title = $"Pad with {pad.ToString(CultureInfo.InvariantCulture)} so no input row or column is dropped";
            context.RegisterCodeFix(
                CodeAction.Create(title, ct => ApplyAsync(found.Document, edit, ct), equivalenceKey: nameof(KeepRowsPaddingCodeFix)),
                diagnostic);
        }
    }

    /// <summary>
    /// The padding in the fix data: <c>pad=N</c> (or just <c>N</c>), possibly among other
    /// <c>key=value</c> pairs separated by <c>;</c>.
    /// </summary>
    internal static int? PaddingOf(Diagnostic diagnostic)
    {
        if (!diagnostic.Properties.TryGetValue(NetworkAnalyzer.FixDataKey, out var data) || data is null)
        {
            return null;
        }
        foreach (var part in data.Split(';'))
        {
            var pair = part.Split('=');
            var value = pair.Length == 2 && pair[0].Trim() == Parameter ? pair[1] : pair.Length == 1 ? pair[0] : null;
            if (value is not null && int.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pad) && pad >= 0)
            {
                return pad;
            }
        }
        return null;
    }

    /// <summary>The text change that makes the attribute's pad <paramref name="pad"/>, or null when pad is not written as a number.</summary>
    private static TextChange? Edit(AttributeSyntax attribute, IMethodSymbol constructor, int pad)
    {
        var value = pad.ToString(CultureInfo.InvariantCulture);
        var arguments = attribute.ArgumentList?.Arguments ?? default;
        var written = WrittenArgument(arguments, constructor.Parameters.IndexOf(constructor.Parameters.First(p => p.Name == Parameter)));
        if (written is not null)
        {
            return IsNumber(written.Expression) ? new TextChange(written.Expression.Span, value) : null;
        }
        if (attribute.ArgumentList is null)
        {
            return new TextChange(new TextSpan(attribute.Name.Span.End, 0), $"({Parameter}: {value})");
        }
        // Property assignments (Name = "…") must follow the constructor's arguments.
        var lastConstructorArgument = arguments.LastOrDefault(a => a.NameEquals is null);
        return lastConstructorArgument is not null
            ? new TextChange(new TextSpan(lastConstructorArgument.Span.End, 0), $", {Parameter}: {value}")
            : new TextChange(new TextSpan(attribute.ArgumentList.OpenParenToken.Span.End, 0), arguments.Count == 0 ? $"{Parameter}: {value}" : $"{Parameter}: {value}, ");
    }

    /// <summary>The argument given for the parameter at <paramref name="ordinal"/>: by name, or by position among the leading positional arguments.</summary>
    private static AttributeArgumentSyntax? WrittenArgument(SeparatedSyntaxList<AttributeArgumentSyntax> arguments, int ordinal)
    {
        var named = arguments.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == Parameter);
        if (named is not null)
        {
            return named;
        }
        var positional = arguments.TakeWhile(a => a.NameColon is null && a.NameEquals is null).ToList();
        return ordinal < positional.Count ? positional[ordinal] : null;
    }

    private static bool IsNumber(ExpressionSyntax expression) => expression switch
    {
        LiteralExpressionSyntax literal => literal.IsKind(SyntaxKind.NumericLiteralExpression),
        PrefixUnaryExpressionSyntax { Operand: LiteralExpressionSyntax operand } unary => unary.IsKind(SyntaxKind.UnaryMinusExpression) && operand.IsKind(SyntaxKind.NumericLiteralExpression),
        ParenthesizedExpressionSyntax parenthesized => IsNumber(parenthesized.Expression),
        _ => false,
    };

    private static async Task<Solution> ApplyAsync(Document document, TextChange edit, CancellationToken cancellationToken)
    {
        var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
        return document.WithText(text.WithChanges(edit)).Project.Solution;
    }
}
