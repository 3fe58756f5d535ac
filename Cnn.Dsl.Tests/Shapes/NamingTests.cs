using System.Linq;
using Cnn.Generators.Diagnostics;
using Cnn.Generators.Models;
using Cnn.Generators.Shapes;
using static Cnn.Dsl.Tests.Shapes.SpecBuilder;

namespace Cnn.Dsl.Tests.Shapes;

/// <summary>Layer names and paths (the state_dict prefixes), per the naming decisions shared with the emitter.</summary>
public class NamingTests
{
    private static readonly BlockSpec Identity = Block("Identity", Layer(LayerKind.Relu));

    private static InferredNetwork Infer(int c, int h, int w, LayerSpec[] layers, params BlockSpec[] blocks) =>
        ShapeInference.Infer(Spec(c, h, w, layers, blocks));

    [Fact]
    public void Every_kind_has_its_default_name()
    {
        var net = Infer(3, 8, 8, new[]
        {
            Conv(4, 3, pad: 1), ConvT(4, 3, pad: 1), MaxPool(2), AvgPool(1), Layer(LayerKind.BatchNorm), Layer(LayerKind.Dropout),
            Layer(LayerKind.Relu), Layer(LayerKind.LeakyRelu), Layer(LayerKind.Elu), Layer(LayerKind.Tanh), Layer(LayerKind.Sigmoid), Layer(LayerKind.Gelu),
            Compose(LayerKind.Residual, "Identity"), Compose(LayerKind.Concat, "Identity", "Identity"), Compose(LayerKind.Repeat, "Identity") with { Count = 1 },
            Compose(LayerKind.Use, "Identity"), Layer(LayerKind.GlobalAvgPool), Layer(LayerKind.Flatten), Dense(10), Layer(LayerKind.Softmax),
        }, Identity);

        Assert.Empty(net.Problems);
        Assert.Equal(
            new[]
            {
                "conv1", "convt1", "maxpool1", "avgpool1", "bn1", "dropout1", "relu1", "leakyrelu1", "elu1", "tanh1", "sigmoid1", "gelu1",
                "res1", "concat1", "repeat1", "identity1", "gap1", "flatten1", "dense1", "softmax1",
            },
            net.Layers.Select(l => l.Name));
        Assert.Equal(
            new[] { "res1.relu1", "concat1.branch1.relu1", "concat1.branch2.relu1", "repeat1.0.relu1", "identity1.relu1" },
            net.Layers.SelectMany(l => l.Paths).SelectMany(p => p.Layers).Select(l => l.Path));
    }

    [Fact]
    public void Default_indexes_count_every_layer_of_the_kind_named_or_not()
    {
        var net = Infer(3, 8, 8, new[] { Conv(4, 1).Named("stem"), Conv(4, 1), Dense(4).Named("head"), Dense(2) });

        Assert.Equal(new[] { "stem", "conv2", "head", "dense2" }, net.Layers.Select(l => l.Path));
    }

    [Fact]
    public void A_transparent_composition_nests_its_layers_in_the_enclosing_scope_and_continues_its_counters()
    {
        var net = Infer(3, 8, 8, new[] { Conv(4, 1), Compose(LayerKind.Use, "Stem").Named(""), Compose(LayerKind.Use, "Stem").Named("") },
            Block("Stem", Conv(4, 1), Layer(LayerKind.Relu)));

        Assert.Empty(net.Problems);
        var uses = net.Layers.Skip(1).ToList();
        Assert.All(uses, u => Assert.Equal(("", ""), (u.Name, u.Path)));
        Assert.Equal(new[] { "conv2", "relu1", "conv3", "relu2" }, uses.SelectMany(u => u.Paths[0].Layers).Select(l => l.Path));
    }

