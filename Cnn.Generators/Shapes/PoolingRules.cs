using System;
using Cnn.Generators.Models;
using static Cnn.Generators.Shapes.SpatialArithmetic;
using static System.FormattableString;

namespace Cnn.Generators.Shapes;

/// <summary>MaxPool and AvgPool (<c>nn.MaxPool2d</c>, <c>nn.AvgPool2d</c>) and GlobalAvgPool (<c>nn.AdaptiveAvgPool2d(1)</c>).</summary>
internal static class PoolingRules
{
    public static LayerResult Pool(LayerSite site, Flow flow, InferenceContext context)
    {
        var layer = site.Layer;
        var input = flow.Shape;
        var valid = ArgumentChecks.AtLeast(site, input, context, "size", layer.Kernel, 1);
        valid &= ArgumentChecks.AtLeast(site, input, context, "stride", layer.Stride, 0);
        valid &= ArgumentChecks.AtLeast(site, input, context, "pad", layer.Pad, 0);
        if (layer.Kernel >= 1 && layer.Pad > layer.Kernel / 2)
        {
            // PyTorch: "pad should be at most half of effective kernel size".
            ArgumentChecks.Invalid(site, input, context, "pad", Invariant($"pad must be at most half the window ({layer.Kernel / 2}), not {layer.Pad}"));
            valid = false;
        }
        var resolved = layer with { Stride = LayerText.PoolStride(layer) };
        if (input is not { } x)
        {
            return LayerResult.Failed(flow, resolved);
        }
        if (x.IsVector)
        {
            ShapeChecks.NeedsMap(site, x, context);
            return LayerResult.Failed(flow, resolved);
        }
        if (!valid)
        {
            return LayerResult.Failed(flow, resolved);
        }

        var stride = resolved.Stride;
        var height = PoolOutput(x.H, layer.Kernel, stride, layer.Pad, layer.CeilMode);
        var width = PoolOutput(x.W, layer.Kernel, stride, layer.Pad, layer.CeilMode);
        if (height <= 0 || width <= 0)
        {
            ShapeChecks.WindowDoesNotFit(site, x, context, height, width, layer.Kernel, layer.Pad);
            return LayerResult.Failed(flow, resolved);
        }
        if (!ArgumentChecks.Fits(site, x, context, x.C, height, width))
        {
            return LayerResult.Failed(flow, resolved);
        }
        var output = Shape.Map(x.C, (int)height, (int)width);
        ShapeChecks.WarnIfDropping(site, x, output, context, layer.Kernel, stride, layer.Pad, layer.Kernel / 2,
            (size, pad) => PoolOutput(size, layer.Kernel, stride, pad, layer.CeilMode));
        return LayerResult.Simple(flow.Windowed(output, layer.Kernel, stride), resolved);
    }

    public static LayerResult Global(LayerSite site, Flow flow, InferenceContext context)
    {
        if (flow.Shape is not { } x)
        {
            return LayerResult.Failed(flow, site.Layer);
        }
        if (x.IsVector)
        {
            ShapeChecks.NeedsMap(site, x, context);
            return LayerResult.Failed(flow, site.Layer);
        }
        // One window as large as the map.
        var side = Math.Max(x.H, x.W);
        return LayerResult.Simple(flow.Windowed(Shape.Map(x.C, 1, 1), side, side), site.Layer);
    }
}
