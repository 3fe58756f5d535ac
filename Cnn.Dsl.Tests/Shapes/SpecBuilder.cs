using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Cnn.Dsl.Tests.Infrastructure;
using Cnn.Generators.Models;
using Cnn.Generators.Parsing;
using Cnn.Generators.Shapes;

namespace Cnn.Dsl.Tests.Shapes;

/// <summary>
/// Hand-built specs for shape inference tests (no compiler in the loop), laid out as the parser
/// lays them out: the network's [Network] (or a block's [Block]) is attribute 0, layers follow
/// from attribute 1; and the same through the real parser from source.
/// </summary>
internal static class SpecBuilder
{
    public static NetworkSpec Spec(int c, int h, int w, params LayerSpec[] layers) => Spec(c, h, w, layers, new BlockSpec[0]);

    public static NetworkSpec Spec(int c, int h, int w, LayerSpec[] layers, params BlockSpec[] blocks) =>
        new(new TypeSpec("Nets", "Net", "public", EquatableArray<string>.Empty, true, false), c, h, w,
            Numbered(layers), blocks.ToEquatableArray(), EquatableArray<Problem>.Empty)
        {
            InputAttributeIndex = 0,
        };

    public static BlockSpec Block(string name, params LayerSpec[] layers) => new("Nets." + name, name, true, Numbered(layers));

    public static InferredNetwork Infer(int c, int h, int w, params LayerSpec[] layers) => ShapeInference.Infer(Spec(c, h, w, layers));

    /// <summary>Parses <c>Nets.Net</c> from source (which must compile) and infers it.</summary>
    public static InferredNetwork InferSource(string source)
    {
        var compilation = TestCompilation.Create("using Cnn.Dsl;\nnamespace Nets;\n" + source);
        Assert.Empty(TestCompilation.Errors(compilation));
        return ShapeInference.Infer(NetworkParser.Parse(TestCompilation.Type(compilation, "Nets.Net"), CancellationToken.None));
    }

    public static LayerSpec Conv(int filters, int kernel, int stride = 1, int pad = 0, int dilation = 1, int groups = 1, bool bias = true) =>
        new(LayerKind.Conv, 0) { Filters = filters, Kernel = kernel, Stride = stride, Pad = pad, Dilation = dilation, Groups = groups, Bias = bias };

    public static LayerSpec ConvT(int filters, int kernel, int stride = 1, int pad = 0, int outputPad = 0, bool bias = true) =>
        new(LayerKind.ConvTranspose, 0) { Filters = filters, Kernel = kernel, Stride = stride, Pad = pad, OutputPad = outputPad, Bias = bias };

    public static LayerSpec MaxPool(int size, int stride = 0, int pad = 0, bool ceilMode = false) =>
        new(LayerKind.MaxPool, 0) { Kernel = size, Stride = stride, Pad = pad, CeilMode = ceilMode };

    public static LayerSpec AvgPool(int size, int stride = 0, int pad = 0, bool ceilMode = false) => MaxPool(size, stride, pad, ceilMode) with { Kind = LayerKind.AvgPool };

    public static LayerSpec Dense(int units, bool bias = true) => new(LayerKind.Dense, 0) { Units = units, Bias = bias };

    public static LayerSpec Layer(LayerKind kind) => new(kind, 0);

    public static LayerSpec Compose(LayerKind kind, params string[] blocks) => new(kind, 0) { Blocks = blocks.Select(b => "Nets." + b).ToEquatableArray() };

    public static LayerSpec Args(this LayerSpec layer, params int[] args) => layer with { Args = args.ToEquatableArray() };

    public static LayerSpec Named(this LayerSpec layer, string name) => layer with { Name = name };

    /// <summary>The (id, message) pairs of the problems, for readable assertion failures.</summary>
    public static IEnumerable<string> Ids(this InferredNetwork network) => network.Problems.Select(p => p.Id);

    public static Problem Only(this InferredNetwork network, string id) => Assert.Single(network.Problems, p => p.Id == id);

    /// <summary>Every layer of the network, compositions' inner layers included, depth first.</summary>
    public static IEnumerable<LayerNode> AllLayers(this IEnumerable<LayerNode> layers) =>
        layers.SelectMany(l => new[] { l }.Concat(l.Paths.SelectMany(p => p.Layers.AllLayers())));

    private static EquatableArray<LayerSpec> Numbered(LayerSpec[] layers) =>
        layers.Select((l, i) => l with { AttributeIndex = i + 1 }).ToEquatableArray();
}
