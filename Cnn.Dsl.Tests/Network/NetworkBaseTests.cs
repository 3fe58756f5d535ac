using System;
using System.Linq;
using Cnn.Dsl.Tests.Infrastructure;
using Cnn.Runtime.Network;

namespace Cnn.Dsl.Tests.Network;

public sealed class NetworkBaseTests
{
    private static readonly float[] Input = [0.5f, -1f, 2f, 1.5f, 0.25f, -0.75f, -2f, 1f, 0.5f, 0.1f, 0.2f, 0.3f, 3f, -1f, 0f];
    private static readonly int[] Labels = [0, 1, 1, 0, 1];

    [Fact]
    public void Same_seed_gives_same_weights_and_bounds_follow_fan_in()
    {
        using var a = new HandWrittenDense(7);
        using var b = new HandWrittenDense(7);
        using var c = new HandWrittenDense(8);
        Assert.Equal(a.Parameters.ToArray(), b.Parameters.ToArray());
        Assert.NotEqual(a.Parameters.ToArray(), c.Parameters.ToArray());
        var bound = 1 / MathF.Sqrt(HandWrittenDense.In);
        Assert.All(a.Parameters.ToArray(), v => Assert.InRange(v, -bound, bound));
        Assert.Equal([0f, 0f], a.Parameter("bn.running_mean").ToArray());
        Assert.Equal([1f, 1f], a.Parameter("bn.running_var").ToArray());
    }

    [Fact]
    public void Cross_entropy_gradient_matches_central_differences()
    {
        using var net = new HandWrittenDense(3);
        net.ForwardBackward(Input, Labels, 5);
        var analytic = net.Gradients.ToArray();
        const float step = 1e-2f;
        for (var i = 0; i < net.Parameters.Length; i++)
        {
            var saved = net.Parameters[i];
            net.Parameters[i] = saved + step;
            net.Forward(Input, 5, training: true);
            var plus = (double)net.Loss(Labels);
            net.Parameters[i] = saved - step;
            net.Forward(Input, 5, training: true);
            var minus = (double)net.Loss(Labels);
            net.Parameters[i] = saved;
            Assert.Equal((plus - minus) / (2 * step), analytic[i], 3);
        }
    }

