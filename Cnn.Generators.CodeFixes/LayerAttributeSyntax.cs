using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Cnn.Generators.CodeFixes;

/// <summary>The layer attribute a diagnostic is about, wherever it is written.</summary>
internal static class LayerAttributeSyntax
{
    /// <summary>
    /// The attribute of the layer itself: for a problem inside a block the analyzer reports at the
    /// network's use-site attribute and gives the block's attribute as the first additional
    /// location, which is the one to edit; otherwise the diagnostic's own location. Null when that
    /// place is not an attribute in this solution.
    /// </summary>
    public static async Task<(Document Document, AttributeSyntax Attribute)?> FindAsync(Solution solution, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var location = diagnostic.AdditionalLocations.FirstOrDefault(l => l.IsInSource) ?? diagnostic.Location;
        if (location.SourceTree is not { } tree || solution.GetDocument(tree) is not { } document)
        {
            return null;
        }
        var root = await tree.GetRootAsync(cancellationToken).ConfigureAwait(false);
        var attribute = root.FindNode(location.SourceSpan, getInnermostNodeForTie: true)
            .AncestorsAndSelf()
            .OfType<AttributeSyntax>()
            .FirstOrDefault();
        return attribute is null ? null : (document, attribute);
    }
}
