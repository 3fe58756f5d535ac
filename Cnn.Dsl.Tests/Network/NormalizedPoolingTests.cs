using System;
using System.Linq;
using Cnn.Dsl;
using Cnn.Runtime.Optim;

namespace Cnn.Dsl.Tests.Network;

/// <summary>
/// Training runs a convolution, the BatchNorm of its output, the ReLU and the max pooling in one call that never writes the
/// BatchNorm's output (<c>LayerOps.ConvBatchNormMaxPoolRelu</c>); with an identity between the BatchNorm and the ReLU (Dropout(0),
/// the identity in training too) the generator keeps the layers apart. Both must train to the same bits, on one worker and on two.
/// </summary>
public sealed class NormalizedPoolingTests
{
    private const int Batch = 4;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Training_matches_the_layers_run_apart_bit_for_bit(int workers)
    {
        using var fused = new FusedNormPool(seed: 3, workers);
        using var apart = new ApartNormPool(seed: 3, workers);
        Assert.Equal(apart.Parameters.ToArray(), fused.Parameters.ToArray());
        var input = Enumerable.Range(0, Batch * fused.InputShape.Elements).Select(i => MathF.Sin(i * 0.37f) + (0.1f * MathF.Cos(i))).ToArray();
        int[] labels = [0, 2, 1, 2];
        var fusedOptimizer = new SGD(fused.Layout, 0.1, momentum: 0.9);
        var apartOptimizer = new SGD(apart.Layout, 0.1, momentum: 0.9);

        for (var step = 0; step < 3; step++)
        {
            Assert.Equal(apart.ForwardBackward(input, labels, Batch), fused.ForwardBackward(input, labels, Batch));
            Assert.Equal(apart.Gradients.ToArray(), fused.Gradients.ToArray());
            fused.Step(fusedOptimizer);
            apart.Step(apartOptimizer);
        }

        Assert.Equal(apart.Parameters.ToArray(), fused.Parameters.ToArray());
        Assert.Equal(apart.Buffers.ToArray(), fused.Buffers.ToArray());
        Assert.Equal(apart.Forward(input, Batch).ToArray(), fused.Forward(input, Batch).ToArray());
    }

    /// <summary>
    /// One-sample inference of an image layer runs the convolution, the BatchNorm with its running statistics, the ReLU and the
    /// pooling as one pooled pass (<c>DirectConvPool.ForwardMapped</c>, on Vector512) that writes neither the convolution's output
    /// nor the BatchNorm's: trained a few steps, with γ of both signs, each sample predicted alone must give the bits of the layers
    /// run apart, on one worker and on two, and agree with the batched prediction.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void One_sample_inference_matches_the_layers_run_apart_bit_for_bit(int workers)
    {
        using var fused = new FusedImageNormPool(seed: 5, workers);
        using var apart = new ApartImageNormPool(seed: 5, workers);
        var input = Enumerable.Range(0, Batch * fused.InputShape.Elements).Select(i => MathF.Sin(i * 0.29f) + (0.2f * MathF.Cos(i * 1.3f))).ToArray();
        int[] labels = [1, 0, 2, 1];
        var fusedOptimizer = new SGD(fused.Layout, 0.05, momentum: 0.9);
        var apartOptimizer = new SGD(apart.Layout, 0.05, momentum: 0.9);
        for (var step = 0; step < 3; step++)
        {
            fused.ForwardBackward(input, labels, Batch);
            apart.ForwardBackward(input, labels, Batch);
            fused.Step(fusedOptimizer);
            apart.Step(apartOptimizer);
        }
        // A negative scale makes a window's smallest value its largest: the map must be applied before the maximum.
        foreach (var network in new Cnn.Runtime.Network.NetworkBase[] { fused, apart })
        {
            var gamma = network.Layout.Single(p => p.Role == Cnn.Runtime.Model.ParameterRole.Scale);
            for (var c = 0; c < gamma.Length; c += 2)
            {
                network.Parameters[gamma.Offset + c] = -network.Parameters[gamma.Offset + c];
            }
        }
        Assert.Equal(apart.Parameters.ToArray(), fused.Parameters.ToArray());
        Assert.Equal(apart.Buffers.ToArray(), fused.Buffers.ToArray());

        var batched = fused.Forward(input, Batch).ToArray();
        var length = fused.InputShape.Elements;
        for (var n = 0; n < Batch; n++)
        {
            var sample = input.AsSpan(n * length, length).ToArray();
            var alone = fused.Forward(sample, 1).ToArray();
            Assert.Equal(apart.Forward(sample, 1).ToArray(), alone);
            NumericAssert.Close(batched.AsSpan(n * 3, 3), alone, 1e-5, $"sample {n} against the batch");
        }
    }

    [Fact]
    public void A_map_too_small_for_the_pooled_pass_still_builds_and_predicts()
    {
        // The convolution's output is 1×1: no 2×2 window fits it, so sizing the pooled pass's scratch must not ask for one.
        using var network = new TinyNormPool(seed: 1);
        var sample = Enumerable.Range(0, network.InputShape.Elements).Select(i => MathF.Cos(i)).ToArray();
        Assert.Equal(network.Forward(sample, 1, training: false).ToArray(), network.Forward([.. sample, .. sample], 2, training: false)[..2].ToArray());
    }
}

/// <summary>Both fused patterns: an overlapping padded pooling, then a 2×2 one.</summary>
[Network(2, 9, 9)]
[Conv(5, 3, pad: 1), BatchNorm, Relu, MaxPool(3, stride: 2, pad: 1)]
[Conv(6, 2), BatchNorm, Relu, MaxPool(2)]
[Flatten, Dense(3)]
public partial class FusedNormPool;

/// <summary><see cref="FusedNormPool"/> with an identity after each BatchNorm, which keeps its layers in calls of their own.</summary>
[Network(2, 9, 9)]
[Conv(5, 3, pad: 1), BatchNorm, Dropout(0), Relu, MaxPool(3, stride: 2, pad: 1)]
[Conv(6, 2), BatchNorm, Dropout(0), Relu, MaxPool(2)]
[Flatten, Dense(3)]
public partial class ApartNormPool;

/// <summary>An image layer whose one-sample inference takes the pooled pass with the BatchNorm's map: 1 channel, 14×14 (planes of 196 values, not whole vectors).</summary>
[Network(1, 14, 14)]
[Conv(8, 3, pad: 1), BatchNorm, Relu, MaxPool(2)]
[Flatten, Dense(3)]
public partial class FusedImageNormPool;

/// <summary><see cref="FusedImageNormPool"/> with an identity after the BatchNorm, which keeps its layers in calls of their own.</summary>
[Network(1, 14, 14)]
[Conv(8, 3, pad: 1), BatchNorm, Dropout(0), Relu, MaxPool(2)]
[Flatten, Dense(3)]
public partial class ApartImageNormPool;

/// <summary>A convolution whose 1×1 output a BatchNorm, a ReLU and a 1×1 max pooling read.</summary>
[Network(1, 3, 3)]
[Conv(4, 3), BatchNorm, Relu, MaxPool(1)]
[Flatten, Dense(2)]
public partial class TinyNormPool;
