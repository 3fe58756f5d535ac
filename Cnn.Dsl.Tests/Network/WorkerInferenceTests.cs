using System;
using Cnn.Runtime.Network;

namespace Cnn.Dsl.Tests.Network;

/// <summary>
/// Batched inference split between workers normalizes with the network's running statistics on every worker: as one-sample
/// passes (worker 0 alone) do, whether the statistics are as initialized, as a training step left them, or as set by hand.
/// </summary>
public sealed class WorkerInferenceTests
{
    private static void AssertSplitMatchesSamples(NetworkBase network, float[] input, int samples, string what)
    {
        var length = network.InputShape.Elements;
        var width = network.OutputShape.Elements;
        var batched = network.Predict(input, samples).ToArray();
        for (var s = 0; s < samples; s++)
        {
            NumericAssert.Close(network.Predict(input.AsSpan(s * length, length), 1), batched.AsSpan(s * width, width), 1e-4, $"{what}, sample {s}");
        }
    }

    [Fact]
    public void Every_worker_uses_the_running_statistics_as_initialized_trained_and_set()
    {
        const int samples = 6;
        using var network = new Work.LargeConv(seed: 8, workers: 2);
        var input = new float[samples * network.InputShape.Elements];
        new SeededRandom(9).FillUniform(input, -1f, 1f);
        AssertSplitMatchesSamples(network, input, samples, "initialized");
        network.ForwardBackward(input, [0, 4, 1, 3, 2, 0], samples);
        AssertSplitMatchesSamples(network, input, samples, "after a training step");
        network.Parameter("bn1.running_var").Fill(2.5f);
        network.Parameter("bn1.running_mean").Fill(-0.5f);
        AssertSplitMatchesSamples(network, input, samples, "running statistics set");
    }
}
