using System.Linq;
using Cnn.Generators.Diagnostics;
using Cnn.Generators.Models;
using static System.FormattableString;

namespace Cnn.Generators.Shapes;

/// <summary>
/// Substitutes <c>Arg.A</c>… placeholders in a layer's integer arguments with the values its
/// block's use passed (a composition's own <c>args</c> included, so placeholders pass through
/// nested blocks). A placeholder with no value is CNN0014: in the network itself, or beyond
/// the arguments the use passed.
/// </summary>
internal static class PlaceholderBinding
{
    /// <summary>The layer with every placeholder replaced, or null (after reporting) when one has no value.</summary>
    public static LayerSpec? Bind(LayerSite site, InferenceContext context)
    {
        var layer = site.Layer;
        var bound = true;

        int Value(int value, string parameter)
        {
            if (!Placeholders.IsPlaceholder(value))
            {
                return value;
            }
            var index = Placeholders.IndexOf(value);
            if (site.Use is { } use && index < use.Args.Count)
            {
                return use.Args[index];
            }
            bound = false;
            var letter = "Arg." + Placeholders.Letter(index);
            context.Report(DiagnosticIds.MissingBlockArgument, site.At(parameter), site.Use is { } caller
                ? Invariant($"{site.Name} uses {letter} for {parameter}, but {caller.Caller.Label}{caller.Caller.Arguments}{caller.Caller.Where} passes {LayerText.Plural(caller.Args.Count, "argument")}: pass at least {index + 1}")
                : Invariant($"{site.Name} uses {letter} for {parameter}, but placeholders only have values inside a [Block]: write the value itself"));
            return value;
        }

        var result = layer with
        {
            Filters = Value(layer.Filters, "filters"),
            Units = Value(layer.Units, "units"),
            Kernel = Value(layer.Kernel, layer.Kind is LayerKind.MaxPool or LayerKind.AvgPool ? "size" : "kernel"),
            Stride = Value(layer.Stride, "stride"),
            Pad = Value(layer.Pad, "pad"),
            Dilation = Value(layer.Dilation, "dilation"),
            Groups = Value(layer.Groups, "groups"),
            OutputPad = Value(layer.OutputPad, "outputPad"),
            Count = Value(layer.Count, "count"),
            Args = layer.Args.Select(a => Value(a, "args")).ToEquatableArray(),
        };
        return bound ? result : null;
    }
}
