using System;
using System.Globalization;
using System.IO;
using Cnn.Runtime.Kernels;

namespace Cnn.Benchmarks.Kernels;

/// <summary>
/// The dense layer's kernels as the benchmark models call them: simplecnn's 4096 → 512 at a worker's batch
/// of 32 (forward, data gradient, weight gradient, as GFLOP/s), and the batch-1 forward (the matrix–vector
/// kernel batch-1 inference takes) of simplecnn's and bn2conv's first dense layers (3136 → 128) and LeNet-5's
/// 400 → 120 and 120 → 84, which read each weight once and are quoted as µs and as GB/s of weights read.
/// </summary>
internal static class DenseCases
{
    /// <summary>A worker's share of a 64-sample training batch, as for the convolutions.</summary>
    private const int Batch = 32;

    /// <summary>Runs the cases whose name contains <paramref name="filter"/>.</summary>
    /// <param name="samples">Timed repetitions of each call.</param>
    /// <param name="peak">The FMA peak the GFLOP/s figures are quoted against.</param>
    /// <param name="filter">Substring a case name must contain (empty: all).</param>
    /// <param name="output">Where to print.</param>
    public static void Run(int samples, double peak, string filter, TextWriter output)
    {
        if (Matches("dense_4096to512", filter))
        {
            Training("dense_4096to512", 4096, 512, samples, peak, output);
        }
        if (Matches("dense_4096to512_b1", filter))
        {
            Inference("dense_4096to512_b1", 4096, 512, samples, output);
        }
        foreach (var (inputs, outputs) in new[] { (3136, 128), (400, 120), (120, 84) })
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"dense_{inputs}to{outputs}_b1");
            if (Matches(name, filter))
            {
                Inference(name, inputs, outputs, samples, output);
            }
        }
    }

    private static bool Matches(string name, string filter) => name.Contains(filter, StringComparison.Ordinal);

    private static void Training(string name, int inputs, int outputs, int samples, double peak, TextWriter output)
    {
        var random = new Random(3);
        var x = KernelBenchmark.Fill(Batch * inputs, random);
        var w = KernelBenchmark.Fill(outputs * inputs, random);
        var b = KernelBenchmark.Fill(outputs, random);
        var y = new float[Batch * outputs];
        var dy = KernelBenchmark.Fill(Batch * outputs, random);
        var dx = new float[x.Length];
        var dw = new float[w.Length];
        var db = new float[outputs];
        var scratch = new float[Linear.ScratchLength(Batch, inputs, outputs)];
        var flops = 2.0 * Batch * inputs * outputs;
        KernelBenchmark.Report(output, name, "forward", flops, peak, samples, () => Linear.Forward(Batch, inputs, outputs, x, w, b, y, scratch));
        KernelBenchmark.Report(output, name, "data_grad", flops, peak, samples, () => Linear.BackwardData(Batch, inputs, outputs, dy, w, dx, false, scratch));
        KernelBenchmark.Report(output, name, "weight_grad", flops, peak, samples, () => Linear.BackwardWeights(Batch, inputs, outputs, x, dy, dw, db, false, scratch));
    }

    private static void Inference(string name, int inputs, int outputs, int samples, TextWriter output)
    {
        var random = new Random(4);
        var x = KernelBenchmark.Fill(inputs, random);
        var w = KernelBenchmark.Fill(outputs * inputs, random);
        var b = KernelBenchmark.Fill(outputs, random);
        var y = new float[outputs];
        var scratch = new float[Linear.ScratchLength(1, inputs, outputs)];
        var micros = KernelBenchmark.Time(samples, DenseMatVec.Supports(CpuPath.Auto)
            ? () => DenseMatVec.Forward(inputs, outputs, x, w, b, y, CpuPath.Auto)
            : () => Linear.Forward(1, inputs, outputs, x, w, b, y, scratch));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"kernel={name} op=forward us={micros:F1} weight_gbps={4.0 * w.Length / micros / 1e3:F1}"));
    }
}
