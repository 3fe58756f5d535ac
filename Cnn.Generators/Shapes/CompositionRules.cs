using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Cnn.Generators.Diagnostics;
using Cnn.Generators.Models;
using static System.FormattableString;

namespace Cnn.Generators.Shapes;

/// <summary>
/// Residual, Concat, Repeat and Use: each expands its blocks anew (placeholders bound to this
/// use's arguments) and combines their paths. Inner paths are inferred even when the input is
/// unknown, so their argument, name and block problems are all reported at once.
/// </summary>
internal static class CompositionRules
{
    /// <summary><c>x + body(x)</c>, or <c>shortcut(x) + body(x)</c>: both sides must have the same shape.</summary>
    public static LayerResult Residual(LayerSite site, Flow flow, Scope scope, InferenceContext context)
    {
        var layer = site.Layer;
        if (!HasBlocks(site, flow.Shape, context, 1, 2))
        {
            return LayerResult.Failed(flow, layer);
        }
        var inner = InnerScope(site, scope);
        var body = Expand(site, layer.Blocks[0], inner, flow, context);
        var paths = new List<PathNode> { new("", body.Layers) };
        var shortcut = (Flow: flow, Layers: EquatableArray<LayerNode>.Empty);
        if (layer.Blocks.Count == 2)
        {
            var segment = layer.ShortcutName ?? "shortcut";
            shortcut = Expand(site, layer.Blocks[1], SubScope(site, inner, segment, "the shortcut", context), flow, context);
            paths.Add(new PathNode(segment, shortcut.Layers));
        }
        var sum = "the sum of " + site.Name;
        FollowSoftmax(body.Flow, sum, context);
        FollowSoftmax(shortcut.Flow, sum, context);
        var result = Combine(layer, paths, flow.Unknown);
        if (flow.Shape is not { } x || body.Flow.Shape is not { } main || shortcut.Flow.Shape is not { } side)
        {
            return result;
        }
        if (main != side)
        {
            var bodyName = context.BlockName(layer.Blocks[0]);
            context.Report(DiagnosticIds.ResidualMismatch, site.At(), layer.Blocks.Count == 2
                ? Invariant($"{site.Head(x)}: block {bodyName} gives {main} but shortcut {context.BlockName(layer.Blocks[1])} gives {side}; both sides of the sum must have the same shape")
                : Invariant($"{site.Head(x)}: block {bodyName} gives {main}, but a residual adds it to its input {x}; keep the shape in the body, or add a shortcut block that projects the input (Residual<{bodyName}, TShortcut>)"));
            return result;
        }
        return result with
        {
            Flow = body.Flow with
            {
                Field = Math.Max(body.Flow.Field, shortcut.Flow.Field),
                Jump = Math.Max(body.Flow.Jump, shortcut.Flow.Jump),
                Softmax = null,
            },
        };
    }

    /// <summary>Branches fed the same input, joined along channels: all maps of one height and width.</summary>
    public static LayerResult Concat(LayerSite site, Flow flow, Scope scope, InferenceContext context)
    {
        var layer = site.Layer;
        if (!HasBlocks(site, flow.Shape, context, 1, int.MaxValue))
        {
            return LayerResult.Failed(flow, layer);
        }
        var inner = InnerScope(site, scope);
        var branches = new List<(Flow Flow, EquatableArray<LayerNode> Layers)>();
        var paths = new List<PathNode>();
        for (var i = 0; i < layer.Blocks.Count; i++)
        {
            var segment = "branch" + (i + 1).ToString(CultureInfo.InvariantCulture);
            var branch = Expand(site, layer.Blocks[i], SubScope(site, inner, segment, segment, context), flow, context);
            FollowSoftmax(branch.Flow, "the concatenation of " + site.Name, context);
            branches.Add(branch);
            paths.Add(new PathNode(segment, branch.Layers));
        }
        var result = Combine(layer, paths, flow.Unknown);
        if (flow.Shape is not { } x || branches.Any(b => b.Flow.Shape is null))
        {
            return result;
        }
        var shapes = branches.Select(b => b.Flow.Shape!.Value).ToList();
        var first = shapes[0];
        if (shapes.Any(s => s.IsVector || s.H != first.H || s.W != first.W))
        {
            var listed = string.Join(", ", layer.Blocks.Select((id, i) => context.BlockName(id) + " gives " + shapes[i]));
            context.Report(DiagnosticIds.ConcatMismatch, site.At(),
                $"{site.Head(x)}: {listed}; Concat joins maps of one height and width along their channels");
            return result;
        }
        var channels = shapes.Sum(s => (long)s.C);
        if (!ArgumentChecks.Fits(site, x, context, channels, first.H, first.W))
        {
            return result;
        }
        return result with
        {
            Flow = flow with
            {
                Shape = Shape.Map((int)channels, first.H, first.W),
                Field = branches.Max(b => b.Flow.Field),
                Jump = branches.Max(b => b.Flow.Jump),
                Extent = 1,
            },
        };
    }

