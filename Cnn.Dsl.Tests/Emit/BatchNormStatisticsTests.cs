using static Cnn.Dsl.Tests.Emit.EmittedCalls;

namespace Cnn.Dsl.Tests.Emit;

/// <summary>Which convolutions run in one call with the BatchNorm after them (<c>ConvBatchNorm</c>: summing their output for it in training, normalizing it in inference), and which steps stay plain.</summary>
public class BatchNormStatisticsTests
{
    [Fact]
    public void Only_a_convolution_directly_before_a_batch_norm_of_its_output_runs_with_it()
    {
        // conv1 feeds bn1 (one call); conv2 feeds a ReLU and pooling (one call of their own), and the pooled value feeds bn2 (plain);
        // the dense layer feeds bn3 (plain).
        var source = Generate("""
            [Network(3, 8, 8)]
            [Conv(4, 3, pad: 1), BatchNorm, Relu]
            [Conv(4, 3, pad: 1), Relu, MaxPool(2), BatchNorm]
            [Flatten, Dense(6), BatchNorm, Dense(2)]
            public partial class Net;
            """);

        Assert.Equal(1, Calls(source, "ConvBatchNormRelu"));
        Assert.Equal(0, Calls(source, "ConvBatchNorm"));
        Assert.Equal(1, Calls(source, "ConvMaxPoolRelu"));
        Assert.Equal(0, Calls(source, "BatchNormRelu"));
        Assert.Equal(2, Calls(source, "BatchNorm"));
        // The convolution's slots and parameters, then the BatchNorm's output slot (after the ReLU's fusion) and parameters.
        Assert.Matches(@"LayerOps\.ConvBatchNormRelu\(context, in Step0Geometry, 0, 192, \d+, \d+, 448, ", source);
        Assert.Contains("// bn1: BatchNorm 4×8×8 → 4×8×8, then relu1 (fused) (in the call above)", source);
    }

    [Fact]
    public void A_residual_join_applies_the_batch_norms_it_alone_reads()
    {
        // res1: the body's last BatchNorm (read only by the join) goes into the join, the identity shortcut stays as it is;
        // res2: the body's and the projection shortcut's; the BatchNorm+ReLU inside each body stays in its convolution's call.
        var source = Generate("""
            [Block] [Conv(Arg.A, 3, stride: Arg.B, pad: 1), BatchNorm, Relu, Conv(Arg.A, 3, pad: 1), BatchNorm] public partial class Body;
            [Block] [Conv(Arg.A, 1, stride: Arg.B), BatchNorm] public partial class Projection;
            [Network(3, 8, 8)]
            [Conv(4, 3, pad: 1), BatchNorm, Relu]
            [Residual<Body>(4, 1), Relu]
            [Residual<Body, Projection>(6, 2), Relu]
            [GlobalAvgPool, Dense(2)]
            public partial class Net;
            """);

        Assert.Equal(3, Calls(source, "ConvBatchNormRelu"));
        Assert.Equal(3, Calls(source, "ConvBatchNormStatistics"));
        Assert.Equal(0, Calls(source, "ConvBatchNorm"));
        Assert.Equal(2, Calls(source, "NormalizedAddRelu"));
        Assert.Equal(0, Calls(source, "AddRelu"));
        // The identity side: its slot and no map (γ offset -1).
        Assert.Matches(@"LayerOps\.NormalizedAddRelu\(context, 4, 64, \d+, \d+, \d+, \d+, \d+, \d+, 1E-05f, \d+, -1, -1, -1, -1, -1, 0f, \d+\);", source);
        // Both sides mapped.
        Assert.Matches(@"LayerOps\.NormalizedAddRelu\(context, 6, 16, \d+(, \d+){5}, 1E-05f, \d+(, \d+){5}, 1E-05f, \d+\);", source);
        // The BatchNorms the joins apply write no output of their own, so they trace nothing.
        Assert.Matches(@"LayerTrace\(""res1\.bn2"", \d+, 0, ", source);
        Assert.Matches(@"LayerTrace\(""res2\.shortcut\.bn1"", \d+, 0, ", source);
    }

