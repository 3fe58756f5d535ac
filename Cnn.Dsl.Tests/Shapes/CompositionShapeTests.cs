using System.Linq;
using Cnn.Generators.Diagnostics;
using Cnn.Generators.Models;
using Cnn.Generators.Shapes;
using static Cnn.Dsl.Tests.Shapes.SpecBuilder;

namespace Cnn.Dsl.Tests.Shapes;

public class CompositionShapeTests
{
    private static readonly BlockSpec Body = Block("Body", Conv(Arg.A, 3, stride: Arg.B, pad: 1), Layer(LayerKind.Relu));
    private static readonly BlockSpec Projection = Block("Projection", Conv(Arg.A, 1, stride: Arg.B));

    private static InferredNetwork Infer(int c, int h, int w, LayerSpec[] layers, params BlockSpec[] blocks) =>
        ShapeInference.Infer(Spec(c, h, w, layers, blocks));

    [Fact]
    public void Residual_adds_a_body_that_keeps_the_shape_with_placeholders_bound_per_use()
    {
        var net = Infer(8, 6, 6, new[] { Compose(LayerKind.Residual, "Body").Args(8, 1) }, Body);

        Assert.Empty(net.Problems);
        var res = Assert.Single(net.Layers);
        Assert.Equal((LayerKind.Residual, "res1", Shape.Map(8, 6, 6)), (res.Kind, res.Path, res.Out));
        var body = Assert.Single(res.Paths);
        Assert.Equal("", body.Scope);
        Assert.Equal(new[] { "res1.conv1", "res1.relu1" }, body.Layers.Select(l => l.Path));
        Assert.Equal((8, 1), (body.Layers[0].Spec.Filters, body.Layers[0].Spec.Stride));
        Assert.Equal(8 * 8 * 9 + 8, res.Parameters);
        Assert.Equal(body.Layers[0].MultiplyAdds, res.MultiplyAdds);
        Assert.Equal(3, res.ReceptiveField);
    }

    [Fact]
    public void Residual_whose_body_changes_the_shape_is_CNN0005()
    {
        var net = Infer(8, 6, 6, new[] { Compose(LayerKind.Residual, "Body").Args(16, 1) }, Body);

        var problem = Assert.Single(net.Problems);
        Assert.Equal(DiagnosticIds.ResidualMismatch, problem.Id);
        Assert.Equal("Residual #1 (Body with 16, 1) on 8×6×6: block Body gives 16×6×6, but a residual adds it to its input 8×6×6; keep the shape in the body, or add a shortcut block that projects the input (Residual<Body, TShortcut>)", problem.Message);
        Assert.Equal(new SpecLocation("", 1), problem.At);
        Assert.Empty(net.Layers);
    }

    [Fact]
    public void Residual_with_a_shortcut_needs_both_sides_equal_and_takes_the_larger_receptive_field()
    {
        var net = Infer(8, 6, 6, new[] { Compose(LayerKind.Residual, "Body", "Projection").Args(16, 2) }, Body, Projection);

        Assert.Empty(net.Problems);
        var res = net.Layers[0];
        Assert.Equal(Shape.Map(16, 3, 3), res.Out);
        Assert.Equal(new[] { "", "shortcut" }, res.Paths.Select(p => p.Scope));
        Assert.Equal("res1.shortcut.conv1", res.Paths[1].Layers[0].Path);
        Assert.Equal((16 * 8 * 9 + 16) + (16 * 8 + 16), res.Parameters);
        Assert.Equal((3, 2.0), (res.ReceptiveField, res.Jump));
    }

    [Fact]
    public void Residual_sides_that_disagree_are_CNN0005()
    {
        var net = Infer(8, 6, 6, new[] { Compose(LayerKind.Residual, "Body", "Projection").Args(16, 2) with { Args = EquatableArray.Of(16, 2) } }, Body,
            Block("Projection", Conv(Arg.A, 1)));

        Assert.Equal("Residual #1 (Body, shortcut Projection with 16, 2) on 8×6×6: block Body gives 16×3×3 but shortcut Projection gives 16×6×6; both sides of the sum must have the same shape",
            net.Only(DiagnosticIds.ResidualMismatch).Message);
    }

