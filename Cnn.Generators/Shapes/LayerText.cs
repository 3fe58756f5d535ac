using System.Globalization;
using System.Linq;
using Cnn.Generators.Models;
using static System.FormattableString;

namespace Cnn.Generators.Shapes;

/// <summary>How messages print a layer's arguments and numbers (invariant culture, always).</summary>
internal static class LayerText
{
    /// <summary>
    /// The arguments that decide a layer's shape, as messages print them after its label:
    /// <c> (5×5, stride 1, pad 0)</c>, <c> (Basic, shortcut Projection with 128, 2)</c>; empty for
    /// layers whose shape rule has no arguments.
    /// </summary>
    public static string Arguments(LayerSpec layer, InferenceContext context) => layer.Kind switch
    {
        LayerKind.Conv => Invariant($" ({layer.Kernel}×{layer.Kernel}, stride {layer.Stride}, pad {layer.Pad}")
            + (layer.Dilation != 1 ? Invariant($", dilation {layer.Dilation}") : "")
            + (layer.Groups != 1 ? Invariant($", groups {layer.Groups}") : "") + ")",
        LayerKind.ConvTranspose => Invariant($" ({layer.Kernel}×{layer.Kernel}, stride {layer.Stride}, pad {layer.Pad}")
            + (layer.OutputPad != 0 ? Invariant($", outputPad {layer.OutputPad}") : "") + ")",
        LayerKind.MaxPool or LayerKind.AvgPool => Invariant($" ({layer.Kernel}×{layer.Kernel}, stride {PoolStride(layer)}, pad {layer.Pad}")
            + (layer.CeilMode ? ", ceilMode" : "") + ")",
        LayerKind.Residual => " (" + BlockNames(layer, context, 0, 1)
            + (layer.Blocks.Count > 1 ? ", shortcut " + BlockNames(layer, context, 1, layer.Blocks.Count - 1) : "") + With(layer) + ")",
        LayerKind.Concat => " (" + BlockNames(layer, context, 0, layer.Blocks.Count) + With(layer) + ")",
        LayerKind.Repeat => " (" + Number(layer.Count) + " × " + BlockNames(layer, context, 0, layer.Blocks.Count) + With(layer) + ")",
        LayerKind.Use => " (" + BlockNames(layer, context, 0, layer.Blocks.Count) + With(layer) + ")",
        _ => "",
    };

    /// <summary>A pooling layer's stride, 0 meaning the window size as in PyTorch's <c>stride=None</c>.</summary>
    public static int PoolStride(LayerSpec layer) => layer.Stride == 0 ? layer.Kernel : layer.Stride;

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A count with thousands separators, <c>11,689,512</c>.</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary><c>1 row</c>, <c>2 rows</c>.</summary>
    public static string Plural(long count, string noun) => Number(count) + " " + noun + (count == 1 ? "" : "s");

    private static string BlockNames(LayerSpec layer, InferenceContext context, int start, int count) =>
        count <= 0 ? "no block" : string.Join(", ", layer.Blocks.Skip(start).Take(count).Select(context.BlockName));

    private static string With(LayerSpec layer) =>
        layer.Args.Count == 0 ? "" : " with " + string.Join(", ", layer.Args.Select(a => Number(a)));
}
