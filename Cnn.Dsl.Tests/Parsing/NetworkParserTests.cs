using System.Linq;
using System.Threading;
using Cnn.Dsl.Tests.Infrastructure;
using Cnn.Generators.Diagnostics;
using Cnn.Generators.Models;
using Cnn.Generators.Parsing;

namespace Cnn.Dsl.Tests.Parsing;

public class NetworkParserTests
{
    private static NetworkSpec Parse(string source, string type = "Nets.Net")
    {
        var compilation = TestCompilation.Create(source);
        return NetworkParser.Parse(TestCompilation.Type(compilation, type), CancellationToken.None);
    }

    [Fact]
    public void LeNet5_layers_come_in_source_order_with_their_arguments()
    {
        var spec = Parse("""
            using Cnn.Dsl;
            namespace Nets;
            [Network(1, 28, 28)]
            [Conv(6, 5, pad: 2), Relu, MaxPool(2)]
            [Conv(16, 5), Relu, MaxPool(2)]
            [Flatten, Dense(120), Relu, Dense(84), Relu, Dense(10, bias: false, Name = "head")]
            public partial class Net;
            """);

        Assert.Equal((1, 28, 28), (spec.Channels, spec.Height, spec.Width));
        Assert.Equal(
            new[] { "Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Flatten", "Dense", "Relu", "Dense", "Relu", "Dense" },
            spec.Layers.Select(l => l.Kind.ToString()));
        var conv = spec.Layers[0];
        Assert.Equal((6, 5, 1, 2, 1, 1, true), (conv.Filters, conv.Kernel, conv.Stride, conv.Pad, conv.Dilation, conv.Groups, conv.Bias));
        Assert.Equal((2, 0, 0), (spec.Layers[2].Kernel, spec.Layers[2].Stride, spec.Layers[2].Pad));
        Assert.Equal((10, false, "head"), (spec.Layers[11].Units, spec.Layers[11].Bias, spec.Layers[11].Name));
        Assert.Equal(Enumerable.Range(1, 12), spec.Layers.Select(l => l.AttributeIndex));
        Assert.Empty(spec.Problems);
        Assert.False(spec.Incomplete);
        Assert.Equal(new TypeSpec("Nets", "Net", "public", EquatableArray<string>.Empty, true, false), spec.Type);
    }

    [Fact]
    public void Every_argument_of_every_layer_kind_is_read()
    {
        var spec = Parse("""
            using Cnn.Dsl;
            namespace Nets;
            [Network(3, 32, 32)]
            [Conv(8, 3, stride: 2, pad: 1, dilation: 2, groups: 1, bias: false), ConvTranspose(4, 3, stride: 2, pad: 1, outputPad: 1, bias: false)]
            [MaxPool(3, stride: 2, pad: 1, ceilMode: true), AvgPool(2, 1, 1), GlobalAvgPool, BatchNorm(eps: 1e-3, momentum: 0.01), Dropout(0.25)]
            [LeakyRelu(0.2), Elu(0.5), Tanh, Sigmoid, Gelu, Flatten, Softmax]
            internal partial class Net;
            """);

        var l = spec.Layers;
        Assert.Equal((8, 3, 2, 1, 2, false), (l[0].Filters, l[0].Kernel, l[0].Stride, l[0].Pad, l[0].Dilation, l[0].Bias));
        Assert.Equal((4, 3, 2, 1, 1, false), (l[1].Filters, l[1].Kernel, l[1].Stride, l[1].Pad, l[1].OutputPad, l[1].Bias));
        Assert.Equal((LayerKind.MaxPool, 3, 2, 1, true), (l[2].Kind, l[2].Kernel, l[2].Stride, l[2].Pad, l[2].CeilMode));
        Assert.Equal((LayerKind.AvgPool, 2, 1, 1, false), (l[3].Kind, l[3].Kernel, l[3].Stride, l[3].Pad, l[3].CeilMode));
        Assert.Equal(LayerKind.GlobalAvgPool, l[4].Kind);
        Assert.Equal((1e-3, 0.01), (l[5].Eps, l[5].Momentum));
        Assert.Equal(0.25, l[6].Rate);
        Assert.Equal(0.2, l[7].Slope);
        Assert.Equal(0.5, l[8].Alpha);
        Assert.Equal(
            new[] { LayerKind.Tanh, LayerKind.Sigmoid, LayerKind.Gelu, LayerKind.Flatten, LayerKind.Softmax },
            l.Skip(9).Select(x => x.Kind));
        Assert.Equal("internal", spec.Type.Accessibility);
    }

