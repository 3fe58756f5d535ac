using System;
using System.Linq;
using Cnn.Dsl.Tests.Infrastructure;
using Cnn.Runtime.Network;

namespace Cnn.Dsl.Tests.Network;

/// <summary>Splitting batches across workers: determinism, agreement with one worker, and no allocation after warm-up.</summary>
public sealed class WorkerTests
{
    private const int Batch = 7;

    private static (float[] Input, int[] Labels) Data(NetworkBase network)
    {
        var random = new SeededRandom(21);
        var input = new float[Batch * network.InputShape.Elements];
        random.FillUniform(input, -1f, 1f);
        return (input, Enumerable.Range(0, Batch).Select(i => i % 5).ToArray());
    }

    private static NetworkBase Create(string type, int workers) => type switch
    {
        nameof(Work.Trainable) => new Work.Trainable(seed: 8, workers),
        _ => new Work.NoNorm(seed: 8, workers),
    };

    private static float[] Train(string type, int workers, int steps)
    {
        using var network = Create(type, workers);
        var (input, labels) = Data(network);
        for (var step = 0; step < steps; step++)
        {
            network.ForwardBackward(input, labels, Batch);
            for (var i = 0; i < network.Parameters.Length; i++)
            {
                network.Parameters[i] -= 0.05f * network.Gradients[i];
            }
        }
        return [.. network.Parameters.ToArray(), .. network.Buffers.ToArray()];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Same_seed_and_worker_count_give_bit_identical_parameters(int workers)
    {
        Assert.Equal(Train(nameof(Work.Trainable), workers, 4), Train(nameof(Work.Trainable), workers, 4));
    }

    [Fact]
    public void Without_BatchNorm_two_workers_compute_the_one_worker_step()
    {
        using var single = new Work.NoNorm(seed: 8, workers: 1);
        using var pair = new Work.NoNorm(seed: 8, workers: 2);
        var (input, labels) = Data(single);
        var lossSingle = single.ForwardBackward(input, labels, Batch);
        var lossPair = pair.ForwardBackward(input, labels, Batch);
        Assert.Equal(lossSingle, lossPair, 5);
        NumericAssert.Close(single.Gradients, pair.Gradients, 1e-4, "gradients");
        NumericAssert.Close(single.Predict(input, Batch), pair.Predict(input, Batch), 1e-6, "predictions");
    }

    [Fact]
    public void A_single_sample_on_two_workers_runs_on_the_first_alone_and_matches_one_worker()
    {
        // Batch 1 leaves the second worker without samples: it is not woken, and nothing changes.
        using var single = new Work.Trainable(seed: 8, workers: 1);
        using var pair = new Work.Trainable(seed: 8, workers: 2);
        var (input, labels) = Data(single);
        var sample = input.AsSpan(0, single.InputShape.Elements).ToArray();
        Assert.Equal(single.Predict(sample, 1).ToArray(), pair.Predict(sample, 1).ToArray());
        Assert.Equal(single.ForwardBackward(sample, labels.AsSpan(0, 1), 1), pair.ForwardBackward(sample, labels.AsSpan(0, 1), 1));
        Assert.Equal(single.Gradients, pair.Gradients);
    }

    [Fact]
    public void With_BatchNorm_each_worker_normalizes_its_own_samples()
    {
        using var single = new Work.Trainable(seed: 8, workers: 1);
        using var pair = new Work.Trainable(seed: 8, workers: 2);
        var (input, _) = Data(single);
        var first = input.AsSpan(0, 4 * single.InputShape.Elements).ToArray();
        var second = input.AsSpan(4 * single.InputShape.Elements).ToArray();
        single.TrainingSteps = 0;
        var expectedFirst = single.Forward(first, 4, training: true).ToArray();
        single.TrainingSteps = 0;
        single.Forward(second, 3, training: true);
        var output = pair.Forward(input, Batch, training: true).ToArray();
        NumericAssert.Close(expectedFirst, output.AsSpan(0, 20), 1e-5, "first worker's samples");
    }

    [Fact]
    public void Training_steps_and_forward_passes_allocate_nothing_after_warm_up()
    {
        using var network = new Work.Trainable(seed: 8, workers: 2);
        var (input, labels) = Data(network);
        AllocationAssert.SteadyStateAllocatesNothing(() =>
        {
            network.ForwardBackward(input, labels, Batch);
            network.Forward(input, Batch);
        });
    }

    [Fact]
    public void A_smaller_batch_reuses_the_arenas_and_a_larger_one_grows_them()
    {
        using var network = new Work.NoNorm(seed: 8);
        var (input, labels) = Data(network);
        var full = network.Predict(input, Batch).ToArray();
        var small = network.Predict(input.AsSpan(0, 2 * network.InputShape.Elements), 2).ToArray();
        NumericAssert.Close(full.AsSpan(0, 10), small, 1e-6, "first two samples");
        var doubled = input.Concat(input).ToArray();
        var large = network.Predict(doubled, 2 * Batch).ToArray();
        NumericAssert.Close(full, large.AsSpan(Batch * 5), 1e-6, "repeated batch");
        Assert.True(float.IsFinite(network.ForwardBackward(doubled, labels.Concat(labels).ToArray(), 2 * Batch)));
    }
}
