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
