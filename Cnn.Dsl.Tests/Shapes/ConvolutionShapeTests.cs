using System.Linq;
using Cnn.Generators.Diagnostics;
using Cnn.Generators.Models;
using static Cnn.Dsl.Tests.Shapes.SpecBuilder;

namespace Cnn.Dsl.Tests.Shapes;

public class ConvolutionShapeTests
{
    [Fact]
    public void Conv_gives_PyTorch_size_parameters_and_multiply_adds()
    {
        var net = Infer(3, 32, 32, Conv(16, 3, pad: 1));

        Assert.Empty(net.Problems);
        var conv = Assert.Single(net.Layers);
        Assert.Equal((Shape.Map(3, 32, 32), Shape.Map(16, 32, 32)), (conv.In, conv.Out));
        Assert.Equal(16 * 3 * 9 + 16, conv.Parameters);
        Assert.Equal(16L * 32 * 32 * 3 * 9, conv.MultiplyAdds);
        Assert.Equal((3, 1.0), (conv.ReceptiveField, conv.Jump));
        Assert.Equal(Shape.Map(16, 32, 32), net.Output);
    }

    [Fact]
    public void Conv_with_stride_dilation_groups_and_no_bias()
    {
        // Effective kernel 2·(3 − 1) + 1 = 5: floor((15 + 4 − 5) / 2) + 1 = 8.
        var net = Infer(8, 15, 15, Conv(32, 3, stride: 2, pad: 2, dilation: 2, groups: 4, bias: false));

        var conv = Assert.Single(net.Layers);
        Assert.Equal(Shape.Map(32, 8, 8), conv.Out);
        Assert.Equal(32 * (8 / 4) * 9, conv.Parameters);
        Assert.Equal(32L * 8 * 8 * 2 * 9, conv.MultiplyAdds);
        Assert.Equal((5, 2.0), (conv.ReceptiveField, conv.Jump));
    }

    [Fact]
    public void Conv_keeps_height_and_width_apart()
    {
        var net = Infer(1, 28, 20, Conv(4, 5));

        Assert.Equal(Shape.Map(4, 24, 16), net.Output);
    }

    [Fact]
    public void A_kernel_larger_than_the_padded_input_is_CNN0001_with_the_design_message()
    {
        var net = Infer(1, 16, 16, Conv(16, 5), MaxPool(3), Layer(LayerKind.Relu), Conv(16, 5), Layer(LayerKind.Relu));

        var problem = Assert.Single(net.Problems);
        Assert.Equal(DiagnosticIds.NonPositiveOutput, problem.Id);
        Assert.Equal("Conv #4 (5×5, stride 1, pad 0) on 16×4×4 gives 0×0 output: the 5×5 window is larger than the padded 4×4 input", problem.Message);
        Assert.Equal(new SpecLocation("", 4), problem.At);
        Assert.Equal(3, net.Layers.Count);
        Assert.Equal(default, net.Output);
        Assert.True(net.HasErrors);
    }

    [Theory]
    [InlineData(0, 3, 1, 0, 1, 1, "filters", "filters must be at least 1, not 0")]
    [InlineData(4, 0, 1, 0, 1, 1, "kernel", "kernel must be at least 1, not 0")]
    [InlineData(4, 3, 0, 0, 1, 1, "stride", "stride must be at least 1, not 0")]
    [InlineData(4, 3, 1, -1, 1, 1, "pad", "pad must be at least 0, not -1")]
    [InlineData(4, 3, 1, 0, 0, 1, "dilation", "dilation must be at least 1, not 0")]
    [InlineData(4, 3, 1, 0, 1, -2, "groups", "groups must be at least 1, not -2")]
    [InlineData(4, 3, 1, 0, 1, 4, "groups", "groups 4 must divide the 6 input channels")]
    [InlineData(5, 3, 1, 0, 1, 2, "groups", "groups 2 must divide the 5 filters")]
    public void Conv_arguments_out_of_range_are_CNN0004_at_the_argument(int filters, int kernel, int stride, int pad, int dilation, int groups, string argument, string rule)
    {
        var net = Infer(6, 8, 8, Conv(filters, kernel, stride, pad, dilation, groups), Layer(LayerKind.Relu));

        var problem = Assert.Single(net.Problems);
        Assert.Equal(DiagnosticIds.InvalidArgument, problem.Id);
        Assert.Equal(new SpecLocation("", 1, argument), problem.At);
        Assert.EndsWith(" on 6×8×8: " + rule, problem.Message);
        Assert.Empty(net.Layers);
    }

    [Fact]
    public void An_invalid_argument_message_names_layer_arguments_and_input()
    {
        var net = Infer(3, 8, 8, Layer(LayerKind.Relu), Conv(4, 3, stride: 0, pad: 1));

        Assert.Equal("Conv #2 (3×3, stride 0, pad 1) on 3×8×8: stride must be at least 1, not 0", net.Only(DiagnosticIds.InvalidArgument).Message);
    }

    [Fact]
    public void Every_invalid_argument_is_reported_even_after_an_earlier_error()
    {
        var net = Infer(1, 4, 4, Conv(4, 9), Conv(0, 3, stride: -1));

        Assert.Equal(new[] { DiagnosticIds.NonPositiveOutput, DiagnosticIds.InvalidArgument, DiagnosticIds.InvalidArgument }, net.Ids());
        Assert.Equal("Conv #2 (3×3, stride -1, pad 0): filters must be at least 1, not 0", net.Problems[1].Message);
    }