    [Fact]
    public void Squared_error_is_the_mean_over_every_value()
    {
        using var net = new HandWrittenDense(3);
        var output = net.Forward(Input, 5, training: true).ToArray();
        var targets = Enumerable.Range(0, 10).Select(i => i * 0.1f).ToArray();
        var expected = output.Zip(targets, (y, t) => (y - t) * (y - t)).Average();
        Assert.Equal(expected, net.Loss(targets), 5);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Workers_split_the_batch_and_match_one_worker(int workers)
    {
        using var single = new HandWrittenDense(11);
        using var parallel = new HandWrittenDense(11, workers);
        var lossSingle = single.ForwardBackward(Input, Labels, 5);
        var lossParallel = parallel.ForwardBackward(Input, Labels, 5);
        Assert.Equal(lossSingle, lossParallel, 5);
        for (var i = 0; i < single.Parameters.Length; i++)
        {
            Assert.Equal(single.Gradients[i], parallel.Gradients[i], 5);
        }
        Assert.Equal(single.Forward(Input, 5).ToArray(), parallel.Forward(Input, 5).ToArray());
    }

    [Fact]
    public void Activation_arenas_start_on_a_cache_line_in_every_worker_as_they_grow()
    {
        using var net = new HandWrittenDense(3, workers: 2);
        net.ForwardBackward(Input.AsSpan(0, 2 * HandWrittenDense.In), Labels.AsSpan(0, 2), 2);
        net.ForwardBackward(Input, Labels, 5);
        Assert.True(net.ArenasAligned);
    }

    [Fact]
    public void Same_seed_and_worker_count_give_bit_identical_results()
    {
        float[] Run()
        {
            using var net = new HandWrittenDense(5, workers: 2);
            for (var step = 0; step < 5; step++)
            {
                net.ForwardBackward(Input, Labels, 5);
                for (var i = 0; i < net.Parameters.Length; i++)
                {
                    net.Parameters[i] -= 0.1f * net.Gradients[i];
                }
            }
            return [.. net.Parameters.ToArray(), .. net.Buffers.ToArray()];
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void Running_statistics_are_the_weighted_mean_of_the_workers_updates()
    {
        using var single = new HandWrittenDense(2);
        using var parallel = new HandWrittenDense(2, workers: 2);
        single.Forward(Input.AsSpan(0, 6), 2, training: true);
        parallel.Forward(Input.AsSpan(0, 6), 2, training: true);
        // Each worker saw one sample; the mean of the two per-sample updates equals the one-worker update.
        Assert.Equal(single.Parameter("bn.running_mean").ToArray()[0], parallel.Parameter("bn.running_mean").ToArray()[0], 6);
        Assert.Equal(1, parallel.BatchesTracked.Length);
        Assert.Equal(1L, parallel.BatchesTracked[0]);
        Assert.Equal(0, parallel.Parameter("bn.running_mean").ToArray().Count(float.IsNaN));
    }

    [Fact]
    public void Frozen_layers_get_zero_gradients()
    {
        using var net = new HandWrittenDense(3);
        net.Freeze("fc");
        net.ForwardBackward(Input, Labels, 5);
        Assert.All(net.Gradients, g => Assert.Equal(0f, g));
        Assert.True(net.IsFrozen(net.Layout[0]));
        Assert.Throws<ArgumentException>(() => net.Freeze("f"));
        net.Unfreeze();
        net.ForwardBackward(Input, Labels, 5);
        Assert.Contains(net.Gradients, g => g != 0f);
    }

    [Fact]
    public void A_non_finite_loss_names_the_first_layer_whose_output_was_not_finite()
    {
        using var net = new HandWrittenDense(3);
        net.Parameter("fc.bias")[1] = float.PositiveInfinity;
        net.Forward(Input, 5, training: true);
        var error = Assert.Throws<NonFiniteValueException>(() => net.Loss(Labels));
        Assert.Equal("fc", error.Layer);
        Assert.Equal("forward", error.Pass);
    }

    [Fact]
    public void A_non_finite_gradient_names_the_layer_that_produced_it()
    {
        using var net = new HandWrittenDense(3) { PoisonBackward = true };
        net.Forward(Input, 5, training: true);
        net.Loss(Labels);
        var error = Assert.Throws<NonFiniteValueException>(net.Backward);
        Assert.Equal("fc", error.Layer);
        Assert.Equal("backward", error.Pass);
        Assert.Contains("fc.weight", error.Message);
    }

    [Fact]
    public void With_two_workers_the_reduction_finds_a_non_finite_gradient_and_names_the_layer()
    {
        using var net = new HandWrittenDense(3, workers: 2) { PoisonBackward = true };
        net.Forward(Input, 5, training: true);
        net.Loss(Labels);
        var error = Assert.Throws<NonFiniteValueException>(net.Backward);
        Assert.Equal("fc", error.Layer);
        Assert.Contains("fc.weight", error.Message);
    }

    [Fact]
    public void Misuse_is_reported()
    {
        using var net = new HandWrittenDense(3);
        Assert.Throws<ArgumentException>(() => net.Forward(Input.AsSpan(0, 4), 2));
        Assert.Throws<InvalidOperationException>(net.Backward);
        net.Forward(Input, 5);
        Assert.Throws<InvalidOperationException>(() => net.Loss(Labels));
        net.Forward(Input, 5, training: true);
        Assert.Throws<ArgumentException>(() => net.Loss(Labels.AsSpan(0, 4)));
        Assert.Throws<ArgumentOutOfRangeException>(() => net.Loss([0, 1, 2, 0, 1]));
        Assert.Throws<ArgumentException>(() => net.Parameter("nope"));
        Assert.Throws<ArgumentException>(() => net.Gradient("bn.running_var"));
    }

    [Fact]
    public void Training_steps_allocate_nothing_after_warm_up()
    {
        using var net = new HandWrittenDense(3, workers: 2);
        AllocationAssert.SteadyStateAllocatesNothing(() =>
        {
            net.ForwardBackward(Input, Labels, 5);
            net.Forward(Input, 5);
        });
    }
}
