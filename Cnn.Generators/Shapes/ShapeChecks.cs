using System;
using Cnn.Generators.Diagnostics;
using Cnn.Generators.Models;
using static System.FormattableString;

namespace Cnn.Generators.Shapes;

/// <summary>Shape problems shared by the windowed layers (convolutions and pooling): rank, empty output, dropped rows.</summary>
internal static class ShapeChecks
{
    /// <summary>CNN0003: a layer that needs C×H×W gets a vector.</summary>
    public static void NeedsMap(LayerSite site, Shape input, InferenceContext context) =>
        context.Report(DiagnosticIds.NeedsSpatial, site.At(),
            Invariant($"{site.Head(input)}: {site.Layer.Kind} needs channels × height × width but gets a vector of {input.C}; move it before Flatten"));

    /// <summary>CNN0001 for a window larger than the padded input.</summary>
    public static void WindowDoesNotFit(LayerSite site, Shape input, InferenceContext context, long height, long width, long window, long pad) =>
        context.Report(DiagnosticIds.NonPositiveOutput, site.At(),
            Invariant($"{site.Head(input)} gives {height}×{width} output: the {window}×{window} window is larger than the padded {input.H + 2 * pad}×{input.W + 2 * pad} input"));

    /// <summary>
    /// CNN0011 when the windows stop short of the input's bottom or right edge by more than the
    /// stride's normal gap (see <see cref="SpatialArithmetic.DropsRows"/>). The fix data is the
    /// smallest larger padding, up to <paramref name="maxPad"/>, that reads every row and column.
    /// </summary>
    /// <param name="outputSize">The layer's output size along one dimension for an input size and a padding.</param>
    public static void WarnIfDropping(
        LayerSite site, Shape input, Shape output, InferenceContext context,
        long window, long stride, long pad, long maxPad, Func<long, long, long> outputSize)
    {
        var rows = Dropped(input.H, output.H, window, stride, pad);
        var columns = Dropped(input.W, output.W, window, stride, pad);
        if (rows == 0 && columns == 0)
        {
            return;
        }
        var fix = PaddingThatReadsAll(input, window, stride, pad, maxPad, outputSize);
        var lost = rows == 0 ? Last(columns, "column")
            : columns == 0 ? Last(rows, "row")
            : rows == 1 && columns == 1 ? "the last row and column"
            : "the last " + LayerText.Plural(rows, "row") + " and " + LayerText.Plural(columns, "column");
        var message = Invariant($"{site.Head(input)} gives {output} and never reads {lost} of its input: its {window}×{window} windows at stride {stride} stop short of the edge")
            + (fix is { } p ? Invariant($"; pad: {p} keeps them") : "; change the padding, stride or input size to keep them");
        context.Report(DiagnosticIds.DropsInput, site.At(), message, fix is { } q ? Invariant($"pad={q}") : null);
    }

    /// <summary>Rows no window reads beyond the stride's normal gap, or 0.</summary>
    private static long Dropped(long input, long outputs, long window, long stride, long pad) =>
        SpatialArithmetic.DropsRows(input, window, stride, pad, outputs)
            ? SpatialArithmetic.UnreadTrailingRows(input, window, stride, pad, outputs)
            : 0;

    private static long? PaddingThatReadsAll(Shape input, long window, long stride, long pad, long maxPad, Func<long, long, long> outputSize)
    {
        // Beyond a few thousand candidates the layer is garbage anyway; stay fast for any int.
        var last = Math.Min(maxPad, pad + 4096);
        for (var candidate = pad + 1; candidate <= last; candidate++)
        {
            var height = outputSize(input.H, candidate);
            var width = outputSize(input.W, candidate);
            if (height > 0 && width > 0
                && Dropped(input.H, height, window, stride, candidate) == 0
                && Dropped(input.W, width, window, stride, candidate) == 0)
            {
                return candidate;
            }
        }
        return null;
    }

    private static string Last(long count, string noun) => count == 1 ? "the last " + noun : "the last " + LayerText.Plural(count, noun);
}
