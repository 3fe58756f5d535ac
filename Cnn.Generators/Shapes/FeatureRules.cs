using System;
using Cnn.Generators.Diagnostics;
using Cnn.Generators.Models;
using static Cnn.Generators.Shapes.SpatialArithmetic;
using static System.FormattableString;

namespace Cnn.Generators.Shapes;

/// <summary>
/// The layers that do not slide a window: BatchNorm, Dropout, Flatten, Dense and the
/// activations. Arguments that do not change the shape (eps, rate, slope…) are reported
/// without stopping inference, so later layers are still checked.
/// </summary>
internal static class FeatureRules
{
    /// <summary>
    /// <c>nn.BatchNorm2d</c> on a map (γ and β per channel); on a vector, <c>nn.BatchNorm1d</c>
    /// (γ and β per value).
    /// </summary>
    public static LayerResult BatchNorm(LayerSite site, Flow flow, InferenceContext context)
    {
        var layer = site.Layer;
        if (!(layer.Eps > 0) || double.IsInfinity(layer.Eps))
        {
            ArgumentChecks.Invalid(site, flow.Shape, context, "eps", "eps must be a positive finite number, not " + LayerText.Number(layer.Eps));
        }
        if (!(layer.Momentum >= 0 && layer.Momentum <= 1))
        {
            ArgumentChecks.Invalid(site, flow.Shape, context, "momentum", "momentum must be in [0, 1], not " + LayerText.Number(layer.Momentum));
        }
        return flow.Shape is { } x
            ? new LayerResult(flow, layer, Multiply(2, x.C), 0, EquatableArray<PathNode>.Empty)
            : LayerResult.Failed(flow, layer);
    }

    public static LayerResult Dropout(LayerSite site, Flow flow, InferenceContext context)
    {
        var rate = site.Layer.Rate;
        if (!(rate >= 0 && rate < 1))
        {
            ArgumentChecks.Invalid(site, flow.Shape, context, "rate", "rate must be in [0, 1), not " + LayerText.Number(rate));
        }
        return LayerResult.Simple(flow, site.Layer);
    }

    /// <summary>C×H×W → a vector of C·H·W values; on a vector, CNN0003 and the vector passes through unchanged.</summary>
    public static LayerResult Flatten(LayerSite site, Flow flow, InferenceContext context)
    {
        if (flow.Shape is not { } x)
        {
            return LayerResult.Failed(flow, site.Layer);
        }
        if (x.IsVector)
        {
            context.Report(DiagnosticIds.NeedsSpatial, site.At(),
                Invariant($"{site.Head(x)}: Flatten needs channels × height × width but its input is already a vector of {x.C}; remove this Flatten"));
            return LayerResult.Simple(flow, site.Layer);
        }
        // Every shape that inference produces (the input included) has fewer than 2³¹ values.
        var output = flow with { Shape = Shape.Vector((int)x.Elements), Extent = Math.Max(x.H, x.W) };
        return LayerResult.Simple(output, site.Layer);
    }

    /// <summary>
    /// <c>nn.Linear</c> on a vector, or on a C×1×1 map (after GlobalAvgPool, as Keras' Dense on
    /// pooled features). On a larger map, CNN0002 with the fix <c>Flatten</c>; inference then
    /// goes on as if Flatten were there, since the output is <c>units</c> either way.
    /// </summary>
    public static LayerResult Dense(LayerSite site, Flow flow, InferenceContext context)
    {
        var layer = site.Layer;
        var valid = ArgumentChecks.AtLeast(site, flow.Shape, context, "units", layer.Units, 1);
        if (flow.Shape is not { } x || !valid)
        {
            return LayerResult.Failed(flow, layer);
        }
        var extent = flow.Extent;
        if (!x.IsVector && (x.H != 1 || x.W != 1))
        {
            context.Report(DiagnosticIds.NeedsFlatten, site.At(),
                Invariant($"{site.Name} needs a vector but gets {x}: insert Flatten before it"), "Flatten");
            extent = Math.Max(x.H, x.W);
        }
        var weights = Multiply(x.Elements, layer.Units);
        if (!ArgumentChecks.WeightsFit(site, x, context, weights))
        {
            return LayerResult.Failed(flow, layer);
        }
        // A dense layer sees every position of the map its vector came from.
        var output = flow with
        {
            Shape = Shape.Vector(layer.Units),
            Field = flow.Field + (extent - 1) * flow.Jump,
            Jump = flow.Jump * extent,
            Extent = 1,
        };
        return new LayerResult(output, layer, Add(weights, layer.Bias ? layer.Units : 0), weights, EquatableArray<PathNode>.Empty);
    }

    /// <summary>Elementwise activations keep the shape, maps and vectors alike; LeakyRelu's slope and Elu's alpha must be finite.</summary>
    public static LayerResult Activation(LayerSite site, Flow flow, InferenceContext context)
    {
        var layer = site.Layer;
        if (layer.Kind == LayerKind.LeakyRelu)
        {
            ArgumentChecks.Finite(site, flow.Shape, context, "slope", layer.Slope);
        }
        if (layer.Kind == LayerKind.Elu)
        {
            ArgumentChecks.Finite(site, flow.Shape, context, "alpha", layer.Alpha);
        }
        return LayerResult.Simple(flow, layer);
    }

    /// <summary>
    /// Softmax over channels (<c>nn.Softmax(dim=1)</c>) keeps the shape; it is remembered until
    /// another layer follows it (CNN0012), since the loss applies softmax itself.
    /// </summary>
    public static LayerResult Softmax(LayerSite site, Flow flow) =>
        LayerResult.Simple(flow with { Softmax = new SoftmaxMark(site.At(), site.Name) }, site.Layer);
}
