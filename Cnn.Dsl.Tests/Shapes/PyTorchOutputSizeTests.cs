using Cnn.Generators.Models;
using static Cnn.Dsl.Tests.Shapes.SpecBuilder;

namespace Cnn.Dsl.Tests.Shapes;

/// <summary>
/// Output sizes PyTorch 1.13 itself computed (random cases, seed 7, by running
/// <c>max_pool2d</c>, <c>conv2d</c> and <c>conv_transpose2d</c> on zeros); regenerate with
/// <c>Shapes/pytorch_output_sizes.py</c>.
/// </summary>
public class PyTorchOutputSizeTests
{
    [Theory]
    [InlineData(11, 2, 4, 0, true, 3)]
    [InlineData(18, 1, 3, 0, false, 6)]
    [InlineData(7, 1, 1, 0, true, 7)]
    [InlineData(8, 1, 4, 0, false, 2)]
    [InlineData(4, 2, 1, 1, true, 5)]
    [InlineData(8, 1, 2, 0, true, 4)]
    [InlineData(18, 1, 3, 0, true, 6)]
    [InlineData(19, 6, 2, 2, true, 10)]
    [InlineData(3, 5, 1, 2, true, 3)]
    [InlineData(18, 4, 3, 1, true, 7)]
    [InlineData(15, 3, 3, 0, false, 5)]
    [InlineData(8, 1, 3, 0, false, 3)]
    [InlineData(15, 3, 1, 0, true, 13)]
    [InlineData(6, 3, 2, 1, true, 4)]
    [InlineData(3, 5, 3, 1, false, 1)]
    [InlineData(20, 4, 4, 0, false, 5)]
    [InlineData(9, 4, 1, 0, false, 6)]
    [InlineData(10, 6, 4, 2, false, 3)]
    [InlineData(12, 1, 4, 0, true, 3)]
    [InlineData(4, 4, 1, 0, false, 1)]
    [InlineData(5, 6, 2, 3, true, 4)]
    [InlineData(16, 1, 2, 0, true, 8)]
    [InlineData(9, 2, 4, 1, false, 3)]
    [InlineData(12, 6, 4, 1, true, 3)]
    [InlineData(6, 2, 2, 0, true, 3)]
    [InlineData(19, 2, 3, 1, true, 7)]
    [InlineData(14, 5, 3, 2, true, 6)]
    [InlineData(5, 6, 1, 3, false, 6)]
    [InlineData(18, 4, 4, 1, true, 5)]
    [InlineData(16, 6, 4, 0, true, 4)]
    [InlineData(7, 4, 2, 0, true, 3)]
    [InlineData(2, 1, 1, 0, true, 2)]
    [InlineData(12, 5, 1, 0, false, 8)]
    [InlineData(20, 4, 2, 2, true, 11)]
    [InlineData(12, 5, 3, 1, true, 4)]
    [InlineData(16, 4, 4, 1, true, 5)]
    [InlineData(5, 1, 3, 0, true, 2)]
    [InlineData(6, 5, 1, 0, false, 2)]
    [InlineData(17, 3, 2, 0, false, 8)]
    [InlineData(10, 6, 1, 2, true, 9)]
    public void Pooling_matches_PyTorch(int input, int size, int stride, int pad, bool ceilMode, int expected)
    {
        var net = Infer(1, input, input, MaxPool(size, stride, pad, ceilMode));

        Assert.Equal(Shape.Map(1, expected, expected), Assert.Single(net.Layers).Out);
    }

    [Theory]
    [InlineData(6, 3, 2, 4, 3, 4)]
    [InlineData(17, 3, 2, 4, 1, 12)]
    [InlineData(8, 4, 2, 1, 3, 1)]
    [InlineData(16, 3, 1, 0, 2, 12)]
    [InlineData(16, 3, 2, 4, 2, 10)]
    [InlineData(15, 6, 3, 2, 1, 5)]
    [InlineData(8, 1, 2, 3, 1, 7)]
    [InlineData(11, 2, 4, 4, 3, 4)]
    [InlineData(4, 4, 2, 3, 1, 4)]
    [InlineData(13, 4, 4, 0, 3, 1)]
    [InlineData(6, 2, 2, 0, 1, 3)]
    [InlineData(19, 4, 2, 4, 3, 9)]
    [InlineData(16, 6, 3, 1, 3, 1)]
    [InlineData(18, 2, 1, 0, 3, 15)]
    [InlineData(4, 5, 2, 3, 1, 3)]
    [InlineData(7, 1, 3, 1, 2, 3)]
    [InlineData(17, 2, 3, 2, 3, 6)]
    [InlineData(14, 2, 1, 2, 2, 16)]
    [InlineData(19, 5, 4, 4, 1, 6)]
    [InlineData(18, 2, 1, 3, 1, 23)]
    public void Conv_matches_PyTorch(int input, int kernel, int stride, int pad, int dilation, int expected)
    {
        var net = Infer(1, input, input, Conv(1, kernel, stride, pad, dilation));

        Assert.Equal(Shape.Map(1, expected, expected), Assert.Single(net.Layers).Out);
    }

    [Theory]
    [InlineData(10, 1, 2, 1, 0, 17)]
    [InlineData(8, 5, 1, 0, 0, 12)]
    [InlineData(11, 5, 4, 0, 0, 45)]
    [InlineData(4, 2, 3, 0, 0, 11)]
    [InlineData(9, 4, 1, 0, 0, 12)]
    [InlineData(6, 5, 2, 2, 1, 12)]
    [InlineData(9, 5, 4, 1, 2, 37)]
    [InlineData(9, 2, 4, 1, 3, 35)]
    [InlineData(2, 4, 4, 2, 0, 4)]
    [InlineData(11, 2, 4, 0, 1, 43)]
    [InlineData(11, 3, 1, 1, 0, 11)]
    [InlineData(3, 3, 2, 3, 0, 1)]
    [InlineData(12, 1, 4, 3, 1, 40)]
    [InlineData(11, 2, 2, 3, 1, 17)]
    [InlineData(6, 4, 2, 2, 1, 11)]
    [InlineData(2, 6, 3, 0, 1, 10)]
    [InlineData(9, 4, 4, 0, 3, 39)]
    [InlineData(6, 5, 3, 0, 0, 20)]
    [InlineData(1, 2, 3, 1, 1, 1)]
    [InlineData(11, 3, 4, 1, 3, 44)]
    public void ConvTranspose_matches_PyTorch(int input, int kernel, int stride, int pad, int outputPad, int expected)
    {
        var net = Infer(1, input, input, ConvT(1, kernel, stride, pad, outputPad));

        Assert.Equal(Shape.Map(1, expected, expected), Assert.Single(net.Layers).Out);
    }
}
