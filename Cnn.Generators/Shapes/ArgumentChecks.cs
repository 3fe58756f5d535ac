using Cnn.Generators.Diagnostics;
using Cnn.Generators.Models;
using static System.FormattableString;

namespace Cnn.Generators.Shapes;

/// <summary>CNN0004 checks shared by the layer rules; each reports at the offending argument and says whether it passed.</summary>
internal static class ArgumentChecks
{
    public static bool AtLeast(LayerSite site, Shape? input, InferenceContext context, string parameter, long value, long minimum)
    {
        if (value >= minimum)
        {
            return true;
        }
        Invalid(site, input, context, parameter, Invariant($"{parameter} must be at least {minimum}, not {value}"));
        return false;
    }

    public static bool Finite(LayerSite site, Shape? input, InferenceContext context, string parameter, double value)
    {
        if (!double.IsNaN(value) && !double.IsInfinity(value))
        {
            return true;
        }
        Invalid(site, input, context, parameter, parameter + " must be a finite number, not " + LayerText.Number(value));
        return false;
    }

    /// <summary>Reports <c>{head}: {rule}</c> at <paramref name="parameter"/> (the whole attribute when null).</summary>
    public static void Invalid(LayerSite site, Shape? input, InferenceContext context, string? parameter, string rule) =>
        context.Report(DiagnosticIds.InvalidArgument, site.At(parameter), site.Head(input) + ": " + rule);

    /// <summary>
    /// Whether an output of <paramref name="channels"/>×<paramref name="height"/>×<paramref name="width"/>
    /// values fits the runtime's int-indexed arrays; reports CNN0004 when it does not.
    /// </summary>
    public static bool Fits(LayerSite site, Shape input, InferenceContext context, long channels, long height, long width)
    {
        var values = SpatialArithmetic.Multiply(channels, height, width);
        if (values <= int.MaxValue)
        {
            return true;
        }
        var size = values == long.MaxValue ? "more than " + LayerText.Count(long.MaxValue) : LayerText.Count(values);
        Invalid(site, input, context, null,
            Invariant($"it gives {channels}×{height}×{width} = {size} values per sample, more than an array holds ({LayerText.Count(int.MaxValue)})"));
        return false;
    }

    /// <summary>Whether a layer's <paramref name="weights"/> fit one int-indexed array; reports CNN0004 when they do not.</summary>
    public static bool WeightsFit(LayerSite site, Shape input, InferenceContext context, long weights)
    {
        if (weights <= int.MaxValue)
        {
            return true;
        }
        var size = weights == long.MaxValue ? "more than " + LayerText.Count(long.MaxValue) : LayerText.Count(weights);
        Invalid(site, input, context, null, Invariant($"it has {size} weights, more than an array holds ({LayerText.Count(int.MaxValue)})"));
        return false;
    }
}
