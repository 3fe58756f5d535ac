using System.Text.RegularExpressions;
using Cnn.Dsl.Tests.Infrastructure;

namespace Cnn.Dsl.Tests.Emit;

/// <summary>Which convolutions sum their output for the BatchNorm after them (<c>ConvSummed</c>, <c>SummedBatchNorm</c>), and which steps stay plain.</summary>
public class BatchNormStatisticsTests
{
    [Fact]
    public void Only_a_convolution_directly_before_a_batch_norm_of_its_output_sums_it()
    {
        // conv1 feeds bn1 (summed); conv2 feeds a ReLU, and the pooled value feeds bn2 (plain); the dense layer feeds bn3 (plain).
        var source = Generate("""
            [Network(3, 8, 8)]
            [Conv(4, 3, pad: 1), BatchNorm, Relu]
            [Conv(4, 3, pad: 1), Relu, MaxPool(2), BatchNorm]
            [Flatten, Dense(6), BatchNorm, Dense(2)]
            public partial class Net;
            """);

        Assert.Equal(1, Calls(source, "ConvSummed"));
        Assert.Equal(1, Calls(source, "Conv"));
        Assert.Equal(1, Calls(source, "SummedBatchNormRelu"));
        Assert.Equal(0, Calls(source, "SummedBatchNorm"));
        Assert.Equal(2, Calls(source, "BatchNorm"));
        Assert.Contains("LayerOps.ConvSummed(context, in Step0Geometry, 0, 192, ", source);
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
