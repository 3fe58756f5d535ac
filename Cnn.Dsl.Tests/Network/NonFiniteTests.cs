using System;
using System.Linq;
using Cnn.Dsl;
using Cnn.Runtime.Network;

namespace Cnn.Dsl.Tests.Network;

public sealed class NonFiniteTests
{
    private static float[] Input(NetworkBase network) =>
        Enumerable.Range(0, 2 * network.InputShape.Elements).Select(i => MathF.Sin(i * 0.5f)).ToArray();

    [Fact]
    public void A_non_finite_loss_names_the_first_layer_whose_output_is_not_finite()
    {
        using var network = new Small(seed: 1);
        network.Parameter("dense1.weight")[3] = float.NaN;
        network.Forward(Input(network), 2, training: true);
        var error = Assert.Throws<NonFiniteValueException>(() => network.Loss([0, 1]));
        Assert.Equal("dense1", error.Layer);
        Assert.Equal("forward", error.Pass);
    }

    [Fact]
    public void A_non_finite_gradient_names_the_first_layer_in_backward_order_that_produced_it()
    {
        using var network = new Small(seed: 1);
        var error = OverflowingBatchNormGradient(network, producer: "conv1", amplifier: "dense1");
        // bn1's input gradient is conv1's dy, made in conv1's backward call a few samples at a time and never stored
        // (ConvBatchNormBackward): the first traced value it makes non-finite is conv1's weight gradient.
        Assert.Equal("conv1", error.Layer);
        Assert.Contains("gradient of conv1.weight", error.Message);
        Assert.Equal("backward", error.Pass);
    }

    [Fact]
    public void A_non_finite_input_gradient_of_a_batch_norm_run_on_its_own_names_the_batch_norm()
    {
        // A BatchNorm after a dense layer: its backward is its own statement, and its input gradient is traced.
        using var network = new SmallDense(seed: 1);
        var error = OverflowingBatchNormGradient(network, producer: "dense1", amplifier: "dense2");
        Assert.Equal("bn1", error.Layer);
        Assert.Contains("input gradient", error.Message);
    }

    /// <summary>
    /// A constant channel normalizes to 0, so a huge γ (γ/σ still finite) leaves the forward pass finite (y = β), but bn1's
    /// input gradient, γ/σ·(dy − mean dy), overflows once <paramref name="amplifier"/>'s large weights make dy vary by more
    /// than 1. <paramref name="producer"/>'s zero weights make bn1's input constant. Returns what the backward pass throws.
    /// </summary>
    private static NonFiniteValueException OverflowingBatchNormGradient(NetworkBase network, string producer, string amplifier)
    {
        network.Parameter(producer + ".weight").Fill(0f);
        network.Parameter("bn1.weight").Fill(1e36f);
        network.Parameter("bn1.bias").Fill(1f);
        var weights = network.Parameter(amplifier + ".weight");
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] *= 1e4f;
        }
        network.Forward(Input(network), 2, training: true);
        network.Loss([0, 1]);
        return Assert.Throws<NonFiniteValueException>(network.Backward);
    }
}

/// <summary><see cref="Small"/> with the BatchNorm after a dense layer.</summary>
[Network(1, 6, 6)]
[Flatten, Dense(4), BatchNorm, Relu, Dense(8), Relu, Dense(3)]
public partial class SmallDense;

/// <summary>A network whose parameters the tests poison.</summary>
[Network(1, 6, 6)]
[Conv(2, 3), BatchNorm, Relu, Flatten, Dense(8), Relu, Dense(3)]
public partial class Small;
