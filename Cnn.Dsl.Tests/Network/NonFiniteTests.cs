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
        // A constant channel normalizes to 0, so a huge γ (γ/σ still finite) leaves the forward
        // pass finite (y = β), but BatchNorm's input gradient, γ/σ·(dy − mean dy), overflows once
        // dense1's large weights make dy vary by more than 1.
        network.Parameter("conv1.weight").Fill(0f);
        network.Parameter("bn1.weight").Fill(1e36f);
        network.Parameter("bn1.bias").Fill(1f);
        var dense1 = network.Parameter("dense1.weight");
        for (var i = 0; i < dense1.Length; i++)
        {
            dense1[i] *= 1e4f;
        }
        network.Forward(Input(network), 2, training: true);
        network.Loss([0, 1]);
        var error = Assert.Throws<NonFiniteValueException>(network.Backward);
        Assert.Equal("bn1", error.Layer);
        Assert.Equal("backward", error.Pass);
    }
}

/// <summary>A network whose parameters the tests poison.</summary>
[Network(1, 6, 6)]
[Conv(2, 3), BatchNorm, Relu, Flatten, Dense(8), Relu, Dense(3)]
public partial class Small;
