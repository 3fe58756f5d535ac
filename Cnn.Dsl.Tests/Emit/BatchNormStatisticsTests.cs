using System.Text.RegularExpressions;
using Cnn.Dsl.Tests.Infrastructure;

namespace Cnn.Dsl.Tests.Emit;

/// <summary>Which convolutions run in one call with the BatchNorm after them (<c>ConvBatchNorm</c>: summing their output for it in training, normalizing it in inference), and which steps stay plain.</summary>
public class BatchNormStatisticsTests
{
    [Fact]
    public void Only_a_convolution_directly_before_a_batch_norm_of_its_output_runs_with_it()
    {
        // conv1 feeds bn1 (one call); conv2 feeds a ReLU, and the pooled value feeds bn2 (plain); the dense layer feeds bn3 (plain).
        var source = Generate("""
            [Network(3, 8, 8)]
            [Conv(4, 3, pad: 1), BatchNorm, Relu]
            [Conv(4, 3, pad: 1), Relu, MaxPool(2), BatchNorm]
            [Flatten, Dense(6), BatchNorm, Dense(2)]
            public partial class Net;
            """);

        Assert.Equal(1, Calls(source, "ConvBatchNormRelu"));
        Assert.Equal(0, Calls(source, "ConvBatchNorm"));
        Assert.Equal(1, Calls(source, "Conv"));
        Assert.Equal(0, Calls(source, "BatchNormRelu"));
        Assert.Equal(2, Calls(source, "BatchNorm"));
        // The convolution's slots and parameters, then the BatchNorm's output slot (after the ReLU's fusion) and parameters.
        Assert.Matches(@"LayerOps\.ConvBatchNormRelu\(context, in Step0Geometry, 0, 192, \d+, \d+, 448, ", source);
        Assert.Contains("// bn1: BatchNorm 4×8×8 → 4×8×8, then relu1 (fused) (in the call above)", source);
    }

    private static string Generate(string network)
    {
        var run = GeneratorHarness.Run("using Cnn.Dsl;\n" + network);
        Assert.Null(run.Exception);
        Assert.True(run.Errors.Count == 0, string.Join("\n", run.Errors));
        return run.SingleSource;
    }

    private static int Calls(string source, string method) =>
        Regex.Matches(source, $@"LayerOps\.{method}\(context").Count;
}