    [Fact]
    public void A_join_that_applies_batch_norms_runs_their_backward_in_its_own_call()
    {
        var source = Generate("""
            [Block] [Conv(Arg.A, 3, stride: Arg.B, pad: 1), BatchNorm, Relu, Conv(Arg.A, 3, pad: 1), BatchNorm] public partial class Body;
            [Block] [Conv(Arg.A, 1, stride: Arg.B), BatchNorm] public partial class Projection;
            [Network(3, 8, 8)]
            [Conv(4, 3, pad: 1), BatchNorm, Relu]
            [Residual<Body>(4, 1), Relu]
            [Residual<Body, Projection>(6, 2)]
            [GlobalAvgPool, Dense(2)]
            public partial class Net;
            """);

        Assert.Equal(1, Calls(source, "NormalizedAddReluBackward"));
        Assert.Equal(1, Calls(source, "NormalizedAddBackward"));
        Assert.Equal(0, Calls(source, "AddReluBackward"));
        Assert.Equal(0, Calls(source, "AddBackward"));
        Assert.Equal(0, Calls(source, "BatchNormBackward"));
        // The BatchNorm+ReLUs' sums come from the convolutions after them (A_convolution_after_a_batch_norm_relu_takes_its_backward_sums).
        Assert.Equal(3, Calls(source, "BatchNormReluBackwardSummed"));
        // res1: the body's BatchNorm (its input, γ, β, saved statistics, whether it trains, its input's mode), then the identity side (its slot, no BatchNorm, the join's mode).
        Assert.Matches(@"LayerOps\.NormalizedAddReluBackward\(context, 4, 64, \d+, \d+, \d+, \d+, \d+, context\.Trains\(5\), context\.InputMode\(4, [\w.:]+\.Write\), " +
            @"\d+, -1, -1, -1, false, context\.InputMode\(1, [\w.:]+\.Write\)\);", source);
        // res2: both sides' BatchNorms; the projection's input gradient is added to the block input's after the body's.
        Assert.Matches(@"LayerOps\.NormalizedAddBackward\(context, 6, 16, \d+, \d+, \d+, \d+, \d+, context\.Trains\(12\), context\.InputMode\(11, [\w.:]+\.Write\), " +
            @"\d+, \d+, \d+, \d+, context\.Trains\(8\), context\.InputMode\(7, [\w.:]+\.Write\)\);", source);
        Assert.Contains("// res1.bn2: BatchNorm 4×8×8 → 4×8×8 (in the join's call above)", source);
        Assert.Contains("// res2.shortcut.bn1: BatchNorm 6×4×4 → 6×4×4 (in the join's call above)", source);
        // The gated gradient's scratch, and no trace of a gradient the join does not write.
        Assert.Contains("LayerOps.AddReluScratch(256, batch)", source);
        Assert.Matches(@"LayerTrace\(""res1"", \d+, 256, -1, 0\)", source);
        Assert.Matches(@"LayerTrace\(""res2"", \d+, 96, -1, 0\)", source);
    }

    [Fact]
    public void A_convolution_after_a_batch_norm_relu_takes_its_backward_sums()
    {
        // bn1+relu1 feeds res1.conv1 and the identity shortcut: res1.conv1 adds to its gradient last, just before bn1's backward, and takes
        // its sums. res1.bn1+relu1 feeds res1.conv2 alone. bn2 feeds a max pooling with the ReLU moved after it: plain.
        var source = Generate("""
            [Block] [Conv(Arg.A, 3, pad: 1), BatchNorm, Relu, Conv(Arg.A, 3, pad: 1), BatchNorm] public partial class Body;
            [Network(3, 8, 8)]
            [Conv(4, 3, pad: 1), BatchNorm, Relu]
            [Residual<Body>(4), Relu]
            [Conv(4, 3, pad: 1), BatchNorm, Relu, MaxPool(2)]
            [GlobalAvgPool, Dense(2)]
            public partial class Net;
            """);

        Assert.Equal(2, Calls(source, "ConvBackwardSummed"));
        Assert.Equal(2, Calls(source, "BatchNormReluBackwardSummed"));
        Assert.Equal(2, Calls(source, "ConvBackward"));
        Assert.Equal(0, Calls(source, "BatchNormReluBackward"));
        Assert.Equal(1, Calls(source, "BatchNormBackward"));
        // The convolution's own arguments, then the BatchNorm's input slot, γ, β and saved statistics.
        Assert.Matches(@"LayerOps\.ConvBackwardSummed\(context, in Step2Geometry, \d+, \d+, \d+, \d+, context\.Trains\(2\), context\.InputMode\(1, [\w.:]+\.Accumulate\), " +
            @"192, \d+, \d+, 0\);", source);
        Assert.Matches(@"LayerOps\.BatchNormReluBackwardSummed\(context, 4, 64, 192, \d+, \d+, \d+, 0, context\.Trains\(1\), ", source);
    }

    [Fact]
    public void A_batch_norm_with_another_reader_or_a_relu_stays_out_of_the_join()
    {
        // bn1's output is read by the body and by the identity shortcut; the body's BatchNorm is followed by its own ReLU.
        var source = Generate("""
            [Block] [Conv(Arg.A, 3, pad: 1), BatchNorm, Relu] public partial class Body;
            [Network(3, 8, 8)]
            [Conv(4, 3, pad: 1), BatchNorm]
            [Residual<Body>(4)]
            [GlobalAvgPool, Dense(2)]
            public partial class Net;
            """);

        Assert.Equal(0, Calls(source, "ConvBatchNormStatistics"));
        Assert.Equal(0, Calls(source, "NormalizedAdd"));
        Assert.Equal(1, Calls(source, "Add"));
    }
}