    [Fact]
    public void Conv_after_Flatten_is_CNN0003()
    {
        var net = Infer(1, 4, 4, Layer(LayerKind.Flatten), Conv(4, 3));

        var problem = net.Only(DiagnosticIds.NeedsSpatial);
        Assert.Equal("Conv #2 (3×3, stride 1, pad 0) on 16: Conv needs channels × height × width but gets a vector of 16; move it before Flatten", problem.Message);
        Assert.Equal(new SpecLocation("", 2), problem.At);
    }

    [Fact]
    public void Outputs_too_large_for_an_array_are_CNN0004_not_overflow()
    {
        var net = Infer(1, 8, 8, Conv(int.MaxValue, 1, pad: int.MaxValue));

        var problem = net.Only(DiagnosticIds.InvalidArgument);
        Assert.Equal(
            "Conv #1 (1×1, stride 1, pad 2147483647) on 1×8×8: it gives 2147483647×4294967302×4294967302 = more than 9,223,372,036,854,775,807 values per sample, more than an array holds (2,147,483,647)",
            problem.Message);
    }

    [Fact]
    public void Weights_too_many_for_an_array_are_CNN0004()
    {
        var net = Infer(65_536, 1, 1, Conv(65_536, 1));

        Assert.Contains("it has 4,294,967,296 weights, more than an array holds", net.Only(DiagnosticIds.InvalidArgument).Message);
    }

    [Fact]
    public void ConvTranspose_gives_PyTorch_size_parameters_and_multiply_adds()
    {
        var net = Infer(16, 7, 7, ConvT(8, 4, stride: 2, pad: 1));

        var layer = Assert.Single(net.Layers);
        Assert.Equal(Shape.Map(8, 14, 14), layer.Out);
        Assert.Equal(16 * 8 * 16 + 8, layer.Parameters);
        Assert.Equal(16L * 8 * 16 * 7 * 7, layer.MultiplyAdds);
        // Each output gathers ceil(4 / 2) = 2 inputs; outputs are half an input pixel apart.
        Assert.Equal((2, 0.5), (layer.ReceptiveField, layer.Jump));
    }

    [Fact]
    public void ConvTranspose_output_padding_adds_a_row_and_column()
    {
        var net = Infer(16, 7, 7, ConvT(8, 3, stride: 2, pad: 1, outputPad: 1, bias: false));

        Assert.Equal(Shape.Map(8, 14, 14), net.Output);
        Assert.Equal(16 * 8 * 9, net.Layers[0].Parameters);
    }

    [Theory]
    [InlineData(2, 2, "outputPad must be smaller than stride 2, not 2")]
    [InlineData(1, 1, "outputPad must be smaller than stride 1, not 1")]
    [InlineData(2, -1, "outputPad must be at least 0, not -1")]
    public void ConvTranspose_output_padding_must_be_smaller_than_stride(int stride, int outputPad, string rule)
    {
        var net = Infer(4, 5, 5, ConvT(4, 3, stride, outputPad: outputPad));

        var problem = net.Only(DiagnosticIds.InvalidArgument);
        Assert.Equal(new SpecLocation("", 1, "outputPad"), problem.At);
        Assert.EndsWith(rule, problem.Message);
    }

    [Fact]
    public void ConvTranspose_padding_that_removes_everything_is_CNN0001()
    {
        var net = Infer(4, 1, 1, ConvT(4, 2, pad: 1));

        var problem = net.Only(DiagnosticIds.NonPositiveOutput);
        Assert.Equal("ConvTranspose #1 (2×2, stride 1, pad 1) on 4×1×1 gives 0×0 output: removing pad 1 from every side of the full 2×2 output leaves nothing", problem.Message);
        Assert.Equal(new SpecLocation("", 1, "pad"), problem.At);
    }

    [Fact]
    public void ConvTranspose_on_a_vector_is_CNN0003()
    {
        var net = Infer(4, 2, 2, Layer(LayerKind.Flatten), ConvT(4, 2));

        Assert.Equal(new[] { DiagnosticIds.NeedsSpatial }, net.Ids());
    }

    [Fact]
    public void A_strided_conv_that_skips_the_last_row_warns_with_the_padding_that_keeps_it()
    {
        var net = Infer(1, 8, 8, Conv(4, 3, stride: 2));

        var problem = net.Only(DiagnosticIds.DropsInput);
        Assert.True(problem.IsWarning);
        Assert.Equal("pad=1", problem.FixData);
        Assert.Equal("Conv #1 (3×3, stride 2, pad 0) on 1×8×8 gives 4×3×3 and never reads the last row and column of its input: its 3×3 windows at stride 2 stop short of the edge; pad: 1 keeps them", problem.Message);
        Assert.False(net.HasErrors);
        Assert.Equal(Shape.Map(4, 3, 3), net.Output);
    }

    [Theory]
    [InlineData(32, 3, 2, 1)]   // the usual stride-2 3×3 with pad 1
    [InlineData(56, 1, 2, 0)]   // ResNet's 1×1 stride-2 projection skips every other row by design
    [InlineData(224, 7, 2, 3)]  // ResNet's stem
    [InlineData(227, 11, 4, 0)] // AlexNet's first layer
    [InlineData(9, 3, 1, 0)]
    public void Ordinary_strided_convs_do_not_warn(int size, int kernel, int stride, int pad)
    {
        var net = Infer(3, size, size, Conv(8, kernel, stride, pad));

        Assert.Empty(net.Problems);
    }

    [Fact]
    public void Rows_and_columns_are_counted_separately()
    {
        var net = Infer(1, 8, 10, Conv(1, 2, stride: 3));

        Assert.Contains("never reads the last 2 columns of its input", net.Only(DiagnosticIds.DropsInput).Message);
    }
}
