using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics.Tensors;
using Cnn.Benchmarks.Measurement;
using Cnn.Runtime.Kernels;

namespace Cnn.Benchmarks.Profiling;

/// <summary>
/// Where a model's time goes. NetworkBase has no per-layer hook, so every generated statement is
/// re-run as its kernel calls with the generated geometry (<see cref="ProfilePlan"/>), on one
/// thread with one worker's share of the batch (each worker runs the whole layer sequence on its
/// share), and the per-step work outside the layers (loss, gradient reduction, non-finite scan,
/// SGD) is timed on the real network. The real step and batch-1 pass are timed alongside, so the
/// table shows how much the sum of parts leaves unexplained (dispatch, thread wake-up, contention).
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
            var forward = MicroTimer.MedianMicroseconds(() => op.Forward(workerBatch, training: true), samples);
            var backward = MicroTimer.MedianMicroseconds(() => op.Backward(workerBatch), samples);
            var inference = MicroTimer.MedianMicroseconds(() => op.Forward(1, training: false), samples);
            rows.Add(new Row(op.Name, op.Kind, op.Output.ToString(), forward, backward, inference));
        }
        rows.AddRange(StepOverheads(model, threads, workerBatch, samples, out var measuredStep, out var measuredB1));
        Write(model, threads, workerBatch, samples, rows, measuredStep, measuredB1, output);
    }

    private static List<Row> StepOverheads(BenchmarkModel model, int threads, int workerBatch, int samples, out double measuredStep, out double measuredB1)
    {
        using var network = model.Create(0, threads);
        var random = new Random(2);
        var inputLength = network.InputShape.Elements;
        var input = SyntheticBatch.Gaussian(ThroughputMeter.TrainBatch * inputLength, random);
        var labels = SyntheticBatch.Labels(ThroughputMeter.TrainBatch, ThroughputMeter.Classes, random);
        var optimizer = ThroughputMeter.ReferenceOptimizer(network);
        measuredStep = MicroTimer.MedianMicroseconds(() => ThroughputMeter.TrainStep(network, optimizer, input, labels), samples);
        var one = SyntheticBatch.Gaussian(inputLength, random);
        measuredB1 = MicroTimer.MedianMicroseconds(() => network.Forward(one, 1, training: false), samples);

        var logits = SyntheticBatch.Gaussian(workerBatch * ThroughputMeter.Classes, random);
        var dLogits = new float[logits.Length];
        var workerLabels = labels.AsSpan(0, workerBatch).ToArray();
        var gradients = network.Gradients;
        var share = gradients.Length / threads;
        var other = new float[share];
        return
        [
            new("(loss)", "SoftmaxCrossEntropy", "", MicroTimer.MedianMicroseconds(
                () => Losses.SoftmaxCrossEntropy(workerBatch, ThroughputMeter.Classes, logits, workerLabels, dLogits, ThroughputMeter.TrainBatch), samples), 0, 0),
            new("(reduce)", $"sum {threads} workers' gradients", "", 0, threads == 1 ? 0 : MicroTimer.MedianMicroseconds(
                () => Reduce(gradients.AsSpan(0, share), other, threads - 1), samples), 0),
            new("(scan)", "non-finite gradient check", "", 0, MicroTimer.MedianMicroseconds(
                () => TensorPrimitives.MaxMagnitude<float>(gradients), samples), 0),
            new("(sgd)", "SGD momentum step", "", 0, MicroTimer.MedianMicroseconds(
                () => optimizer.Step(network.Parameters, network.Gradients), samples), 0),
        ];
    }

    private static void Reduce(Span<float> total, ReadOnlySpan<float> other, int workers)
    {
        for (var i = 0; i < workers; i++)
        {
            TensorPrimitives.Add(total, other, total);
        }
    }

    private static void Write(BenchmarkModel model, int threads, int workerBatch, int samples, List<Row> rows, double measuredStep, double measuredB1, TextWriter output)
    {
        var stepTotal = rows.Sum(r => r.Forward + r.Backward);
        var b1Total = rows.Sum(r => r.Inference);
        var culture = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(culture, $"### {model.Name}: per-layer time, one worker's {workerBatch} of {ThroughputMeter.TrainBatch} samples on one thread ({threads} workers), µs, median of {samples}"));
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
            $"| **measured** | whole step / b1 forward | | {measuredStep:F0} (step) | | | {measuredB1:F1} | |"));
        output.WriteLine();
        var top = rows.OrderByDescending(r => r.Forward + r.Backward).Take(3).Select(r => string.Create(culture, $"{r.Name} {Percent(r.Forward + r.Backward, stepTotal)}%"));
        output.WriteLine($"Largest in training: {string.Join(", ", top)}.");
        output.WriteLine();
    }

    private static string Percent(double part, double total) => total > 0 ? (100 * part / total).ToString("F1", CultureInfo.InvariantCulture) : "0";

    private sealed record Row(string Name, string Kind, string Output, double Forward, double Backward, double Inference);
}
