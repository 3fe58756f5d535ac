using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Cnn.Benchmarks.Measurement;
using Cnn.Runtime.Network;

namespace Cnn.Benchmarks.Profiling;

/// <summary>
/// The real training step statement by statement (<see cref="NetworkBase.StatementTimer"/>): worker 0's thread CPU time
/// between the ends of consecutive generated statements, with the caches and the other worker as the step leaves them.
/// The layers timed alone (<see cref="LayerProfiler"/>) show what each costs at best; this shows what each costs in the
/// step, where resnet8's BatchNorms and joins took about twice their time alone and its strided 1×1 shortcuts up to
/// 2.2 times (input and output 2 MB a worker, not in L2, against a layer repeated on its own data). Then the batch-1 inference
/// pass the same way, in wall-clock time.
/// </summary>
internal static class StatementProfile
{
    /// <summary>Times <paramref name="steps"/> real training steps of <paramref name="model"/> and writes a markdown table.</summary>
    /// <param name="model">The model.</param>
    /// <param name="threads">Workers.</param>
    /// <param name="steps">Timed steps (medians reported).</param>
    /// <param name="output">Where the table goes.</param>
    public static void Run(BenchmarkModel model, int threads, int steps, TextWriter output)
    {
        using var network = model.Create(0, threads);
        var random = new Random(3);
        var input = SyntheticBatch.Gaussian(ThroughputMeter.TrainBatch * network.InputShape.Elements, random);
        var labels = SyntheticBatch.Labels(ThroughputMeter.TrainBatch, ThroughputMeter.Classes, random);
        var optimizer = ThroughputMeter.ReferenceOptimizer(network);
        ThroughputMeter.WarmUp(() => ThroughputMeter.TrainStep(network, optimizer, input, labels), 5);
        var clock = new StatementClock(network.Steps.Count);
        network.StatementTimer = clock;
        var times = new List<double[]>();
        for (var i = 0; i < steps; i++)
        {
            ThroughputMeter.TrainStep(network, optimizer, input, labels);
            times.Add(clock.TakeStep());
        }
        network.StatementTimer = null;
        Write(model, network.Steps, threads, steps, times, output);
        WriteBatch1(model, network, threads, 20 * steps, output);
    }

    /// <summary>
    /// The batch-1 inference pass statement by statement, in wall-clock time: worker 0 waits for worker 1 in the layers they
    /// share, so its thread CPU time would hide that wait (and a spinning wait would count as work).
    /// </summary>
    private static void WriteBatch1(BenchmarkModel model, NetworkBase network, int threads, int passes, TextWriter output)
    {
        var culture = CultureInfo.InvariantCulture;
        var one = SyntheticBatch.Gaussian(network.InputShape.Elements, new Random(4));
        ThroughputMeter.WarmUp(() => network.Forward(one, 1, training: false), 50);
        var clock = new StatementClock(network.Steps.Count, wallClock: true);
        network.StatementTimer = clock;
        var times = new List<double[]>();
        for (var i = 0; i < passes; i++)
        {
            network.Forward(one, 1, training: false);
            times.Add(clock.TakeStep());
        }
        network.StatementTimer = null;
        output.WriteLine(string.Create(culture, $"### {model.Name}: the batch-1 inference pass by statement, wall-clock time ({threads} workers), µs, median of {passes} passes"));
        output.WriteLine();
        output.WriteLine("| step | µs |");
        output.WriteLine("|---|---:|");
        var total = 0.0;
        for (var i = 0; i < network.Steps.Count; i++)
        {
            var median = Statistics.Median(times.Select(t => t[i + 1]));
            total += median;
            output.WriteLine(string.Create(culture, $"| {network.Steps[i].Name} | {(median > 0 ? median.ToString("F2", culture) : "–")} |"));
        }
        output.WriteLine(string.Create(culture, $"| **sum** | {total:F1} |"));
        output.WriteLine();
    }

    private static void Write(BenchmarkModel model, IReadOnlyList<LayerTrace> layers, int threads, int steps, List<double[]> times, TextWriter output)
    {
        var culture = CultureInfo.InvariantCulture;
        double Median(int statement) => Statistics.Median(times.Select(t => t[statement + 1]));
        var workerBatch = (ThroughputMeter.TrainBatch + threads - 1) / threads;
        output.WriteLine(string.Create(culture,
            $"### {model.Name}: the real training step by statement, worker 0's {(ThreadCpuClock.IsAvailable ? "thread CPU" : "wall-clock")} time ({workerBatch} of {ThroughputMeter.TrainBatch} samples, {threads} workers), µs, median of {steps} steps"));
        output.WriteLine();
        output.WriteLine("| step | fwd µs | bwd µs |");
        output.WriteLine("|---|---:|---:|");
        double forwardTotal = 0, backwardTotal = 0;
        for (var i = 0; i < layers.Count; i++)
        {
            var forward = Median(i);
            var backward = Median(layers.Count + i);
            forwardTotal += forward;
            backwardTotal += backward;
            // A statement that marks nothing (a BatchNorm in its convolution's call) is counted in the statement before it.
            output.WriteLine(string.Create(culture, $"| {layers[i].Name} | {(forward > 0 ? forward.ToString("F1", culture) : "–")} | {(backward > 0 ? backward.ToString("F1", culture) : "–")} |"));
        }
        var loss = Median(IStatementTimer.LossStatement);
        output.WriteLine(string.Create(culture, $"| (loss) | {loss:F1} | |"));
        output.WriteLine(string.Create(culture, $"| **sum** | {forwardTotal + loss:F0} | {backwardTotal:F0} |"));
        output.WriteLine();
        output.WriteLine("A BatchNorm or max pooling run in its convolution's call (`ConvBatchNorm`, `ConvMaxPoolRelu`) shows –: its time is in the convolution's row;");
        output.WriteLine("a BatchNorm that its residual join applies (`NormalizedAdd`) shows – backward: its backward is in the join's row.");
        output.WriteLine();
    }

    /// <summary>Accumulates each statement's time within a step (the loss at index 0, statement s at s + 1).</summary>
    private sealed class StatementClock(int layers, bool wallClock = false) : IStatementTimer
    {
        private double[] _step = new double[(2 * layers) + 1];
        private double _last;

        public void Start() => _last = Now();

        public void Mark(int statement)
        {
            var now = Now();
            _step[statement + 1] += now - _last;
            _last = now;
        }

        /// <summary>The step's times, and a fresh array for the next.</summary>
        public double[] TakeStep()
        {
            var step = _step;
            _step = new double[step.Length];
            return step;
        }

        private double Now() => ThreadCpuClock.IsAvailable && !wallClock ? ThreadCpuClock.NowMicroseconds() : Stopwatch.GetTimestamp() * 1e6 / Stopwatch.Frequency;
    }
}