    [Fact]
    public void Concat_sums_channels_of_branches_fed_the_same_input()
    {
        var net = Infer(3, 8, 8, new[] { Compose(LayerKind.Concat, "A", "B", "C") },
            Block("A", Conv(4, 1)), Block("B", Conv(6, 3, pad: 1)), Block("C", MaxPool(3, stride: 1, pad: 1)));

        Assert.Empty(net.Problems);
        var concat = net.Layers[0];
        Assert.Equal(Shape.Map(13, 8, 8), concat.Out);
        Assert.Equal(new[] { "branch1", "branch2", "branch3" }, concat.Paths.Select(p => p.Scope));
        Assert.Equal("concat1.branch2.conv1", concat.Paths[1].Layers[0].Path);
        Assert.Equal((4 * 3 + 4) + (6 * 27 + 6), concat.Parameters);
        Assert.Equal(3, concat.ReceptiveField);
    }

    [Fact]
    public void Concat_branches_of_different_sizes_or_ranks_are_CNN0006()
    {
        var sizes = Infer(3, 8, 8, new[] { Compose(LayerKind.Concat, "A", "B") }, Block("A", Conv(4, 1)), Block("B", Conv(6, 3)));
        var ranks = Infer(3, 8, 8, new[] { Compose(LayerKind.Concat, "A", "F") }, Block("A", Conv(4, 1)), Block("F", Layer(LayerKind.Flatten)));

        Assert.Equal("Concat #1 (A, B) on 3×8×8: A gives 4×8×8, B gives 6×6×6; Concat joins maps of one height and width along their channels",
            sizes.Only(DiagnosticIds.ConcatMismatch).Message);
        Assert.Contains("F gives 192", ranks.Only(DiagnosticIds.ConcatMismatch).Message);
    }

    [Fact]
    public void Repeat_chains_copies_with_their_own_weights_scoped_by_index()
    {
        var net = Infer(8, 5, 5, new[] { Compose(LayerKind.Repeat, "Body").Args(8, 1) with { Count = 3 } }, Body);

        Assert.Empty(net.Problems);
        var repeat = net.Layers[0];
        Assert.Equal(new[] { "0", "1", "2" }, repeat.Paths.Select(p => p.Scope));
        Assert.Equal(new[] { "repeat1.0.conv1", "repeat1.0.relu1", "repeat1.1.conv1", "repeat1.1.relu1", "repeat1.2.conv1", "repeat1.2.relu1" },
            repeat.Paths.SelectMany(p => p.Layers).Select(l => l.Path));
        Assert.Equal(3 * (8 * 8 * 9 + 8), repeat.Parameters);
        Assert.Equal(7, repeat.ReceptiveField);
    }

    [Fact]
    public void Repeat_count_below_1_is_CNN0004_and_the_block_is_still_checked()
    {
        var net = Infer(8, 5, 5, new[] { Compose(LayerKind.Repeat, "Bad") with { Count = 0 } }, Block("Bad", Conv(0, 3)));

        Assert.Equal(new[] { DiagnosticIds.InvalidArgument, DiagnosticIds.InvalidArgument }, net.Ids());
        Assert.Equal("Repeat #1 (0 × Bad) on 8×5×5: count must be at least 1, not 0", net.Problems[0].Message);
        Assert.Equal(new SpecLocation("", 1, "count"), net.Problems[0].At);
        Assert.Equal(new SpecLocation("Nets.Bad", 1, "filters") { UseSite = new SpecLocation("", 1) }, net.Problems[1].At);
    }

    [Fact]
    public void Repeat_stops_at_the_first_copy_that_fails()
    {
        var net = Infer(8, 5, 5, new[] { Compose(LayerKind.Repeat, "Shrink") with { Count = int.MaxValue } }, Block("Shrink", Conv(4, 3)));

        var problem = Assert.Single(net.Problems);
        Assert.Equal("Conv #1 (3×3, stride 1, pad 0) in block Shrink at repeat1.2.conv1 on 4×1×1 gives -1×-1 output: the 3×3 window is larger than the padded 1×1 input", problem.Message);
    }

    [Fact]
    public void Use_applies_a_block_once_under_its_lower_camel_case_name()
    {
        var net = Infer(8, 5, 5, new[] { Compose(LayerKind.Use, "ResStage").Args(4, 1) }, Block("ResStage", Conv(Arg.A, 1)));

        var use = net.Layers[0];
        Assert.Equal(("resStage1", Shape.Map(4, 5, 5)), (use.Path, use.Out));
        Assert.Equal("resStage1.conv1", use.Paths[0].Layers[0].Path);
        Assert.Equal(36, use.Parameters);
    }

    [Fact]
    public void Placeholders_pass_through_nested_blocks()
    {
        var net = Infer(3, 4, 4, new[] { Compose(LayerKind.Use, "Outer").Args(5) },
            Block("Outer", Compose(LayerKind.Use, "Inner").Args(Arg.A)), Block("Inner", Conv(Arg.A, 1)));

        Assert.Empty(net.Problems);
        Assert.Equal(Shape.Map(5, 4, 4), net.Output);
        Assert.Equal(new[] { 5 }, net.Layers[0].Paths[0].Layers[0].Spec.Args);
    }

