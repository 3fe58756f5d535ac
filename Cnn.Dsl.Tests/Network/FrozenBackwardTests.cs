using System;
using System.Linq;
using Cnn.Runtime.Network;
using Cnn.Runtime.Optim;

namespace Cnn.Dsl.Tests.Network;

/// <summary>
/// Backward computes nothing for frozen layers (no weight gradient) and stops at the first layer that
/// trains, yet every trained gradient is the unfrozen network's, bit for bit.
/// </summary>
public sealed class FrozenBackwardTests
{
    private const int Batch = 4;
    private static readonly int[] Labels = [0, 1, 2, 0];

    // Composed's layers with parameters, in forward order: conv1, res1 (its body), res2 (body and
    // projection shortcut), stage1 (repeated residuals and a concat), dense1.
    [Theory]
    [InlineData("conv1", 1)]
    [InlineData("conv1", 2)]
    [InlineData("res1", 1)]
    [InlineData("res2.shortcut", 1)]
    [InlineData("conv1,res1", 1)]
    [InlineData("conv1,res1,res2", 2)]
    [InlineData("conv1,res1,res2.conv1", 1)]
    [InlineData("conv1,res1,res2,stage1.repeat1", 1)]
    [InlineData("conv1,res1,res2,stage1", 2)]
    [InlineData("conv1,res1,res2,stage1,dense1", 1)]
    public void Trained_gradients_are_the_unfrozen_ones_bit_for_bit_and_frozen_ones_stay_zero(string frozen, int workers)
    {
        using var reference = new Checks.Composed(seed: 7, workers);
        reference.ForwardBackward(Input(reference), Labels, Batch);
        using var network = new Checks.Composed(seed: 7, workers);
        network.Freeze(frozen.Split(','));

        network.ForwardBackward(Input(network), Labels, Batch);

        Assert.Contains(network.Layout, network.IsFrozen);
        foreach (var tensor in network.Layout.Where(t => !t.IsBuffer))
        {
            var gradient = network.Gradient(tensor.Name).ToArray();
            if (network.IsFrozen(tensor))
            {
                Assert.All(gradient, g => Assert.Equal(0f, g));
            }
            else
            {
                AssertSameBits(reference.Gradient(tensor.Name).ToArray(), gradient, tensor.Name);
            }
        }
    }

    // Joined's joins run the backward of the BatchNorms they apply: with the stem frozen, the identity shortcut's gradient is not
    // delivered and the gated gradient goes to scratch; with a joined BatchNorm frozen, its input's gradient is still delivered.
    [Theory]
    [InlineData("conv1,bn1", 1)]
    [InlineData("conv1,bn1", 2)]
    [InlineData("conv1,bn1,res1.conv1,res1.bn1,res1.conv2", 1)]
    [InlineData("res1.bn2", 1)]
    [InlineData("res2.shortcut", 2)]
    [InlineData("res2.bn2,res2.shortcut.bn1", 1)]
    public void A_join_that_applies_batch_norms_gives_the_unfrozen_gradients_bit_for_bit(string frozen, int workers)
    {
        using var reference = new Checks.Joined(seed: 7, workers);
        reference.ForwardBackward(Input(reference), Labels, Batch);
        using var network = new Checks.Joined(seed: 7, workers);
        network.Freeze(frozen.Split(','));

        network.ForwardBackward(Input(network), Labels, Batch);

        foreach (var tensor in network.Layout.Where(t => !t.IsBuffer))
        {
            var gradient = network.Gradient(tensor.Name).ToArray();
            if (network.IsFrozen(tensor))
            {
                Assert.All(gradient, g => Assert.Equal(0f, g));
            }
            else
            {
                AssertSameBits(reference.Gradient(tensor.Name).ToArray(), gradient, tensor.Name);
            }
        }
    }

