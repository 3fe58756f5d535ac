using System;
using Cnn.Dsl.Tests.Infrastructure;
using Cnn.Runtime.Network;

namespace Cnn.Dsl.Tests.Network;

/// <summary>Checks shared by the tests of one-sample inference on several workers.</summary>
internal static class OneSampleAssert
{
    /// <summary>
    /// Predicts each of <paramref name="samples"/> samples alone on one, two and three workers and requires the three
    /// to be bit-identical and close to the batched prediction; with <paramref name="batchedBetween"/>, the two-worker
    /// network also predicts the whole batch between samples (the pool's batch runs between shared passes).
    /// </summary>
    public static void WorkerCountsAgree(NetworkBase one, NetworkBase two, NetworkBase three, float[] input, int samples, bool batchedBetween)
    {
        var length = one.InputShape.Elements;
        var batched = one.Predict(input, samples).ToArray();
        var width = one.OutputShape.Elements;
        for (var s = 0; s < samples; s++)
        {
            var sample = input.AsSpan(s * length, length).ToArray();
            var alone = one.Predict(sample, 1).ToArray();
            Assert.Equal(alone, two.Predict(sample, 1).ToArray());
            Assert.Equal(alone, three.Predict(sample, 1).ToArray());
            NumericAssert.Close(batched.AsSpan(s * width, width), alone, 1e-4, $"sample {s}");
            if (batchedBetween)
            {
                NumericAssert.Close(batched, two.Predict(input, samples), 1e-5, $"batch after sample {s}");
            }
        }
    }

    /// <summary>Training steps of 4 samples alternating with one-sample predictions allocate nothing once warm.</summary>
    public static void SharedPassesAllocateNothing(NetworkBase network)
    {
        const int batch = 4;
        var length = network.InputShape.Elements;
        var input = new float[batch * length];
        new SeededRandom(7).FillUniform(input, -1f, 1f);
        var labels = new[] { 0, 3, 1, 2 };
        var sample = input.AsSpan(0, length).ToArray();
        AllocationAssert.SteadyStateAllocatesNothing(() =>
        {
            network.ForwardBackward(input, labels, batch);
            network.Predict(sample, 1);
            network.Predict(sample, 1);
        });
    }
}
