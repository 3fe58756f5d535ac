using System;
using System.Linq;
using Cnn.Runtime.Network;

namespace Cnn.Dsl.Tests.Network;

/// <summary>
/// <see cref="NetworkBase.ForwardBackward"/> runs forward, loss and backward in one hand-off to the workers: it must
/// give bit for bit what <see cref="NetworkBase.Forward"/>, <see cref="NetworkBase.Loss(ReadOnlySpan{int})"/> and
/// <see cref="NetworkBase.Backward"/> give called in turn, and report a non-finite loss or gradient the same way.
/// </summary>
public sealed class ForwardBackwardTests
{
    private const int Batch = 7;

    private static (float[] Input, int[] Labels) Data(NetworkBase network, int seed)
    {
        var random = new SeededRandom(seed);
        var input = new float[Batch * network.InputShape.Elements];
        random.FillUniform(input, -1f, 1f);
        return (input, Enumerable.Range(0, Batch).Select(i => (i + seed) % 5).ToArray());
    }

    /// <summary>Three steps (BatchNorm, dropout, a residual), each followed by a plain update; every loss, then the final state.</summary>
    private static float[] Train(int workers, bool fused)
    {
        using var network = new Work.Trainable(seed: 8, workers);
        var losses = new float[3];
        for (var step = 0; step < losses.Length; step++)
        {
            var (input, labels) = Data(network, step);
            if (fused)
            {
                losses[step] = network.ForwardBackward(input, labels, Batch);
            }
            else
            {
                network.Forward(input, Batch, training: true);
                losses[step] = network.Loss(labels);
                network.Backward();
            }
            for (var i = 0; i < network.Parameters.Length; i++)
            {
                network.Parameters[i] -= 0.05f * network.Gradients[i];
            }
        }
        return [.. losses, .. network.Gradients.ToArray(), .. network.Parameters.ToArray(), .. network.Buffers.ToArray()];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void One_hand_off_gives_the_three_calls_results_bit_for_bit(int workers)
    {
        Assert.Equal(Train(workers, fused: false), Train(workers, fused: true));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_non_finite_loss_names_the_first_layer_whose_output_is_not_finite(int workers)
    {
        using var network = new Small(seed: 1, workers);
        // The last layer, so every sample's logits (and every worker's loss) are NaN.
        network.Parameter("dense2.weight")[3] = float.NaN;
        var input = Enumerable.Range(0, 2 * network.InputShape.Elements).Select(i => MathF.Sin(i * 0.5f)).ToArray();
        var error = Assert.Throws<NonFiniteValueException>(() => network.ForwardBackward(input, [0, 1], 2));
        Assert.Equal("dense2", error.Layer);
        Assert.Equal("forward", error.Pass);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_non_finite_gradient_names_the_first_layer_in_backward_order_that_produced_it(int workers)
    {
        // As in NonFiniteTests: a finite forward pass whose BatchNorm input gradient overflows.
        using var network = new Small(seed: 1, workers);
        network.Parameter("conv1.weight").Fill(0f);
        network.Parameter("bn1.weight").Fill(1e36f);
        network.Parameter("bn1.bias").Fill(1f);
        var dense1 = network.Parameter("dense1.weight");
        for (var i = 0; i < dense1.Length; i++)
        {
            dense1[i] *= 1e4f;
        }
        var input = Enumerable.Range(0, 4 * network.InputShape.Elements).Select(i => MathF.Sin(i * 0.5f)).ToArray();
        var error = Assert.Throws<NonFiniteValueException>(() => network.ForwardBackward(input, [0, 1, 2, 0], 4));
        Assert.Equal("bn1", error.Layer);
        Assert.Equal("backward", error.Pass);
    }

    [Fact]
    public void Labels_that_do_not_match_the_batch_are_refused()
    {
        using var network = new Small(seed: 1);
        var input = new float[2 * network.InputShape.Elements];
        Assert.Throws<ArgumentException>(() => network.ForwardBackward(input, [0], 2));
    }
}