    [Fact]
    public void Compositions_name_their_blocks_and_keep_placeholders_for_inference()
    {
        var spec = Parse("""
            using Cnn.Dsl;
            namespace Nets;
            [Block, Conv(Arg.A, 3, stride: Arg.B, pad: 1, bias: false), BatchNorm, Relu]
            public partial class Body;
            [Block, Conv(Arg.A, 1, stride: Arg.B, bias: false), BatchNorm]
            public class Projection;
            [Block, Use<Body>(Arg.A, 1)]
            public class Branch;
            [Network(3, 32, 32)]
            [Residual<Body, Projection>(64, 2, ShortcutName = "downsample"), Concat<Body, Branch>(8, 1)]
            [Repeat<Body>(3, 16, 1, Name = "stage"), Use<Branch>(4)]
            public partial class Net;
            """);

        var res = spec.Layers[0];
        Assert.Equal(LayerKind.Residual, res.Kind);
        Assert.Equal(new[] { "Nets.Body", "Nets.Projection" }, res.Blocks);
        Assert.Equal(new[] { 64, 2 }, res.Args);
        Assert.Equal("downsample", res.ShortcutName);
        Assert.Equal(new[] { "Nets.Body", "Nets.Branch" }, spec.Layers[1].Blocks);
        Assert.Equal((LayerKind.Repeat, 3, "stage"), (spec.Layers[2].Kind, spec.Layers[2].Count, spec.Layers[2].Name));
        Assert.Equal(new[] { 16, 1 }, spec.Layers[2].Args);
        Assert.Equal(new[] { 4 }, spec.Layers[3].Args);

        Assert.Equal(new[] { "Nets.Body", "Nets.Projection", "Nets.Branch" }, spec.Blocks.Select(b => b.Id));
        var body = spec.FindBlock("Nets.Body")!;
        Assert.True(body.IsBlock);
        Assert.Equal("Body", body.Name);
        Assert.Equal(Placeholders.First, body.Layers[0].Filters);
        Assert.Equal(0, Placeholders.IndexOf(body.Layers[0].Filters));
        Assert.Equal(1, Placeholders.IndexOf(body.Layers[0].Stride));
        Assert.Equal(new[] { Placeholders.First, 1 }, spec.FindBlock("Nets.Branch")!.Layers[0].Args);
    }

    [Fact]
    public void A_class_without_Block_is_recorded_as_not_a_block()
    {
        var spec = Parse("""
            using Cnn.Dsl;
            namespace Nets;
            [Conv(4, 3)]
            public class Plain;
            [Network(1, 8, 8), Use<Plain>]
            public partial class Net;
            """);

        var plain = Assert.Single(spec.Blocks);
        Assert.False(plain.IsBlock);
        Assert.Empty(plain.Layers);
    }

    [Fact]
    public void Blocks_that_reach_each_other_are_parsed_once()
    {
        var spec = Parse("""
            using Cnn.Dsl;
            namespace Nets;
            [Block, Use<B>] public class A;
            [Block, Use<A>] public class B;
            [Network(1, 8, 8), Use<A>]
            public partial class Net;
            """);

        Assert.Equal(new[] { "Nets.A", "Nets.B" }, spec.Blocks.Select(b => b.Id));
    }

    [Fact]
    public void A_non_partial_network_or_container_is_a_problem()
    {
        var spec = Parse("""
            using Cnn.Dsl;
            namespace Nets;
            public class Outer
            {
                [Network(1, 8, 8), Relu]
                public partial class Net;
            }
            """, "Nets.Outer+Net");

        var problem = Assert.Single(spec.Problems);
        Assert.Equal(DiagnosticIds.NotPartial, problem.Id);
        Assert.True(problem.At.IsClass);
        Assert.Equal("Network 'Net' is nested in 'Outer', which must be declared partial so the generator can complete it", problem.Message);
        Assert.Equal(new[] { "partial class Outer" }, spec.Type.ContainingTypes);
        Assert.Equal("Nets.Outer.Net.g.cs", spec.Type.HintName);
    }

    [Fact]
    public void Layers_split_over_partial_declarations_are_a_problem_at_the_first_moved_attribute()
    {
        var spec = Parse("""
            using Cnn.Dsl;
            namespace Nets;
            [Network(1, 8, 8), Conv(4, 3)]
            public partial class Net;
            [Relu]
            public partial class Net;
            """);

        var problem = Assert.Single(spec.Problems);
        Assert.Equal(DiagnosticIds.SplitDeclarations, problem.Id);
        Assert.Equal(new SpecLocation("", 2), problem.At);
    }

    [Fact]
    public void Both_Network_and_Block_or_static_are_invalid_declarations()
    {
        var spec = Parse("""
            using Cnn.Dsl;
            namespace Nets;
            [Network(1, 8, 8), Block, Relu]
            public static partial class Net;
            """);

        Assert.Equal(new[] { DiagnosticIds.InvalidDeclaration, DiagnosticIds.InvalidDeclaration }, spec.Problems.Select(p => p.Id));
    }

    [Theory]
    [InlineData("[Network(1, 8, 8), Conv(4)] public partial class Net;")]
    [InlineData("[Network(1, 8, 8), Conv(\"4\", 3)] public partial class Net;")]
    [InlineData("[Network(1, 8, 8), Residual<Missing>] public partial class Net;")]
    [InlineData("[Network(1, 8), Relu] public partial class Net;")]
    [InlineData("[Network(1, 8, 8), Cnv(4, 3)] public partial class Net;")]
    public void An_attribute_that_does_not_bind_makes_the_spec_incomplete_without_throwing(string declaration)
    {
        var spec = Parse("using Cnn.Dsl;\nnamespace Nets;\n" + declaration);

        Assert.True(spec.Incomplete);
    }
}
