using System;
using System.Linq;
using Cnn.Dsl;
using Cnn.Runtime.Network;

namespace Cnn.Dsl.Tests.Network;

/// <summary>
/// One-sample inference with two workers shares a large convolution computed by Winograd with kept filters by blocks of output
/// channels (<c>SharedWinogradBlocks</c>), each block's BatchNorm, ReLU and max pooling applied on the thread that computed it
/// (<c>BlockEpilogue</c>): each pass, shared or run alone as the pass's measurements decide, must give the bits of one worker,
/// and the batched pass's values within rounding.
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
