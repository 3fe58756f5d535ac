using System;
using System.Linq;
using Cnn.Dsl;
using Cnn.Runtime.Network;
using Cnn.Runtime.Optim;

namespace Cnn.Dsl.Tests.Network;

/// <summary>
/// One-sample inference computes 16→16 and 32→32 convolutions by Winograd, and pooled convolutions of 16·m filters with the filters in
/// the lanes (<c>FilterLanePool</c>), with filters transformed or packed once and kept between passes (<c>OneSampleFilters</c>):
/// a pass after the weights change (through a span of <c>Parameters</c> taken before, or by an optimizer step) must give what a network
/// that never saw the old weights gives, bit for bit, and what the batched pass gives within rounding.
/// </summary>
public sealed class OneSampleFiltersTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(1, true)]
    [InlineData(2, true)]
    public void Weights_changed_between_passes_are_transformed_again(int workers, bool packed)
    {
        using var network = Create(packed, seed: 1, workers);
        using var fresh = Create(packed, seed: 2, workers);
        var input = Enumerable.Range(0, 2 * network.InputShape.Elements).Select(i => MathF.Sin(i * 0.21f)).ToArray();
        var sample = input.AsSpan(0, network.InputShape.Elements).ToArray();
        var parameters = network.Parameters;
        var before = network.Predict(sample, 1).ToArray();

        for (var i = 0; i < parameters.Length; i += 7)
        {
            parameters[i] *= -1.5f;
        }
        var after = network.Predict(sample, 1).ToArray();
        Assert.NotEqual(before, after);
        AssertLikeFresh(network, fresh, sample, after);

        var sgd = new SGD(network.Layout, 0.1);
        network.ForwardBackward(input, [0, 2], 2);
        network.Step(sgd);
        var stepped = network.Predict(sample, 1).ToArray();
        Assert.NotEqual(after, stepped);
        AssertLikeFresh(network, fresh, sample, stepped);
    }

    private static NetworkBase Create(bool packed, int seed, int workers) =>
        packed ? new PackedFilters(seed, workers) : new KeptFilters(seed, workers);

    private static void AssertLikeFresh(NetworkBase network, NetworkBase fresh, float[] sample, float[] actual)
    {
        network.Parameters.CopyTo(fresh.Parameters);
        network.Buffers.CopyTo(fresh.Buffers);
        Assert.Equal(fresh.Predict(sample, 1).ToArray(), actual);
        float[] pair = [.. sample, .. sample];
        NumericAssert.Close(network.Predict(pair, 2)[..actual.Length], actual, 1e-4, "one sample against the batched pass");
    }
}

/// <summary>A 16→16 and a 32→32 convolution on 16×16 maps, one with its BatchNorm in the call (<c>ConvBatchNorm</c> inference).</summary>
[Network(16, 16, 16)]
[Conv(16, 3, pad: 1), BatchNorm, Relu]
[Conv(32, 1), Conv(32, 3, pad: 1), Relu]
[GlobalAvgPool, Dense(3)]
public partial class KeptFilters;

/// <summary>A 5×5 convolution of 16 filters read only by a max pooling (<c>ConvMaxPoolRelu</c>, <c>FilterLanePool</c> at one sample).</summary>
[Network(3, 14, 14)]
[Conv(16, 5), Relu, MaxPool(2)]
[Flatten, Dense(3)]
public partial class PackedFilters;