    [Fact]
    public void A_step_with_conv1_frozen_moves_every_other_parameter_as_the_unfrozen_step_does()
    {
        using var reference = new Checks.Composed(seed: 7);
        var referenceOptimizer = new SGD(reference.Layout, 0.1, momentum: 0.9, weightDecay: 0.01);
        reference.ForwardBackward(Input(reference), Labels, Batch);
        referenceOptimizer.Step(reference.Parameters, reference.Gradients);
        using var network = new Checks.Composed(seed: 7);
        var optimizer = new SGD(network.Layout, 0.1, momentum: 0.9, weightDecay: 0.01);
        network.Freeze("conv1");
        var conv1 = network.Parameter("conv1.weight").ToArray();

        network.ForwardBackward(Input(network), Labels, Batch);
        optimizer.Step(network.Parameters, network.Gradients);

        Assert.Equal(conv1, network.Parameter("conv1.weight").ToArray());
        Assert.All(network.Gradient("conv1.weight").ToArray(), g => Assert.Equal(0f, g));
        foreach (var tensor in network.Layout.Where(t => t.Layer != "conv1"))
        {
            AssertSameBits(reference.Parameter(tensor.Name).ToArray(), network.Parameter(tensor.Name).ToArray(), tensor.Name);
        }
    }

    [Fact]
    public void Backward_stops_at_the_first_layer_that_trains()
    {
        // bn1's input gradient overflows (see NonFiniteTests): reaching it throws. With conv1 and bn1
        // frozen, backward ends at dense1 and never computes it.
        using var reference = Poisoned();
        reference.Forward(SmallInput(reference), 2, training: true);
        reference.Loss([0, 1]);
        Assert.Equal("bn1", Assert.Throws<NonFiniteValueException>(reference.Backward).Layer);
        using var network = Poisoned();
        network.Freeze("conv1", "bn1");

        network.Forward(SmallInput(network), 2, training: true);
        network.Loss([0, 1]);
        network.Backward();

        foreach (var name in new[] { "dense1.weight", "dense1.bias", "dense2.weight", "dense2.bias" })
        {
            AssertSameBits(reference.Gradient(name).ToArray(), network.Gradient(name).ToArray(), name);
        }
        Assert.All(network.Gradient("bn1.weight").ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Freezing_after_training_clears_the_stale_gradient_in_every_worker()
    {
        using var network = new Checks.Composed(seed: 7, workers: 2);
        network.ForwardBackward(Input(network), Labels, Batch);
        Assert.Contains(network.Gradient("conv1.weight").ToArray(), g => g != 0f);

        network.Freeze("conv1");
        network.ForwardBackward(Input(network), Labels, Batch);
        Assert.All(network.Gradient("conv1.weight").ToArray(), g => Assert.Equal(0f, g));

        network.Unfreeze();
        network.ForwardBackward(Input(network), Labels, Batch);
        Assert.Contains(network.Gradient("conv1.weight").ToArray(), g => g != 0f);
    }

    private static float[] Input(NetworkBase network) =>
        Enumerable.Range(0, Batch * network.InputShape.Elements).Select(i => MathF.Sin(i * 0.37f)).ToArray();

    private static float[] SmallInput(NetworkBase network) =>
        Enumerable.Range(0, 2 * network.InputShape.Elements).Select(i => MathF.Sin(i * 0.5f)).ToArray();

    private static Small Poisoned()
    {
        var network = new Small(seed: 1);
        network.Parameter("conv1.weight").Fill(0f);
        network.Parameter("bn1.weight").Fill(1e36f);
        network.Parameter("bn1.bias").Fill(1f);
        var dense1 = network.Parameter("dense1.weight");
        for (var i = 0; i < dense1.Length; i++)
        {
            dense1[i] *= 1e4f;
        }
        return network;
    }

    private static void AssertSameBits(float[] expected, float[] actual, string name)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"{name}[{i}]: {actual[i]:R}, unfrozen {expected[i]:R}");
        }
    }
}