    [Fact]
    public void A_placeholder_in_the_network_itself_is_CNN0014()
    {
        var net = Infer(3, 4, 4, new[] { Conv(Arg.B, 1), Compose(LayerKind.Use, "Inner").Args(Arg.A) }, Block("Inner", Conv(4, 1)));

        Assert.Equal(new[] { DiagnosticIds.MissingBlockArgument, DiagnosticIds.MissingBlockArgument }, net.Ids());
        Assert.Equal("Conv #1 uses Arg.B for filters, but placeholders only have values inside a [Block]: write the value itself", net.Problems[0].Message);
        Assert.Equal(new SpecLocation("", 1, "filters"), net.Problems[0].At);
        Assert.Equal(new SpecLocation("", 2, "args"), net.Problems[1].At);
    }

    [Fact]
    public void A_placeholder_beyond_the_arguments_passed_is_CNN0014_reported_at_the_use()
    {
        var net = Infer(3, 4, 4, new[] { Layer(LayerKind.Relu), Compose(LayerKind.Repeat, "Body").Args(8) with { Count = 2 } }, Body);

        var problem = Assert.Single(net.Problems);
        Assert.Equal(DiagnosticIds.MissingBlockArgument, problem.Id);
        Assert.Equal("Conv #1 in block Body at repeat1.0.conv1 uses Arg.B for stride, but Repeat #2 (2 × Body with 8) passes 1 argument: pass at least 2", problem.Message);
        Assert.Equal(new SpecLocation("Nets.Body", 1, "stride") { UseSite = new SpecLocation("", 2) }, problem.At);
    }

    [Fact]
    public void Problems_deep_in_blocks_point_at_the_outermost_use_and_are_reported_once()
    {
        var net = Infer(3, 4, 4, new[] { Layer(LayerKind.Relu), Compose(LayerKind.Repeat, "Outer") with { Count = 3 } },
            Block("Outer", Compose(LayerKind.Use, "Inner")), Block("Inner", Layer(LayerKind.Dropout) with { Rate = 2 }));

        var problem = Assert.Single(net.Problems);
        Assert.Equal("Dropout #1 in block Inner at repeat1.0.inner1.dropout1 on 3×4×4: rate must be in [0, 1), not 2", problem.Message);
        Assert.Equal(new SpecLocation("Nets.Inner", 1, "rate") { UseSite = new SpecLocation("", 2) }, problem.At);
    }

    [Fact]
    public void A_composition_of_a_class_without_Block_is_CNN0013()
    {
        var net = InferSource("""
            [Conv(4, 3)]
            public class Plain;
            [Network(1, 8, 8), Relu, Use<Plain>]
            public partial class Net;
            """);

        var problem = Assert.Single(net.Problems);
        Assert.Equal(DiagnosticIds.NotABlock, problem.Id);
        Assert.Equal("Use #2 uses Plain, which is not a [Block] class: add [Block] to Plain, or use a block", problem.Message);
        Assert.Equal(new SpecLocation("", 2), problem.At);
    }

    [Fact]
    public void Blocks_that_use_each_other_are_CNN0007_with_the_cycle()
    {
        var net = InferSource("""
            [Block, Use<B>] public class A;
            [Block, Relu, Use<A>] public class B;
            [Network(1, 8, 8), Use<A>]
            public partial class Net;
            """);

        var problem = Assert.Single(net.Problems);
        Assert.Equal(DiagnosticIds.BlockCycle, problem.Id);
        Assert.Equal("Use #2 in block B at a1.b1.a1 uses block A inside itself (A → B → A): a block cannot contain itself, directly or through other blocks", problem.Message);
        Assert.Equal(new SpecLocation("Nets.B", 2) { UseSite = new SpecLocation("", 1) }, problem.At);
    }

    [Fact]
    public void Nesting_deeper_than_64_blocks_is_CNN0007()
    {
        var blocks = Enumerable.Range(0, 70)
            .Select(i => i < 69 ? Block("B" + i, Compose(LayerKind.Use, "B" + (i + 1)).Named("")) : Block("B69", Layer(LayerKind.Relu)))
            .ToArray();

        var net = Infer(1, 2, 2, new[] { Compose(LayerKind.Use, "B0") }, blocks);

        var problem = net.Only(DiagnosticIds.BlockCycle);
        Assert.StartsWith("Use #1 in block B63 at b01 nests blocks more than 64 deep (B0 → … → B64)", problem.Message);
    }