    /// <summary><c>count</c> copies of a block in sequence, each with its own weights, scoped <c>0</c>, <c>1</c>, ….</summary>
    public static LayerResult Repeat(LayerSite site, Flow flow, Scope scope, InferenceContext context)
    {
        var layer = site.Layer;
        var validCount = ArgumentChecks.AtLeast(site, flow.Shape, context, "count", layer.Count, 1);
        if (!HasBlocks(site, flow.Shape, context, 1, 1))
        {
            return LayerResult.Failed(flow, layer);
        }
        var inner = InnerScope(site, scope);
        var paths = new List<PathNode>();
        // With no valid count, one copy on an unknown input still checks the block.
        var copies = validCount ? layer.Count : 1;
        var current = validCount ? flow : flow.Unknown;
        for (var i = 0; i < copies && !context.Exhausted; i++)
        {
            var segment = i.ToString(CultureInfo.InvariantCulture);
            var copy = Expand(site, layer.Blocks[0], SubScope(site, inner, segment, "copy " + segment, context), current, context);
            current = copy.Flow;
            paths.Add(new PathNode(segment, copy.Layers));
            if (current.Shape is null)
            {
                // Later copies on an unknown input would only repeat this copy's problems.
                break;
            }
        }
        var result = Combine(layer, paths, current);
        return validCount && !context.Exhausted ? result : result with { Flow = current.Unknown };
    }

    /// <summary>A block's layers applied once, scoped under the use's name (or directly in the enclosing scope with <c>Name = ""</c>).</summary>
    public static LayerResult Use(LayerSite site, Flow flow, Scope scope, InferenceContext context)
    {
        if (!HasBlocks(site, flow.Shape, context, 1, 1))
        {
            return LayerResult.Failed(flow, site.Layer);
        }
        var body = Expand(site, site.Layer.Blocks[0], InnerScope(site, scope), flow, context);
        return Combine(site.Layer, new List<PathNode> { new("", body.Layers) }, body.Flow);
    }

    /// <summary>
    /// One expansion of a block: CNN0013 when the class is not a [Block], CNN0007 when it is
    /// already being expanded (a cycle) or nests too deep; otherwise its layers inferred with
    /// this composition's arguments bound to its placeholders.
    /// </summary>
    private static (Flow Flow, EquatableArray<LayerNode> Layers) Expand(LayerSite site, string blockId, Scope scope, Flow flow, InferenceContext context)
    {
        var failed = (flow.Unknown, EquatableArray<LayerNode>.Empty);
        if (!context.Spend(site))
        {
            return failed;
        }
        var block = context.FindBlock(blockId);
        if (block is null || !block.IsBlock)
        {
            var name = context.BlockName(blockId);
            context.Report(DiagnosticIds.NotABlock, site.At(),
                $"{site.Name} uses {name}, which is not a [Block] class: add [Block] to {name}, or use a block");
            return failed;
        }
        if (context.Expanding.Any(b => b.Id == block.Id))
        {
            context.Report(DiagnosticIds.BlockCycle, site.At(),
                $"{site.Name} uses block {block.Name} inside itself ({context.CycleThrough(block)}): a block cannot contain itself, directly or through other blocks");
            return failed;
        }
        if (context.Expanding.Count >= InferenceContext.MaxDepth)
        {
            context.Report(DiagnosticIds.BlockCycle, site.At(),
                Invariant($"{site.Name} nests blocks more than {InferenceContext.MaxDepth} deep ({context.Expanding[0].Name} → … → {block.Name}); use fewer levels of blocks"));
            return failed;
        }
        var use = new BlockUse(block, site.Layer.Args, site.Use?.UseSite ?? site.At(), site);
        var layers = new List<LayerNode>();
        context.Expanding.Add(block);
        var output = SequenceInference.Run(block.Layers, use, scope, flow, layers, context);
        context.Expanding.RemoveAt(context.Expanding.Count - 1);
        return (output, layers.ToEquatableArray());
    }

    /// <summary>Whether a composition names between <paramref name="min"/> and <paramref name="max"/> classes (always, when the parser made the spec).</summary>
    private static bool HasBlocks(LayerSite site, Shape? input, InferenceContext context, int min, int max)
    {
        var count = site.Layer.Blocks.Count;
        if (count >= min && count <= max)
        {
            return true;
        }
        context.Report(DiagnosticIds.NotABlock, site.At(),
            Invariant($"{site.Head(input)}: {site.Layer.Kind} takes {(min == max ? LayerText.Number(min) : max == int.MaxValue ? "at least " + min : min + " to " + max)} block classes, not {count}"));
        return false;
    }

    /// <summary>The scope of a composition's inside: its own, or the enclosing one when it is transparent.</summary>
    private static Scope InnerScope(LayerSite site, Scope scope) => site.IsTransparent ? scope : new Scope(site.Path);

    /// <summary>A named part of a composition (shortcut, branch, copy), claiming its name in the composition's scope.</summary>
    private static Scope SubScope(LayerSite site, Scope inner, string segment, string part, InferenceContext context)
    {
        if (segment.Length == 0)
        {
            return inner;
        }
        if (inner.Claim(segment, site, part) is { } previous)
        {
            SequenceInference.ReportDuplicate(site.At(), Scope.Describe(site, part), previous, segment, inner, context);
        }
        return new Scope(inner.PathOf(segment));
    }

    /// <summary>CNN0012 for a Softmax at the end of a path that a sum or concatenation follows.</summary>
    private static void FollowSoftmax(Flow path, string follower, InferenceContext context)
    {
        if (path.Softmax is { } mark)
        {
            SequenceInference.ReportSoftmax(mark, follower, context);
        }
    }

    private static LayerResult Combine(LayerSpec layer, List<PathNode> paths, Flow flow)
    {
        long parameters = 0, multiplyAdds = 0;
        foreach (var path in paths)
        {
            foreach (var node in path.Layers)
            {
                parameters = SpatialArithmetic.Add(parameters, node.Parameters);
                multiplyAdds = SpatialArithmetic.Add(multiplyAdds, node.MultiplyAdds);
            }
        }
        return new LayerResult(flow, layer, parameters, multiplyAdds, paths.ToEquatableArray());
    }
}
