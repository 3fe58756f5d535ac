using System.Collections.Generic;
using Cnn.Generators.Diagnostics;
using Cnn.Generators.Models;
using static System.FormattableString;

namespace Cnn.Generators.Shapes;

/// <summary>
/// Infers one layer list (the network's, or a block's at one use) in order: names each layer in
/// its scope, binds placeholders, applies the layer's rule, and records a
/// <see cref="LayerNode"/> for every layer whose shapes are known.
/// </summary>
internal static class SequenceInference
{
    /// <summary>Infers <paramref name="layers"/> from <paramref name="flow"/>, appending known layers to <paramref name="output"/>; returns the flow after the last one.</summary>
    public static Flow Run(IReadOnlyList<LayerSpec> layers, BlockUse? use, Scope scope, Flow flow, List<LayerNode> output, InferenceContext context)
    {
        for (var index = 0; index < layers.Count; index++)
        {
            var layer = layers[index];
            var (name, path) = Name(layer, index, use, scope, context);
            var declared = new LayerSite(layer, index, use, path, context);
            if (!context.Spend(declared))
            {
                return flow.Unknown;
            }
            var bound = PlaceholderBinding.Bind(declared, context);
            var site = bound is null ? declared : declared with { Layer = bound };
            if (name.Length > 0 && scope.Claim(name, site) is { } previous)
            {
                ReportDuplicate(site.At(layer.Name is null ? null : "Name"), site.Name, previous, name, scope, context);
            }
            if (flow.Softmax is { } softmax)
            {
                ReportSoftmax(softmax, site.Name, context);
                flow = flow with { Softmax = null };
            }

            var result = bound is null ? LayerResult.Failed(flow, site.Layer) : Apply(site, flow, scope, context);
            if (flow.Shape is { } input && result.Flow.Shape is { } shape)
            {
                output.Add(new LayerNode(layer.Kind, name, path, result.Spec, input, shape,
                    result.Parameters, result.MultiplyAdds, result.Flow.FieldSide, result.Flow.Jump, result.Paths));
            }
            flow = result.Flow;
        }
        return flow;
    }

    /// <summary>CNN0016: two layers (or a layer and a composition's part) take one name in one scope.</summary>
    public static void ReportDuplicate(SpecLocation at, string owner, string previous, string name, Scope scope, InferenceContext context) =>
        context.Report(DiagnosticIds.DuplicateName, at, owner == previous
            ? $"{owner} takes the name '{name}' {scope.Description} a second time (its block is used twice there): their parameters would collide; give one use a Name"
            : $"{owner} and {previous} both take the name '{name}' {scope.Description}: their parameters would collide; give one of them another Name");

    /// <summary>CNN0012 at a Softmax that something follows.</summary>
    public static void ReportSoftmax(SoftmaxMark softmax, string follower, InferenceContext context) =>
        context.Report(DiagnosticIds.SoftmaxBeforeLoss, softmax.At,
            $"{softmax.Label} is followed by {follower}: training applies softmax inside the cross-entropy loss, so only a last Softmax is right (it is left out of training and shapes the inference output); move it to the end or remove it");

    private static LayerResult Apply(LayerSite site, Flow flow, Scope scope, InferenceContext context) => site.Layer.Kind switch
    {
        LayerKind.Conv => ConvolutionRules.Conv(site, flow, context),
        LayerKind.ConvTranspose => ConvolutionRules.Transposed(site, flow, context),
        LayerKind.MaxPool or LayerKind.AvgPool => PoolingRules.Pool(site, flow, context),
        LayerKind.GlobalAvgPool => PoolingRules.Global(site, flow, context),
        LayerKind.BatchNorm => FeatureRules.BatchNorm(site, flow, context),
        LayerKind.Dropout => FeatureRules.Dropout(site, flow, context),
        LayerKind.Flatten => FeatureRules.Flatten(site, flow, context),
        LayerKind.Dense => FeatureRules.Dense(site, flow, context),
        LayerKind.Softmax => FeatureRules.Softmax(site, flow),
        LayerKind.Residual => CompositionRules.Residual(site, flow, scope, context),
        LayerKind.Concat => CompositionRules.Concat(site, flow, scope, context),
        LayerKind.Repeat => CompositionRules.Repeat(site, flow, scope, context),
        LayerKind.Use => CompositionRules.Use(site, flow, scope, context),
        _ => FeatureRules.Activation(site, flow, context),
    };

    /// <summary>
    /// The layer's name and path. Every layer advances its prefix's counter, named or not, so
    /// default names are positional; a composition with <c>Name = ""</c> has no name of its own
    /// and the enclosing scope's path. An empty name on any other layer is CNN0004.
    /// </summary>
    private static (string Name, string Path) Name(LayerSpec layer, int index, BlockUse? use, Scope scope, InferenceContext context)
    {
        var fallback = scope.NextDefault(DefaultNames.Prefix(layer, context));
        var site = new LayerSite(layer, index, use, scope.Path, context);
        if (site.IsTransparent)
        {
            return ("", scope.Path);
        }
        if (layer.Name is { Length: 0 })
        {
            ArgumentChecks.Invalid(site, null, context, "Name",
                Invariant($"Name must not be empty (only a composition can have Name = \"\", to nest its layers in the enclosing scope); it is {fallback} by default"));
        }
        var name = string.IsNullOrEmpty(layer.Name) ? fallback : layer.Name!;
        return (name, scope.PathOf(name));
    }
}
