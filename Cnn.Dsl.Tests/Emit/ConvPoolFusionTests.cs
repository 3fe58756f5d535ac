using static Cnn.Dsl.Tests.Emit.EmittedCalls;

namespace Cnn.Dsl.Tests.Emit;

/// <summary>
/// Which convolutions run in one call with the ReLU and max pooling after them (<c>LayerOps.ConvMaxPoolRelu</c>), or with the BatchNorm,
/// ReLU and max pooling after them (<c>LayerOps.ConvBatchNormMaxPoolRelu</c>).
/// </summary>
public class ConvPoolFusionTests
{
    [Fact]
    public void A_convolution_read_only_by_a_relu_and_max_pooling_runs_with_them()
    {
        var source = Generate("""
            [Network(1, 12, 12)]
            [Conv(4, 3, pad: 1), Relu, MaxPool(2)]
            [Conv(6, 3), Relu, MaxPool(2)]
            [Flatten, Dense(2)]
            public partial class Net;
            """);

        Assert.Equal(2, Calls(source, "ConvMaxPoolRelu"));
        Assert.Equal(0, Calls(source, "Conv"));
        Assert.Equal(0, Calls(source, "MaxPoolRelu"));
        // The convolution's slots and parameters, then the pooling's geometry, output slot (the ReLU's) and argmax slot.
        Assert.Matches(@"LayerOps\.ConvMaxPoolRelu\(context, in Step0Geometry, 0, 144, 0, \d+, in Step1Geometry, 720, 0\);", source);
        Assert.Contains("// maxpool1: MaxPool 4×12×12 → 4×6×6, after relu1 (fused: ReLU applied to the pooled values) (in the call above)", source);
        Assert.Matches(@"LayerOps\.ConvMaxPoolReluScratch\(in Step0Geometry, in Step1Geometry, batch\)", source);
        // Backward is unchanged: the pooling's, then the convolution's.
        Assert.Equal(2, Calls(source, "MaxPoolReluBackward"));
        Assert.Equal(2, Calls(source, "ConvBackward"));
    }

    [Fact]
    public void A_convolution_with_another_reader_or_no_relu_before_the_pooling_stays_apart()
    {
        // conv1's output is also the residual's identity shortcut; conv2's is pooled without a ReLU; conv3's is read by both
        // concat branches.
        var source = Generate("""
            [Block] [Relu, MaxPool(3, stride: 1, pad: 1)] public partial class SamePool;
            [Block] [Relu, MaxPool(2)] public partial class Pooled;
            [Block] [Relu, Conv(4, 2, stride: 2)] public partial class Down;
            [Network(4, 8, 8)]
            [Conv(4, 3, pad: 1), Residual<SamePool>]
            [Conv(4, 3, pad: 1), MaxPool(2, stride: 1)]
            [Conv(4, 3, pad: 1), Concat<Pooled, Down>]
            [Flatten, Dense(2)]
            public partial class Net;
            """);

        Assert.Equal(0, Calls(source, "ConvMaxPoolRelu"));
        // The three, and the Down branch's.
        Assert.Equal(4, Calls(source, "Conv"));
    }

    [Fact]
    public void A_convolution_its_batch_norm_and_the_relu_and_max_pooling_that_alone_read_it_run_in_one_call()
    {
        var source = Generate("""
            [Network(1, 12, 12)]
            [Conv(4, 3, pad: 1), BatchNorm, Relu, MaxPool(2)]
            [Flatten, Dense(2)]
            public partial class Net;
            """);

        Assert.Equal(1, Calls(source, "ConvBatchNormMaxPoolRelu"));
        Assert.Equal(0, Calls(source, "ConvBatchNorm"));
        Assert.Equal(0, Calls(source, "MaxPoolRelu"));
        // The convolution's slots and parameters, the BatchNorm's output slot, parameters, buffers, saved statistics, ε and momentum,
        // then the pooling's geometry, output slot (the ReLU's) and argmax slot.
        Assert.Matches(@"LayerOps\.ConvBatchNormMaxPoolRelu\(context, in Step0Geometry, 0, 144, 0, \d+, 720, \d+, \d+, 0, 16, 0, 1E-05f, 0\.1f, in Step2Geometry, 1296, 0\);", source);
        Assert.Contains("// bn1: BatchNorm 4×12×12 → 4×12×12 (in the call above)", source);
        Assert.Contains("// maxpool1: MaxPool 4×12×12 → 4×6×6, after relu1 (fused: ReLU applied to the pooled values) (in the call above)", source);
        Assert.Contains("LayerOps.ConvBatchNormMaxPoolReluScratch(in Step0Geometry, batch)", source);
        // Training never writes the BatchNorm's output: it is traced in the pooling's (which makes no NaN of finite values).
        Assert.Matches(@"LayerTrace\(""bn1"", 1296, 144, 144, 576\)", source);
        Assert.Matches(@"LayerTrace\(""maxpool1"", 1296, 144, ", source);
        // Backward is unchanged: the pooling's, the BatchNorm's, then the convolution's.
        Assert.Equal(1, Calls(source, "MaxPoolReluBackward"));
        Assert.Equal(1, Calls(source, "BatchNormBackward"));
        Assert.Equal(1, Calls(source, "ConvBackward"));
    }

    [Fact]
    public void A_batch_norm_with_another_reader_or_no_max_pooling_after_it_stays_in_the_convolutions_call_alone()
    {
        // bn1 is followed by average pooling; bn2's output is read by both concat branches.
        var source = Generate("""
            [Block] [Relu, MaxPool(2)] public partial class Pooled;
            [Block] [Relu, Conv(4, 2, stride: 2)] public partial class Down;
            [Network(4, 8, 8)]
            [Conv(4, 3, pad: 1), BatchNorm, Relu, AvgPool(2)]
            [Conv(4, 3, pad: 1), BatchNorm, Concat<Pooled, Down>]
            [Flatten, Dense(2)]
            public partial class Net;
            """);

        Assert.Equal(0, Calls(source, "ConvBatchNormMaxPoolRelu"));
        Assert.Equal(1, Calls(source, "ConvBatchNormRelu"));
        Assert.Equal(1, Calls(source, "ConvBatchNorm"));
        Assert.Equal(1, Calls(source, "MaxPoolRelu"));
    }
}
