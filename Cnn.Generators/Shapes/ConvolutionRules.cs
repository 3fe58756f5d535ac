using System;
using Cnn.Generators.Diagnostics;
using Cnn.Generators.Models;
using static Cnn.Generators.Shapes.SpatialArithmetic;
using static System.FormattableString;

namespace Cnn.Generators.Shapes;

/// <summary>Conv (<c>nn.Conv2d</c>) and ConvTranspose (<c>nn.ConvTranspose2d</c>): argument checks, output size, costs, receptive field.</summary>
internal static class ConvolutionRules
{
    public static LayerResult Conv(LayerSite site, Flow flow, InferenceContext context)
    {
        var layer = site.Layer;
        var input = flow.Shape;
        var valid = ArgumentChecks.AtLeast(site, input, context, "filters", layer.Filters, 1);
        valid &= ArgumentChecks.AtLeast(site, input, context, "kernel", layer.Kernel, 1);
        valid &= ArgumentChecks.AtLeast(site, input, context, "stride", layer.Stride, 1);
        valid &= ArgumentChecks.AtLeast(site, input, context, "pad", layer.Pad, 0);
        valid &= ArgumentChecks.AtLeast(site, input, context, "dilation", layer.Dilation, 1);
        valid &= ArgumentChecks.AtLeast(site, input, context, "groups", layer.Groups, 1);
        if (input is not { } x)
        {
            return LayerResult.Failed(flow, layer);
        }
        if (x.IsVector)
        {
            ShapeChecks.NeedsMap(site, x, context);
            return LayerResult.Failed(flow, layer);
        }
        if (layer.Groups > 0 && x.C % layer.Groups != 0)
        {
            ArgumentChecks.Invalid(site, x, context, "groups", Invariant($"groups {layer.Groups} must divide the {x.C} input channels"));
            valid = false;
        }
        if (layer.Groups > 0 && layer.Filters > 0 && layer.Filters % layer.Groups != 0)
        {
            ArgumentChecks.Invalid(site, x, context, "groups", Invariant($"groups {layer.Groups} must divide the {layer.Filters} filters"));
            valid = false;
        }
        if (!valid)
        {
            return LayerResult.Failed(flow, layer);
        }

        var window = EffectiveKernel(layer.Kernel, layer.Dilation);
        var height = ConvOutput(x.H, layer.Kernel, layer.Stride, layer.Pad, layer.Dilation);
        var width = ConvOutput(x.W, layer.Kernel, layer.Stride, layer.Pad, layer.Dilation);
        if (height <= 0 || width <= 0)
        {
            ShapeChecks.WindowDoesNotFit(site, x, context, height, width, window, layer.Pad);
            return LayerResult.Failed(flow, layer);
        }
        var weights = Multiply(layer.Filters, x.C / layer.Groups, layer.Kernel, layer.Kernel);
        if (!ArgumentChecks.Fits(site, x, context, layer.Filters, height, width) || !ArgumentChecks.WeightsFit(site, x, context, weights))
        {
            return LayerResult.Failed(flow, layer);
        }
        var output = Shape.Map(layer.Filters, (int)height, (int)width);
        ShapeChecks.WarnIfDropping(site, x, output, context, window, layer.Stride, layer.Pad, window - 1,
            (size, pad) => ConvOutput(size, layer.Kernel, layer.Stride, pad, layer.Dilation));
        return new LayerResult(
            flow.Windowed(output, window, layer.Stride),
            layer,
            Add(weights, layer.Bias ? layer.Filters : 0),
            Multiply(weights, height, width),
            EquatableArray<PathNode>.Empty);
    }

    public static LayerResult Transposed(LayerSite site, Flow flow, InferenceContext context)
    {
        var layer = site.Layer;
        var input = flow.Shape;
        var valid = ArgumentChecks.AtLeast(site, input, context, "filters", layer.Filters, 1);
        valid &= ArgumentChecks.AtLeast(site, input, context, "kernel", layer.Kernel, 1);
        valid &= ArgumentChecks.AtLeast(site, input, context, "stride", layer.Stride, 1);
        valid &= ArgumentChecks.AtLeast(site, input, context, "pad", layer.Pad, 0);
        valid &= ArgumentChecks.AtLeast(site, input, context, "outputPad", layer.OutputPad, 0);
        if (layer.Stride >= 1 && layer.OutputPad >= layer.Stride)
        {
            // PyTorch: "output padding must be smaller than either stride or dilation" (dilation is 1 here).
            ArgumentChecks.Invalid(site, input, context, "outputPad", Invariant($"outputPad must be smaller than stride {layer.Stride}, not {layer.OutputPad}"));
            valid = false;
        }
        if (input is not { } x)
        {
            return LayerResult.Failed(flow, layer);
        }
        if (x.IsVector)
        {
            ShapeChecks.NeedsMap(site, x, context);
            return LayerResult.Failed(flow, layer);
        }
        if (!valid)
        {
            return LayerResult.Failed(flow, layer);
        }

        var height = TransposedOutput(x.H, layer.Kernel, layer.Stride, layer.Pad, layer.OutputPad);
        var width = TransposedOutput(x.W, layer.Kernel, layer.Stride, layer.Pad, layer.OutputPad);
        if (height <= 0 || width <= 0)
        {
            var full = Invariant($"{height + 2L * layer.Pad}×{width + 2L * layer.Pad}");
            context.Report(DiagnosticIds.NonPositiveOutput, site.At("pad"),
                Invariant($"{site.Head(x)} gives {height}×{width} output: removing pad {layer.Pad} from every side of the full {full} output leaves nothing"));
            return LayerResult.Failed(flow, layer);
        }
        var weights = Multiply(x.C, layer.Filters, layer.Kernel, layer.Kernel);
        if (!ArgumentChecks.Fits(site, x, context, layer.Filters, height, width) || !ArgumentChecks.WeightsFit(site, x, context, weights))
        {
            return LayerResult.Failed(flow, layer);
        }
        // Each output value gathers ceil(kernel / stride) input values per side; neighbouring
        // outputs are 1/stride input steps apart.
        var taps = Math.Ceiling((double)layer.Kernel / layer.Stride);
        var output = flow with
        {
            Shape = Shape.Map(layer.Filters, (int)height, (int)width),
            Field = flow.Field + (taps - 1) * flow.Jump,
            Jump = flow.Jump / layer.Stride,
            Extent = 1,
        };
        return new LayerResult(
            output,
            layer,
            Add(weights, layer.Bias ? layer.Filters : 0),
            Multiply(weights, x.H, x.W),
            EquatableArray<PathNode>.Empty);
    }
}