    [Fact]
    public void Expansion_is_capped_so_huge_repeats_end_quickly_with_CNN0007()
    {
        var empty = Infer(1, 2, 2, new[] { Compose(LayerKind.Repeat, "Empty") with { Count = int.MaxValue } }, Block("Empty"));
        var nested = Infer(1, 2, 2, new[] { Compose(LayerKind.Repeat, "Outer") with { Count = 1000 } },
            Block("Outer", Compose(LayerKind.Repeat, "Inner") with { Count = 1000 }), Block("Inner", Layer(LayerKind.Relu)));

        Assert.Contains("expands to more than 100,000 layers and block uses", empty.Only(DiagnosticIds.BlockCycle).Message);
        Assert.Equal(new SpecLocation("Nets.Inner", 1) { UseSite = new SpecLocation("", 1) }, nested.Only(DiagnosticIds.BlockCycle).At);
        Assert.Empty(nested.Layers);
    }

    [Fact]
    public void Softmax_ending_a_block_warns_when_a_layer_or_a_sum_follows()
    {
        var head = Block("Head", Dense(10), Layer(LayerKind.Softmax));
        var followed = Infer(4, 1, 1, new[] { Compose(LayerKind.Use, "Head"), Layer(LayerKind.Relu) }, head);
        var last = Infer(4, 1, 1, new[] { Compose(LayerKind.Use, "Head") }, head);
        var summed = Infer(4, 1, 1, new[] { Compose(LayerKind.Residual, "Soft") }, Block("Soft", Layer(LayerKind.Softmax)));

        var problem = followed.Only(DiagnosticIds.SoftmaxBeforeLoss);
        Assert.Equal(new SpecLocation("Nets.Head", 2) { UseSite = new SpecLocation("", 1) }, problem.At);
        Assert.StartsWith("Softmax #2 in block Head at head1.softmax1 is followed by Relu #2:", problem.Message);
        Assert.Empty(last.Problems);
        Assert.StartsWith("Softmax #1 in block Soft at res1.softmax1 is followed by the sum of Residual #1:", summed.Only(DiagnosticIds.SoftmaxBeforeLoss).Message);
    }

    [Fact]
    public void After_an_error_inside_a_composition_later_layers_are_still_checked()
    {
        var net = Infer(8, 6, 6, new[] { Compose(LayerKind.Use, "Bad"), Conv(4, 3, stride: 0) }, Block("Bad", Conv(4, 9)));

        Assert.Equal(new[] { DiagnosticIds.NonPositiveOutput, DiagnosticIds.InvalidArgument }, net.Ids());
        Assert.Empty(net.Layers);
    }

    [Fact]
    public void An_incomplete_spec_is_not_inferred_and_parser_problems_come_first_once_each()
    {
        var parsed = new Problem(DiagnosticIds.NotPartial, SpecLocation.Class(), "not partial");
        var spec = Spec(1, 4, 4, Conv(0, 3)) with { Problems = EquatableArray.Of(parsed, parsed) };

        var inferred = ShapeInference.Infer(spec);
        var incomplete = ShapeInference.Infer(spec with { Incomplete = true });

        Assert.Equal(new[] { DiagnosticIds.NotPartial, DiagnosticIds.InvalidArgument }, inferred.Ids());
        Assert.Equal(new[] { parsed }, incomplete.Problems);
        Assert.Empty(incomplete.Layers);
    }

    [Theory]
    [InlineData(0, 28, 28, "channels", "Network input 0×28×28: channels must be at least 1, not 0")]
    [InlineData(1, -3, 28, "height", "Network input 1×-3×28: height must be at least 1, not -3")]
    [InlineData(1, 28, Arg.C, "width", "Network input uses Arg.C for width, but placeholders only have values inside a [Block]: write the value itself")]
    public void The_network_input_must_be_positive_numbers(int c, int h, int w, string argument, string message)
    {
        var net = Infer(c, h, w, new[] { Conv(0, 3) });

        Assert.Equal(message, net.Problems[0].Message);
        Assert.Equal(new SpecLocation("", 0, argument), net.Problems[0].At);
        Assert.Equal(2, net.Problems.Count);
    }

    [Fact]
    public void An_input_too_large_for_an_array_is_CNN0004()
    {
        var net = Infer(1000, 100_000, 100_000, new[] { Layer(LayerKind.Relu) });

        Assert.Equal("Network input 1000×100000×100000 has 10,000,000,000,000 values per sample, more than an array holds (2,147,483,647)", net.Only(DiagnosticIds.InvalidArgument).Message);
    }
}
