using System;
using System.Linq;
using Cnn.Generators.Diagnostics;
using Cnn.Generators.Models;
using static Cnn.Dsl.Tests.Shapes.SpecBuilder;

namespace Cnn.Dsl.Tests.Shapes;

public class FeatureShapeTests
{
    [Fact]
    public void BatchNorm_learns_two_values_per_channel_or_per_vector_value()
    {
        var net = Infer(16, 8, 8, Layer(LayerKind.BatchNorm), Layer(LayerKind.Flatten), Layer(LayerKind.BatchNorm));

        Assert.Empty(net.Problems);
        Assert.Equal(new long[] { 32, 0, 2048 }, net.Layers.Select(l => l.Parameters));
        Assert.Equal(Shape.Vector(1024), net.Output);
    }

    [Theory]
    [InlineData(0.0, 0.1, "eps", "eps must be a positive finite number, not 0")]
    [InlineData(double.NaN, 0.1, "eps", "eps must be a positive finite number, not NaN")]
    [InlineData(1e-5, 1.5, "momentum", "momentum must be in [0, 1], not 1.5")]
    public void BatchNorm_arguments_out_of_range_are_CNN0004_and_inference_goes_on(double eps, double momentum, string argument, string rule)
    {
        var net = Infer(4, 2, 2, Layer(LayerKind.BatchNorm) with { Eps = eps, Momentum = momentum }, Layer(LayerKind.Flatten));

        var problem = Assert.Single(net.Problems);
        Assert.Equal(new SpecLocation("", 1, argument), problem.At);
        Assert.Equal("BatchNorm #1 on 4×2×2: " + rule, problem.Message);
        Assert.Equal(Shape.Vector(16), net.Output);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Dropout_rate_outside_0_to_1_is_CNN0004(double rate)
    {
        var net = Infer(4, 2, 2, Layer(LayerKind.Dropout) with { Rate = rate }, Layer(LayerKind.Relu));

        var problem = net.Only(DiagnosticIds.InvalidArgument);
        Assert.Equal(new SpecLocation("", 1, "rate"), problem.At);
        Assert.StartsWith("Dropout #1 on 4×2×2: rate must be in [0, 1), not ", problem.Message);
        Assert.Equal(2, net.Layers.Count);
    }

    [Fact]
    public void Dropout_and_activations_keep_maps_and_vectors()
    {
        var activations = new[] { LayerKind.Relu, LayerKind.LeakyRelu, LayerKind.Elu, LayerKind.Tanh, LayerKind.Sigmoid, LayerKind.Gelu, LayerKind.Dropout };
        var layers = activations.Select(Layer).Append(Layer(LayerKind.Flatten)).Concat(activations.Select(Layer)).ToArray();

        var net = Infer(3, 4, 5, layers);

        Assert.Empty(net.Problems);
        Assert.All(net.Layers.Take(7), l => Assert.Equal(Shape.Map(3, 4, 5), l.Out));
        Assert.All(net.Layers.Skip(7), l => Assert.Equal(Shape.Vector(60), l.Out));
    }

    [Theory]
    [InlineData("LeakyRelu", "slope")]
    [InlineData("Elu", "alpha")]
    public void Activation_arguments_must_be_finite(string kind, string argument)
    {
        var net = Infer(1, 2, 2, Layer(Enum.Parse<LayerKind>(kind)) with { Slope = double.NaN, Alpha = double.NegativeInfinity });

        var problem = net.Only(DiagnosticIds.InvalidArgument);
        Assert.Equal(new SpecLocation("", 1, argument), problem.At);
    }

    [Fact]
    public void Flatten_gives_C_H_W_values_and_on_a_vector_is_CNN0003_that_inference_recovers_from()
    {
        var net = Infer(16, 5, 5, Layer(LayerKind.Flatten), Layer(LayerKind.Flatten), Dense(10));

        var problem = Assert.Single(net.Problems);
        Assert.Equal(DiagnosticIds.NeedsSpatial, problem.Id);
        Assert.Equal("Flatten #2 on 400: Flatten needs channels × height × width but its input is already a vector of 400; remove this Flatten", problem.Message);
        Assert.Equal(Shape.Vector(400), net.Layers[0].Out);
        Assert.Equal(Shape.Vector(10), net.Output);
    }

    [Fact]
    public void Dense_on_a_map_is_CNN0002_with_the_Flatten_fix()
    {
        var net = Infer(1, 28, 28,
            Conv(6, 5, pad: 2), Layer(LayerKind.Relu), MaxPool(2), Conv(16, 5), Layer(LayerKind.Relu), MaxPool(2), Dense(120), Layer(LayerKind.Relu));

        var problem = Assert.Single(net.Problems);
        Assert.Equal(DiagnosticIds.NeedsFlatten, problem.Id);
        Assert.Equal("Dense #7 needs a vector but gets 16×5×5: insert Flatten before it", problem.Message);
        Assert.Equal("Flatten", problem.FixData);
        Assert.Equal(new SpecLocation("", 7), problem.At);
        // Inference goes on as if Flatten were there.
        Assert.Equal((400L * 120 + 120, Shape.Vector(120)), (net.Layers[6].Parameters, net.Output));
    }

    [Fact]
    public void Dense_accepts_a_map_of_1_by_1_as_a_vector()
    {
        var net = Infer(64, 1, 1, Dense(10, bias: false));

        Assert.Empty(net.Problems);
        Assert.Equal((640L, 640L), (net.Layers[0].Parameters, net.Layers[0].MultiplyAdds));
    }

    [Fact]
    public void Dense_units_must_be_positive()
    {
        var net = Infer(10, 1, 1, Layer(LayerKind.Flatten), Dense(0));

        var problem = net.Only(DiagnosticIds.InvalidArgument);
        Assert.Equal("Dense #2 on 10: units must be at least 1, not 0", problem.Message);
        Assert.Equal(new SpecLocation("", 2, "units"), problem.At);
    }

    [Fact]
    public void Parameters_that_fit_per_layer_but_not_together_are_CNN0004_on_the_class()
    {
        var net = Infer(40_000, 1, 1, Dense(40_000), Dense(40_000));

        var problem = Assert.Single(net.Problems);
        Assert.Equal(DiagnosticIds.InvalidArgument, problem.Id);
        Assert.Equal(SpecLocation.Class(), problem.At);
        Assert.Equal("Network Net has 3,200,080,000 parameters, more than one array holds (2,147,483,647)", problem.Message);
    }

    [Fact]
    public void A_last_Softmax_is_inference_output_and_does_not_warn()
    {
        var net = Infer(10, 1, 1, Layer(LayerKind.Flatten), Dense(10), Layer(LayerKind.Softmax));

        Assert.Empty(net.Problems);
        Assert.Equal(Shape.Vector(10), net.Output);
    }

    [Fact]
    public void Softmax_followed_by_a_layer_is_CNN0012_at_the_softmax()
    {
        var net = Infer(10, 1, 1, Layer(LayerKind.Flatten), Layer(LayerKind.Softmax), Dense(10));

        var problem = Assert.Single(net.Problems);
        Assert.Equal(DiagnosticIds.SoftmaxBeforeLoss, problem.Id);
        Assert.True(problem.IsWarning);
        Assert.Equal(new SpecLocation("", 2), problem.At);
        Assert.Equal("Softmax #2 is followed by Dense #3: training applies softmax inside the cross-entropy loss, so only a last Softmax is right (it is left out of training and shapes the inference output); move it to the end or remove it", problem.Message);
    }
}
