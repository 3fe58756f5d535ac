using System;
using System.Diagnostics;
using Cnn.Runtime.Network;
using Cnn.Runtime.Optim;

namespace Cnn.Benchmarks.Measurement;

/// <summary>
/// Measures a model exactly as torch_reference.py does: training images/s at batch 64 (SGD lr 0.01,
/// momentum 0.9, softmax cross-entropy; 5 warm-up steps, 30 timed), mean batch-1 inference latency
/// (50 warm-up, 500 timed) and batch-256 inference images/s (2 warm-up, 10 timed), on one network
/// in that order. Each warm-up also lasts at least <see cref="JitWarmUp"/> and <see cref="JitWarmUpCalls"/> calls:
/// .NET compiles a method unoptimized first, then (profile-guided) instrumented after 30 calls and a ~100 ms delay,
/// then optimized after 30 more, so the script's warm-up counts alone would time our first code, which no
/// long-running training loop or server runs for more than its first seconds. PyTorch's kernels are compiled
/// ahead of time.
/// </summary>
/// <remarks>
/// One second alone was not enough for resnet8's 17 ms training steps (60 of them): each process's first repetition
/// ran at 1,995–2,570 images/s against 2,905–4,077 in the two after it, and at 2,756–3,108 with tiered compilation
/// off (<c>DOTNET_TieredCompilation=0</c>); with 150 warm-up steps its first repetition ran at 3,244–4,087
/// (2026-12-03, three alternated process pairs).
/// </remarks>
internal static class ThroughputMeter
{
    /// <summary>Training batch size.</summary>
    public const int TrainBatch = 64;

    /// <summary>Number of classes of every benchmarked model.</summary>
    public const int Classes = 10;

    /// <summary>The least time every warm-up runs (see the class remarks).</summary>
    private static readonly TimeSpan JitWarmUp = TimeSpan.FromSeconds(1);

    /// <summary>The fewest calls every warm-up makes (see the class remarks).</summary>
    private const int JitWarmUpCalls = 150;

    /// <summary>Measures <paramref name="model"/> once.</summary>
    /// <param name="model">The model.</param>
    /// <param name="threads">Worker threads.</param>
    /// <returns>The figures.</returns>
    public static ModelFigures Measure(BenchmarkModel model, int threads)
    {
        using var network = model.Create(0, threads);
        var random = new Random(0);
        var inputLength = network.InputShape.Elements;
        return new ModelFigures(
            model.Name,
            model.Summary.TotalParameters,
            TrainImagesPerSecond(network, random, inputLength),
            InferenceMicroseconds(network, SyntheticBatch.Gaussian(inputLength, random), batch: 1, warmUp: 50, reps: 500),
            256 / (InferenceMicroseconds(network, SyntheticBatch.Gaussian(256 * inputLength, random), batch: 256, warmUp: 2, reps: 10) * 1e-6));
    }

    /// <summary>One training step as the reference takes it: forward, loss, backward, optimizer step.</summary>
    /// <param name="network">The network.</param>
    /// <param name="optimizer">Its optimizer.</param>
    /// <param name="input">A batch of <see cref="TrainBatch"/> inputs.</param>
    /// <param name="labels">Their labels.</param>
    public static void TrainStep(NetworkBase network, SGD optimizer, float[] input, int[] labels)
    {
        network.ForwardBackward(input, labels, TrainBatch);
        network.Step(optimizer);
    }

    /// <summary>The optimizer torch_reference.py trains with.</summary>
    /// <param name="network">The network.</param>
    /// <returns>SGD, lr 0.01, momentum 0.9.</returns>
    public static SGD ReferenceOptimizer(NetworkBase network) => new(network.Layout, learningRate: 0.01, momentum: 0.9);

    private static double TrainImagesPerSecond(NetworkBase network, Random random, int inputLength)
    {
        const int steps = 30;
        var optimizer = ReferenceOptimizer(network);
        var input = SyntheticBatch.Gaussian(TrainBatch * inputLength, random);
        var labels = SyntheticBatch.Labels(TrainBatch, Classes, random);
        WarmUp(() => TrainStep(network, optimizer, input, labels), 5);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < steps; i++)
        {
            TrainStep(network, optimizer, input, labels);
        }
        return TrainBatch * steps / clock.Elapsed.TotalSeconds;
    }

    private static double InferenceMicroseconds(NetworkBase network, float[] input, int batch, int warmUp, int reps)
    {
        WarmUp(() => network.Forward(input, batch, training: false), warmUp);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < reps; i++)
        {
            network.Forward(input, batch, training: false);
        }
        return clock.Elapsed.TotalMicroseconds / reps;
    }

    /// <summary>Runs <paramref name="call"/> at least <paramref name="calls"/> and <see cref="JitWarmUpCalls"/> times, and for at least <see cref="JitWarmUp"/>.</summary>
    internal static void WarmUp(Action call, int calls)
    {
        var clock = Stopwatch.StartNew();
        var least = Math.Max(calls, JitWarmUpCalls);
        for (var i = 0; i < least || clock.Elapsed < JitWarmUp; i++)
        {
            call();
        }
    }
}
