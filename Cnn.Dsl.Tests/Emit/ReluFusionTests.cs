using static Cnn.Dsl.Tests.Emit.EmittedCalls;

namespace Cnn.Dsl.Tests.Emit;

/// <summary>Which ReLUs the generated passes fuse into the step next to them, and which they leave alone.</summary>
public class ReluFusionTests
{
    [Fact]
    public void Relu_moves_after_max_pooling_and_into_batch_norm_and_residual_joins()
    {
        var source = Generate("""
            [Block] [Conv(Arg.A, 3, pad: 1), BatchNorm, Relu, Conv(Arg.A, 3, pad: 1), BatchNorm] public partial class Body;
            [Network(3, 8, 8)]
            [Conv(4, 3, pad: 1), Relu, MaxPool(2)]
            [Residual<Body>(4), Relu]
            [Flatten, Dense(2)]
            public partial class Net;
            """);

        // The convolution's output is read by the pooling alone: the two run in one call (ConvPoolFusionTests).
        Assert.Equal(1, Calls(source, "ConvMaxPoolRelu"));
        Assert.Equal(1, Calls(source, "MaxPoolReluBackward"));
        // Each BatchNorm follows a convolution and runs in its call (BatchNormStatisticsTests); the second's only reader is the
        // join, which applies it (the ReLU after the join fuses into the join all the same).
        Assert.Equal(1, Calls(source, "ConvBatchNormRelu"));
        Assert.Equal(1, Calls(source, "ConvBatchNormStatistics"));
        Assert.Equal(1, Calls(source, "NormalizedAddRelu"));
        Assert.Equal(0, Calls(source, "Relu"));
        Assert.Contains("// maxpool1: MaxPool 4×8×8 → 4×4×4, after relu1 (fused: ReLU applied to the pooled values)", source);
        Assert.Contains("// res1.bn1: BatchNorm 4×4×4 → 4×4×4, then res1.relu1 (fused) (in the call above)", source);
    }

    [Fact]
    public void A_value_with_another_reader_keeps_its_relu_separate()
    {
        // bn1's output is read by the body's Relu and by the identity shortcut; the residual's ReLU output by both concat
        // branches, so it cannot move after the pool (it fuses into the join instead).
        var source = Generate("""
            [Block] [Relu, Conv(4, 3, pad: 1)] public partial class PreActivation;
            [Block] [MaxPool(2)] public partial class Pool;
            [Block] [Conv(4, 2, stride: 2)] public partial class Down;
            [Network(3, 8, 8)]
            [Conv(4, 3, pad: 1), BatchNorm, Residual<PreActivation>, Relu]
            [Concat<Pool, Down>]
            [Flatten, Dense(2)]
            public partial class Net;
            """);

        Assert.Equal(1, Calls(source, "ConvBatchNorm"));
        Assert.Equal(0, Calls(source, "ConvBatchNormRelu"));
        Assert.Equal(1, Calls(source, "AddRelu"));
        Assert.Equal(1, Calls(source, "Relu"));
        Assert.Equal(1, Calls(source, "MaxPool"));
        Assert.Equal(0, Calls(source, "MaxPoolRelu"));
    }

    [Fact]
    public void A_relu_that_is_the_network_output_stays()
    {
        var source = Generate("[Network(1, 4, 4)] [Conv(2, 3), Relu] public partial class Net;");

        Assert.Equal(1, Calls(source, "Relu"));
    }
}
