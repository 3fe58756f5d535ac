using System;
using System.Linq;
using Cnn.Runtime.Network;
using Cnn.Runtime.Optim;

namespace Cnn.Dsl.Tests.Network;

/// <summary><c>network.Step(optimizer)</c>: the workers share an optimizer step, each updating the range of the arena it reduced.</summary>
public sealed class WorkerStepTests
{
    private const int Batch = 7;

    private static (float[] Input, int[] Labels) Data(NetworkBase network)
    {
        var random = new SeededRandom(5);
        var input = new float[Batch * network.InputShape.Elements];
        random.FillUniform(input, -1f, 1f);
        return (input, Enumerable.Range(0, Batch).Select(i => i % 10).ToArray());
    }

    public static TheoryData<string, int> Cases() => new()
    {
        { "sgd", 2 },
        { "sgd", 3 },
        { "adam", 3 },
        { "adamw", 2 },
    };

    private static Optimizer Create(string kind, NetworkBase network) => kind switch
    {
        "sgd" => new SGD(network.Layout, 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3),
        "adam" => new Adam(network.Layout, 1e-2, weightDecay: 1e-3, amsGrad: true),
        _ => new AdamW(network.Layout, 1e-2),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Shared_steps_equal_the_single_thread_step_bit_for_bit(string kind, int workers)
    {
        // Wide has 0.3 M parameters, enough for the workers to share the step; their ranges split dense1.weight
        // mid-way, and conv1 is frozen.
        using var network = new Work.Wide(seed: 3, workers);
        network.Freeze("conv1");
        var (input, labels) = Data(network);
        var shared = Create(kind, network);
        var reference = Create(kind, network);
        var parameters = network.Parameters.ToArray();
        for (var step = 0; step < 3; step++)
        {
            network.ForwardBackward(input, labels, Batch);
            reference.Step(parameters, network.Gradients);
            network.Step(shared);
            Assert.Equal(parameters, network.Parameters.ToArray());
        }
        Assert.Equal(reference.StepCount, shared.StepCount);
        Assert.Equal(reference.TensorSteps.ToArray(), shared.TensorSteps.ToArray());
        Assert.Equal(0, shared.TensorSteps[0]);
        for (var i = 0; i < reference.State.Count; i++)
        {
            Assert.Equal(reference.State[i].Values, shared.State[i].Values);
        }
    }

    [Fact]
    public void A_shared_step_that_overflows_names_the_first_tensor_in_layout_order()
    {
        using var network = new Work.Wide(seed: 3, workers: 3);
        var (input, labels) = Data(network);
        network.ForwardBackward(input, labels, Batch);
        var last = network.Layout[^1];
        network.Gradients.AsSpan().Clear();
        network.Gradients[last.Offset] = 1e30f;
        network.Gradients[network.Layout[0].Offset + 1] = 1e30f;
        var optimizer = new SGD(network.Layout, 1e20);

        var error = Assert.Throws<NonFiniteException>(() => network.Step(optimizer));

        Assert.Equal(network.Layout[0].Name, error.TensorName);
        Assert.Equal(1, error.Value.Index);
        Assert.True(float.IsInfinity(network.Parameters[last.Offset]), "the whole step is applied before it is reported");
    }
}
