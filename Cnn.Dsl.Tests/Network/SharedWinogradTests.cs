using System;
using System.Linq;
using Cnn.Dsl;
using Cnn.Dsl.Tests.Golden;
using Cnn.Runtime.Network;

namespace Cnn.Dsl.Tests.Network;

/// <summary>
/// One-sample inference with two workers shares a large convolution computed by Winograd with kept filters by blocks of output
/// channels (<c>SharedWinograd</c>), each block's BatchNorm, ReLU and max pooling applied on the thread that computed it
/// (<c>BlockEpilogue</c>), or, on maps of 16 rows or more under a BatchNorm, by halves of its rows (<c>SharedWinograd</c>), with
/// the residual join after them on 32×32 maps (<c>SharedJoinRows</c>): each pass, shared or run alone as the pass's measurements
/// decide, must give the bits of one worker, and the batched pass's values within rounding.
/// </summary>
public sealed class SharedWinogradTests
{
    [Fact]
    public void Two_workers_give_the_bits_of_one() => AssertTwoWorkersGiveOne(workers => new SharedBlocks(seed: 4, workers));

    [Fact]
    public void Blocks_normalized_and_pooled_on_their_thread_give_the_bits_of_one_worker() =>
        AssertTwoWorkersGiveOne(workers => new SharedNormalizedPooledBlocks(seed: 5, workers));

    [Fact]
    public void Blocks_pooled_by_overlapping_windows_on_their_thread_give_the_bits_of_one_worker() =>
        AssertTwoWorkersGiveOne(workers => new SharedPooledBlocks(seed: 6, workers));

    [Fact]
    public void Residual_blocks_split_by_rows_give_the_bits_of_one_worker() =>
        AssertTwoWorkersGiveOne(workers => WithStatistics(new RowsResidual(seed: 7, workers)));

    [Fact]
    public void Odd_maps_split_by_rows_give_the_bits_of_one_worker() =>
        AssertTwoWorkersGiveOne(workers => WithStatistics(new OddRowsResidual(seed: 8, workers)));

    [Fact]
    public void Passes_split_by_rows_allocate_nothing_after_warm_up()
    {
        using var network = new RowsResidual(seed: 9, workers: 2);
        OneSampleAssert.SharedPassesAllocateNothing(network);
    }

    [Fact]
    public void F4_takes_maps_up_to_16_rows_except_where_a_shared_pass_splits_rows()
    {
        var accelerated = Cnn.Runtime.Kernels.WinogradF4.Supports(new Cnn.Runtime.Kernels.ConvGeometry(32, 14, 14, 64, 3, pad: 1));
        Assert.Equal(accelerated, SharedWinograd.TakesF4(new Cnn.Runtime.Kernels.ConvGeometry(32, 14, 14, 64, 3, pad: 1), rowSite: true));
        Assert.Equal(accelerated, SharedWinograd.TakesF4(new Cnn.Runtime.Kernels.ConvGeometry(32, 16, 16, 64, 3, pad: 1), rowSite: false));
        Assert.False(SharedWinograd.TakesF4(new Cnn.Runtime.Kernels.ConvGeometry(32, 16, 16, 32, 3, pad: 1), rowSite: true));
        Assert.False(SharedWinograd.TakesF4(new Cnn.Runtime.Kernels.ConvGeometry(16, 32, 32, 16, 3, pad: 1), rowSite: false));
    }

    /// <summary>Every parameter and buffer drawn at random (running variances positive), so each channel's BatchNorm map differs.</summary>
    private static NetworkBase WithStatistics(NetworkBase network)
    {
        var random = new SeededRandom(11);
        random.FillUniform(network.Parameters, -0.3f, 0.3f);
        random.FillUniform(network.Buffers, 0.5f, 1.5f);
        return network;
    }

    private static void AssertTwoWorkersGiveOne(Func<int, NetworkBase> create)
    {
        using var one = create(1);
        using var two = create(2);
        var length = one.InputShape.Elements;
        var classes = one.OutputShape.Elements;
        var input = Enumerable.Range(0, 3 * length).Select(i => MathF.Sin(i * 0.13f) + (0.3f * MathF.Cos(i * 0.7f))).ToArray();
        var batched = one.Predict(input, 3).ToArray();
        // Enough passes that the two-worker network takes both ways (it measures each, then probes the slower one in 16).
        for (var pass = 0; pass < 40; pass++)
        {
            var n = pass % 3;
            var sample = input.AsSpan(n * length, length).ToArray();
            var alone = one.Predict(sample, 1).ToArray();
            Assert.Equal(alone, two.Predict(sample, 1).ToArray());
            NumericAssert.Close(batched.AsSpan(n * classes, classes), alone, 1e-4, $"sample {n} against the batched pass");
        }
    }
}

/// <summary>
/// Two 14×14 convolutions large enough to share (648 and 576 multiply-adds per input value): 16 → 72 with its BatchNorm and ReLU
/// in the call (a last block of 8 output channels), then 16 → 64 after a 1×1 convolution.
/// </summary>
[Network(16, 14, 14)]
[Conv(72, 3, pad: 1), BatchNorm, Relu]
[Conv(16, 1), Conv(64, 3, pad: 1), Relu]
[GlobalAvgPool, Dense(3)]
public partial class SharedBlocks;

/// <summary>A shared 16 → 72 convolution whose BatchNorm, ReLU and 2×2 max pooling run block by block (bn2conv's second stage).</summary>
[Network(16, 14, 14)]
[Conv(72, 3, pad: 1), BatchNorm, Relu, MaxPool(2)]
[Flatten, Dense(3)]
public partial class SharedNormalizedPooledBlocks;

/// <summary>A shared 16 → 64 convolution whose ReLU and overlapping, padded 3×3 max pooling run block by block.</summary>
[Network(16, 16, 16)]
[Conv(64, 3, pad: 1), Relu, MaxPool(3, stride: 2, pad: 1)]
[Flatten, Dense(3)]
public partial class SharedPooledBlocks;

/// <summary>
/// resnet8's first stage on 16 channels: every convolution a 16 → 16 Winograd layer on 32×32 under a BatchNorm (the stem's with a
/// ReLU, the block's second applied by the join), the join on 32×32; then a strided block whose 16×16 Winograd layer splits too.
/// Its blocks are the golden networks' ResNet-18 ones (<see cref="Basic"/>, <see cref="Downsample"/>).
/// </summary>
[Network(16, 32, 32)]
[Conv(16, 3, pad: 1, bias: false), BatchNorm, Relu]
[Residual<Basic>(16, 1), Relu]
[Residual<Basic, Downsample>(24, 2), Relu]
[GlobalAvgPool, Dense(4)]
public partial class RowsResidual;

/// <summary>A 30×30 map (15 tile rows, halves of 7 and 8) and its 15×15 strided block (8 tile rows, two to a vector).</summary>
[Network(16, 30, 30)]
[Conv(16, 3, pad: 1, bias: false), BatchNorm, Relu]
[Residual<Basic>(16, 1), Relu]
[Residual<Basic, Downsample>(16, 2), Relu]
[GlobalAvgPool, Dense(3)]
public partial class OddRowsResidual;