    [Fact]
    public void A_transparent_residual_puts_its_shortcut_beside_the_body()
    {
        var net = Infer(3, 8, 8, new[] { Compose(LayerKind.Residual, "Body", "Down").Named("") with { ShortcutName = "downsample", Args = EquatableArray.Of(8) } },
            Block("Body", Conv(Arg.A, 1, stride: 2)), Block("Down", Conv(Arg.A, 1, stride: 2).Named("0")));

        Assert.Empty(net.Problems);
        Assert.Equal(new[] { "conv1", "downsample.0" }, net.Layers[0].Paths.SelectMany(p => p.Layers).Select(l => l.Path));
    }

    [Fact]
    public void Two_layers_with_one_name_in_a_scope_are_CNN0016()
    {
        var net = Infer(3, 8, 8, new[] { Conv(4, 1).Named("a"), Conv(4, 1).Named("a") });

        var problem = Assert.Single(net.Problems);
        Assert.Equal(DiagnosticIds.DuplicateName, problem.Id);
        Assert.Equal("Conv #2 and Conv #1 both take the name 'a' at the top level: their parameters would collide; give one of them another Name", problem.Message);
        Assert.Equal(new SpecLocation("", 2, "Name"), problem.At);
    }

    [Fact]
    public void A_name_that_a_later_default_name_repeats_is_CNN0016()
    {
        var net = Infer(3, 8, 8, new[] { Conv(4, 1).Named("conv2"), Conv(4, 1) });

        Assert.Equal(new SpecLocation("", 2), net.Only(DiagnosticIds.DuplicateName).At);
    }

    [Fact]
    public void Names_collide_through_transparent_uses_of_one_block()
    {
        var net = Infer(3, 8, 8, new[] { Layer(LayerKind.Relu), Compose(LayerKind.Use, "Head").Named(""), Compose(LayerKind.Use, "Head").Named("") },
            Block("Head", Conv(4, 1).Named("fc")));

        var problem = net.Only(DiagnosticIds.DuplicateName);
        Assert.Equal("Conv #1 in block Head at fc takes the name 'fc' at the top level a second time (its block is used twice there): their parameters would collide; give one use a Name", problem.Message);
        Assert.Equal(new SpecLocation("Nets.Head", 1, "Name") { UseSite = new SpecLocation("", 3) }, problem.At);
    }

    [Fact]
    public void Copies_of_two_transparent_repeats_collide_in_the_enclosing_scope()
    {
        var net = Infer(3, 8, 8, new[] { Compose(LayerKind.Repeat, "Identity").Named("") with { Count = 2 }, Compose(LayerKind.Repeat, "Identity").Named("") with { Count = 1 } },
            Identity);

        var problem = net.Only(DiagnosticIds.DuplicateName);
        Assert.Equal("copy 0 of Repeat #2 and copy 0 of Repeat #1 both take the name '0' at the top level: their parameters would collide; give one of them another Name", problem.Message);
        Assert.Equal(new SpecLocation("", 2), problem.At);
    }

    [Fact]
    public void Names_in_different_scopes_do_not_collide()
    {
        var net = Infer(3, 8, 8, new[] { Conv(3, 1), Compose(LayerKind.Residual, "Body").Args(3, 1), Compose(LayerKind.Residual, "Body").Args(3, 1) },
            Block("Body", Conv(Arg.A, 1).Named("conv1")));

        Assert.Empty(net.Problems);
        Assert.Equal(new[] { "conv1", "res1", "res1.conv1", "res2", "res2.conv1" }, net.Layers.AllLayers().Select(l => l.Path));
    }

    [Fact]
    public void An_empty_name_on_a_layer_that_is_not_a_composition_is_CNN0004()
    {
        var net = Infer(3, 8, 8, new[] { Conv(4, 1).Named("") });

        var problem = net.Only(DiagnosticIds.InvalidArgument);
        Assert.Equal(new SpecLocation("", 1, "Name"), problem.At);
        Assert.Equal("Conv #1 (1×1, stride 1, pad 0): Name must not be empty (only a composition can have Name = \"\", to nest its layers in the enclosing scope); it is conv1 by default", problem.Message);
        Assert.Equal("conv1", net.Layers[0].Path);
    }
}
