using System;
using Cnn.Generators.Diagnostics;
using Cnn.Generators.Models;
using static Cnn.Dsl.Tests.Shapes.SpecBuilder;

namespace Cnn.Dsl.Tests.Shapes;

public class PoolingShapeTests
{
    [Fact]
    public void MaxPool_stride_defaults_to_the_window_and_is_resolved_in_the_spec()
    {
        var net = Infer(6, 28, 28, MaxPool(2));

        var pool = Assert.Single(net.Layers);
        Assert.Equal(Shape.Map(6, 14, 14), pool.Out);
        Assert.Equal(2, pool.Spec.Stride);
        Assert.Equal((0L, 0L), (pool.Parameters, pool.MultiplyAdds));
        Assert.Equal((2, 2.0), (pool.ReceptiveField, pool.Jump));
        Assert.Empty(net.Problems);
    }

    [Fact]
    public void AvgPool_with_stride_and_padding()
    {
        var net = Infer(4, 112, 112, AvgPool(3, stride: 2, pad: 1));

        Assert.Equal(Shape.Map(4, 56, 56), net.Output);
        Assert.Equal(LayerKind.AvgPool, net.Layers[0].Kind);
        Assert.Empty(net.Problems);
    }

    [Fact]
    public void MaxPool_on_an_odd_size_warns_that_it_drops_the_last_row_and_column()
    {
        var net = Infer(6, 7, 7, MaxPool(2));

        var problem = Assert.Single(net.Problems);
        Assert.Equal(DiagnosticIds.DropsInput, problem.Id);
        Assert.Equal("MaxPool #1 (2×2, stride 2, pad 0) on 6×7×7 gives 6×3×3 and never reads the last row and column of its input: its 2×2 windows at stride 2 stop short of the edge; pad: 1 keeps them", problem.Message);
        Assert.Equal("pad=1", problem.FixData);
        Assert.Equal(new SpecLocation("", 1), problem.At);
    }

    [Fact]
    public void Ceil_mode_keeps_the_last_rows_and_does_not_warn()
    {
        var net = Infer(6, 7, 7, MaxPool(2, ceilMode: true));

        Assert.Empty(net.Problems);
        Assert.Equal(Shape.Map(6, 4, 4), net.Output);
    }

    [Fact]
    public void In_ceil_mode_a_window_starting_in_the_right_padding_is_dropped()
    {
        // ceil((5 + 2 − 2) / 2) + 1 = 4, but window 4 would start at 6 ≥ 5 + 1: PyTorch gives 3.
        var net = Infer(1, 5, 5, MaxPool(2, stride: 2, pad: 1, ceilMode: true));

        Assert.Equal(Shape.Map(1, 3, 3), net.Output);
    }

    [Fact]
    public void A_drop_no_legal_padding_can_fix_has_no_fix_data()
    {
        // With pad 1, 3×3 windows at stride 3 read padded rows 0–5 of 0–7: real row 6 is lost, and pad 2 is more than half the window.
        var net = Infer(1, 6, 6, MaxPool(3, stride: 3, pad: 1));

        var problem = net.Only(DiagnosticIds.DropsInput);
        Assert.Null(problem.FixData);
        Assert.EndsWith("change the padding, stride or input size to keep them", problem.Message);
    }

    [Theory]
    [InlineData(0, 0, 0, "size", "size must be at least 1, not 0")]
    [InlineData(2, -1, 0, "stride", "stride must be at least 0, not -1")]
    [InlineData(2, 0, -1, "pad", "pad must be at least 0, not -1")]
    [InlineData(3, 0, 2, "pad", "pad must be at most half the window (1), not 2")]
    public void Pool_arguments_out_of_range_are_CNN0004(int size, int stride, int pad, string argument, string rule)
    {
        var net = Infer(1, 8, 8, MaxPool(size, stride, pad));

        var problem = Assert.Single(net.Problems);
        Assert.Equal(DiagnosticIds.InvalidArgument, problem.Id);
        Assert.Equal(new SpecLocation("", 1, argument), problem.At);
        Assert.EndsWith(": " + rule, problem.Message);
    }

    [Fact]
    public void A_window_larger_than_the_input_is_CNN0001()
    {
        var net = Infer(3, 2, 8, AvgPool(3));

        Assert.Equal("AvgPool #1 (3×3, stride 3, pad 0) on 3×2×8 gives 0×2 output: the 3×3 window is larger than the padded 2×8 input", net.Only(DiagnosticIds.NonPositiveOutput).Message);
    }

    [Theory]
    [InlineData("MaxPool")]
    [InlineData("AvgPool")]
    [InlineData("GlobalAvgPool")]
    public void Pooling_a_vector_is_CNN0003(string kind)
    {
        var net = Infer(2, 4, 4, Layer(LayerKind.Flatten), MaxPool(2) with { Kind = Enum.Parse<LayerKind>(kind) });

        Assert.Equal(new[] { DiagnosticIds.NeedsSpatial }, net.Ids());
    }

    [Fact]
    public void GlobalAvgPool_gives_channels_by_1_by_1_and_sees_the_whole_map()
    {
        var net = Infer(512, 7, 7, Layer(LayerKind.GlobalAvgPool), Dense(10));

        Assert.Empty(net.Problems);
        Assert.Equal(Shape.Map(512, 1, 1), net.Layers[0].Out);
        Assert.Equal(7, net.Layers[0].ReceptiveField);
        Assert.Equal(5130, net.Layers[1].Parameters);
        Assert.Equal(Shape.Vector(10), net.Output);
    }
}
