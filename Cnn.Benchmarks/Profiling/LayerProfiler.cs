using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics.Tensors;
using Cnn.Benchmarks.Measurement;
using Cnn.Runtime.Kernels;

namespace Cnn.Benchmarks.Profiling;

/// <summary>
/// Where a model's time goes: every generated statement re-run alone as its kernel calls with the generated geometry
/// (<see cref="ProfilePlan"/>), then the real step statement by statement (<see cref="StatementProfile"/>). Alone, on one
/// thread with one worker's share of the batch (each worker runs the whole layer sequence on its
/// share), and the per-step work outside the layers (loss, gradient reduction or non-finite scan,
/// SGD) is timed on the real network. Rows are thread CPU time, so a loaded machine delays them but
/// hardly inflates them. The real step is timed alongside (wall clock, and CPU time of all threads),
/// so the table shows how much the sum of parts leaves unexplained (dispatch, waking workers, spinning).
/// </summary>
internal static class LayerProfiler
{
    /// <summary>Profiles <paramref name="model"/> and writes a markdown table.</summary>
    /// <param name="model">The model.</param>
    /// <param name="threads">Workers the real network uses.</param>
    /// <param name="samples">Timed samples per measurement (medians reported).</param>
    /// <param name="output">Where the table goes.</param>
    public static void Run(BenchmarkModel model, int threads, int samples, TextWriter output)
    {
        var plan = model.Layers();
        plan.Verify(model.Summary);
        var workerBatch = (ThroughputMeter.TrainBatch + threads - 1) / threads;
        var random = new Random(1);
        var rows = new List<Row>();
        foreach (var op in plan.Ops)
        {
            op.Allocate(workerBatch, random);
            var forward = MicroTimer.MedianCpuMicroseconds(() => op.Forward(workerBatch, training: true), samples);
            var backward = MicroTimer.MedianCpuMicroseconds(() => op.Backward(workerBatch), samples);
            var inference = MicroTimer.MedianCpuMicroseconds(() => op.Forward(1, training: false), samples);
            rows.Add(new Row(op.FusedRelu is null ? op.Name : $"{op.Name} + {op.FusedRelu}", op.Kind, op.Output.ToString(), forward, backward, inference));
        }
        rows.AddRange(StepOverheads(model, threads, workerBatch, samples, out var measured));
        Write(model, threads, workerBatch, samples, rows, measured, output);
        StatementProfile.Run(model, threads, samples, output);
    }

    private static List<Row> StepOverheads(BenchmarkModel model, int threads, int workerBatch, int samples, out Measured measured)
    {
        using var network = model.Create(0, threads);
        var random = new Random(2);
        var inputLength = network.InputShape.Elements;
        var input = SyntheticBatch.Gaussian(ThroughputMeter.TrainBatch * inputLength, random);
        var labels = SyntheticBatch.Labels(ThroughputMeter.TrainBatch, ThroughputMeter.Classes, random);
        var optimizer = ThroughputMeter.ReferenceOptimizer(network);
        var stepWall = MicroTimer.MedianMicroseconds(() => ThroughputMeter.TrainStep(network, optimizer, input, labels), samples);
        var stepCpu = ProcessCpuMicroseconds(() => ThroughputMeter.TrainStep(network, optimizer, input, labels), 10);
        var one = SyntheticBatch.Gaussian(inputLength, random);
        var b1Wall = MicroTimer.MedianMicroseconds(() => network.Forward(one, 1, training: false), samples);
        var b1Cpu = ProcessCpuMicroseconds(() => network.Forward(one, 1, training: false), 200);
        measured = new Measured(stepWall, stepCpu, b1Wall, b1Cpu);

        var logits = SyntheticBatch.Gaussian(workerBatch * ThroughputMeter.Classes, random);
        var dLogits = new float[logits.Length];
        var workerLabels = labels.AsSpan(0, workerBatch).ToArray();
        var gradients = network.Gradients;
        var share = gradients.Length / threads;
        var other = new float[share];
        return
        [
            new("(loss)", "SoftmaxCrossEntropy", "", MicroTimer.MedianCpuMicroseconds(
                () => Losses.SoftmaxCrossEntropy(workerBatch, ThroughputMeter.Classes, logits, workerLabels, dLogits, ThroughputMeter.TrainBatch), samples), 0, 0),
            // With several workers the non-finite check rides on the reduction's last add; alone, it is its own pass.
            threads == 1
                ? new("(scan)", "non-finite gradient check", "", 0, MicroTimer.MedianCpuMicroseconds(
                    () => TensorPrimitives.MaxMagnitude<float>(gradients), samples), 0)
                : new("(reduce)", $"sum {threads} workers' gradients, checking them finite", "", 0, MicroTimer.MedianCpuMicroseconds(
                    () => Reduce(gradients.AsSpan(0, share), other, threads - 1), samples), 0),
            // The workers share the step (each updates the range it reduced): the calling thread's CPU time is worker 0's share.
            new("(sgd)", threads == 1 ? "SGD momentum step" : $"SGD momentum step, one of {threads} workers' shares", "", 0, MicroTimer.MedianCpuMicroseconds(
                () => network.Step(optimizer), samples), 0),
        ];
    }

