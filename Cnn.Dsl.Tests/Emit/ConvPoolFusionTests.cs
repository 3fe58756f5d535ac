using static Cnn.Dsl.Tests.Emit.EmittedCalls;

namespace Cnn.Dsl.Tests.Emit;

/// <summary>Which convolutions run in one call with the ReLU and max pooling after them (<c>LayerOps.ConvMaxPoolRelu</c>).</summary>
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
}
