using System.Linq;
using Cnn.Generators.Models;

namespace Cnn.Dsl.Tests.Emit;

/// <summary>
/// Parsed specs with their inferred shapes written out by hand (from PyTorch's rules), so the
/// emitter is tested on its own, whatever shape inference computes.
/// </summary>
internal static class HandBuiltNetworks
{
    public static TypeSpec Type(string name, string ns = "Nets", params string[] containing) =>
        new(ns, name, "public", containing.ToEquatableArray(), true, false);

    /// <summary>LeNet-5 on 1×28×28 (conv1 padded by 2): 61,706 parameters.</summary>
    public static (NetworkSpec Spec, InferredNetwork Network) LeNet5(TypeSpec? type = null)
    {
        var conv1 = new LayerSpec(LayerKind.Conv, 1) { Filters = 6, Kernel = 5, Pad = 2 };
        var pool = new LayerSpec(LayerKind.MaxPool, 3) { Kernel = 2, Stride = 2 };
        var conv2 = new LayerSpec(LayerKind.Conv, 4) { Filters = 16, Kernel = 5 };
        var relu = new LayerSpec(LayerKind.Relu, 2);
        var flatten = new LayerSpec(LayerKind.Flatten, 7);
        LayerSpec Dense(int units, int index) => new(LayerKind.Dense, index) { Units = units };

        var layers = new[]
        {
            Node(LayerKind.Conv, "conv1", conv1, Map(1, 28, 28), Map(6, 28, 28), 156, 117_600, 5, 1),
            Node(LayerKind.Relu, "relu1", relu, Map(6, 28, 28), Map(6, 28, 28), 0, 0, 5, 1),
            Node(LayerKind.MaxPool, "maxpool1", pool, Map(6, 28, 28), Map(6, 14, 14), 0, 0, 6, 2),
            Node(LayerKind.Conv, "conv2", conv2, Map(6, 14, 14), Map(16, 10, 10), 2_416, 240_000, 14, 2),
            Node(LayerKind.Relu, "relu2", relu, Map(16, 10, 10), Map(16, 10, 10), 0, 0, 14, 2),
            Node(LayerKind.MaxPool, "maxpool2", pool, Map(16, 10, 10), Map(16, 5, 5), 0, 0, 16, 4),
            Node(LayerKind.Flatten, "flatten1", flatten, Map(16, 5, 5), Shape.Vector(400), 0, 0, 28, 4),
            Node(LayerKind.Dense, "dense1", Dense(120, 8), Shape.Vector(400), Shape.Vector(120), 48_120, 48_000, 28, 4),
            Node(LayerKind.Relu, "relu3", relu, Shape.Vector(120), Shape.Vector(120), 0, 0, 28, 4),
            Node(LayerKind.Dense, "dense2", Dense(84, 10), Shape.Vector(120), Shape.Vector(84), 10_164, 10_080, 28, 4),
            Node(LayerKind.Relu, "relu4", relu, Shape.Vector(84), Shape.Vector(84), 0, 0, 28, 4),
            Node(LayerKind.Dense, "dense3", Dense(10, 12), Shape.Vector(84), Shape.Vector(10), 850, 840, 28, 4),
        };
        var spec = new NetworkSpec(type ?? Type("LeNet5"), 1, 28, 28, layers.Select(l => l.Spec).ToEquatableArray(),
            EquatableArray<BlockSpec>.Empty, EquatableArray<Problem>.Empty);
        return (spec, new InferredNetwork(Map(1, 28, 28), Shape.Vector(10), layers.ToEquatableArray(), EquatableArray<Problem>.Empty));
    }

    /// <summary>
    /// 3×8×8 → conv1 (4, 3×3, no bias), bn1, relu1, res1 = Residual&lt;Basic&gt; (conv1, bn1 inside),
    /// gap1, flatten1, dense1 (2): BatchNorm parameters and buffers, nested names.
    /// </summary>
    public static (NetworkSpec Spec, InferredNetwork Network) SmallResidual()
    {
        var conv = new LayerSpec(LayerKind.Conv, 1) { Filters = 4, Kernel = 3, Pad = 1, Bias = false };
        var bn = new LayerSpec(LayerKind.BatchNorm, 2);
        var basic = new BlockSpec("Nets.Basic", "Basic", true, new[] { conv, bn }.ToEquatableArray());
        var residual = new LayerSpec(LayerKind.Residual, 4) { Blocks = EquatableArray.Of("Nets.Basic") };
        var map = Map(4, 8, 8);
        var body = new PathNode("", EquatableArray.Of(
            Node(LayerKind.Conv, "conv1", conv, map, map, 144, 9_216, 7, 1, "res1.conv1"),
            Node(LayerKind.BatchNorm, "bn1", bn, map, map, 8, 0, 7, 1, "res1.bn1")));

        var layers = new[]
        {
            Node(LayerKind.Conv, "conv1", conv, Map(3, 8, 8), map, 108, 6_912, 3, 1),
            Node(LayerKind.BatchNorm, "bn1", bn, map, map, 8, 0, 3, 1),
            Node(LayerKind.Relu, "relu1", new LayerSpec(LayerKind.Relu, 3), map, map, 0, 0, 3, 1),
            Node(LayerKind.Residual, "res1", residual, map, map, 152, 9_216, 7, 1) with { Paths = EquatableArray.Of(body) },
            Node(LayerKind.GlobalAvgPool, "gap1", new LayerSpec(LayerKind.GlobalAvgPool, 5), map, Map(4, 1, 1), 0, 0, 8, 8),
            Node(LayerKind.Flatten, "flatten1", new LayerSpec(LayerKind.Flatten, 6), Map(4, 1, 1), Shape.Vector(4), 0, 0, 8, 8),
            Node(LayerKind.Dense, "dense1", new LayerSpec(LayerKind.Dense, 7) { Units = 2 }, Shape.Vector(4), Shape.Vector(2), 10, 8, 8, 8),
        };
        var spec = new NetworkSpec(Type("SmallResidual"), 3, 8, 8, layers.Select(l => l.Spec).ToEquatableArray(),
            EquatableArray.Of(basic), EquatableArray<Problem>.Empty);
        return (spec, new InferredNetwork(Map(3, 8, 8), Shape.Vector(2), layers.ToEquatableArray(), EquatableArray<Problem>.Empty));
    }

    private static Shape Map(int c, int h, int w) => Shape.Map(c, h, w);

    private static LayerNode Node(LayerKind kind, string name, LayerSpec spec, Shape input, Shape output, long parameters, long multiplyAdds, int receptiveField, double jump, string? path = null) =>
        new(kind, name, path ?? name, spec, input, output, parameters, multiplyAdds, receptiveField, jump, EquatableArray<PathNode>.Empty);
}