    /// <summary>CPU time of every thread of the process per call (workers included), µs.</summary>
    private static double ProcessCpuMicroseconds(Action action, int calls)
    {
        action();
        using var process = Process.GetCurrentProcess();
        var start = process.TotalProcessorTime;
        for (var i = 0; i < calls; i++)
        {
            action();
        }
        process.Refresh();
        return (process.TotalProcessorTime - start).TotalMicroseconds / calls;
    }

    private static void Reduce(Span<float> total, ReadOnlySpan<float> other, int workers)
    {
        for (var i = 0; i < workers; i++)
        {
            TensorOps.AddInPlaceFinite(total, other);
        }
    }

    private static void Write(BenchmarkModel model, int threads, int workerBatch, int samples, List<Row> rows, Measured measured, TextWriter output)
    {
        var stepTotal = rows.Sum(r => r.Forward + r.Backward);
        var b1Total = rows.Sum(r => r.Inference);
        var culture = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(culture, $"### {model.Name}: per-layer {(ThreadCpuClock.IsAvailable ? "thread CPU" : "wall-clock")} time, one worker's {workerBatch} of {ThroughputMeter.TrainBatch} samples on one thread ({threads} workers), µs, median of {samples}"));
        output.WriteLine();
        output.WriteLine("| layer | kind | output | fwd µs | bwd µs | step % | infer b1 µs | b1 % |");
        output.WriteLine("|---|---|---|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            output.WriteLine(string.Create(culture,
                $"| {row.Name} | {row.Kind} | {row.Output} | {row.Forward:F1} | {row.Backward:F1} | {Percent(row.Forward + row.Backward, stepTotal)} | {row.Inference:F1} | {Percent(row.Inference, b1Total)} |"));
        }
        output.WriteLine(string.Create(culture,
            $"| **sum of rows** | | | {rows.Sum(r => r.Forward):F0} | {rows.Sum(r => r.Backward):F0} | 100 | {b1Total:F1} | 100 |"));
        output.WriteLine(string.Create(culture,
            $"| **real network, wall** | {threads} workers | | step {measured.StepWall:F0} | | | {measured.B1Wall:F1} | |"));
        output.WriteLine(string.Create(culture,
            $"| **real network, CPU of all threads** | {threads} workers | | step {measured.StepCpu:F0} | | | {measured.B1Cpu:F1} | |"));
        output.WriteLine();
        var top = rows.OrderByDescending(r => r.Forward + r.Backward).Take(3).Select(r => string.Create(culture, $"{r.Name} {Percent(r.Forward + r.Backward, stepTotal)}%"));
        output.WriteLine($"Largest in training: {string.Join(", ", top)}.");
        output.WriteLine();
    }

    private static string Percent(double part, double total) => total > 0 ? (100 * part / total).ToString("F1", CultureInfo.InvariantCulture) : "0";

    private sealed record Measured(double StepWall, double StepCpu, double B1Wall, double B1Cpu);

    private sealed record Row(string Name, string Kind, string Output, double Forward, double Backward, double Inference);
}
