using System;
using System.Globalization;
using System.IO;
using Cnn.Runtime.Kernels;

namespace Cnn.Benchmarks.Kernels;

/// <summary>
/// <c>--kernels</c>: one core's FMA peak, then GEMM, convolution and dense kernels on the same core, each as
/// GFLOP/s and as a share of that peak (thread CPU time, medians), so kernel efficiency is measured
/// against what this machine can do in the same run rather than against a datasheet.
/// </summary>
internal static class KernelBenchmark
{
    /// <summary>Batch of the convolution cases (a worker's share of a 64-image training batch).</summary>
    private const int Batch = 32;

    private static readonly (string Name, ConvGeometry G)[] Convolutions =
    [
        ("conv3x3_128to128_16x16", new ConvGeometry(128, 16, 16, 128, 3, pad: 1)),
        ("resnet8_3to16_32x32", new ConvGeometry(3, 32, 32, 16, 3, pad: 1)),
        ("resnet8_16to16_32x32", new ConvGeometry(16, 32, 32, 16, 3, pad: 1)),
        ("resnet8_16to32_s2_32x32", new ConvGeometry(16, 32, 32, 32, 3, stride: 2, pad: 1)),
        ("resnet8_16to32_1x1_s2_32x32", new ConvGeometry(16, 32, 32, 32, 1, stride: 2)),
        ("resnet8_32to32_16x16", new ConvGeometry(32, 16, 16, 32, 3, pad: 1)),
        ("resnet8_32to64_s2_16x16", new ConvGeometry(32, 16, 16, 64, 3, stride: 2, pad: 1)),
        ("resnet8_32to64_1x1_s2_16x16", new ConvGeometry(32, 16, 16, 64, 1, stride: 2)),
        ("resnet18_64to128_s2_16x16", new ConvGeometry(64, 16, 16, 128, 3, stride: 2, pad: 1)),
        ("resnet8_64to64_8x8", new ConvGeometry(64, 8, 8, 64, 3, pad: 1)),
        ("bn2conv_32to64_14x14", new ConvGeometry(32, 14, 14, 64, 3, pad: 1)),
        ("bn2conv_1to32_28x28", new ConvGeometry(1, 28, 28, 32, 3, pad: 1)),
        ("lenet_1to6_5x5_28x28", new ConvGeometry(1, 28, 28, 6, 5, pad: 2)),
        ("lenet_6to16_5x5_14x14", new ConvGeometry(6, 14, 14, 16, 5)),
    ];

    /// <summary>Runs every case and prints one line per kernel and operation.</summary>
    /// <param name="samples">Timed repetitions of each call.</param>
    /// <param name="filter">Substring a case's name must contain to run (empty: every case).</param>
    /// <param name="output">Where to print.</param>
    public static void Run(int samples, string filter, TextWriter output)
    {
        var peak = FmaPeak.Measure(samples);
        output.WriteLine(Line("fma_peak", "chains", peak, peak));
        foreach (var (m, n, k) in new[] { (512, 512, 512), (16, 1024, 144), (64, 64, 576), (150, 100, 16), (144, 256, 32) })
        {
            if ($"gemm_{m}x{n}x{k}".Contains(filter, StringComparison.Ordinal))
            {
                MatrixMultiply(m, n, k, samples, peak, output);
            }
        }
        foreach (var (name, g) in Convolutions)
        {
            if (name.Contains(filter, StringComparison.Ordinal))
            {
                Convolution(name, g, samples, peak, output);
            }
        }
        DenseCases.Run(samples, peak, filter, output);
        BatchOneBenchmark.Run(samples, peak, output, filter);
    }

    private static void MatrixMultiply(int m, int n, int k, int samples, double peak, TextWriter output)
    {
        var random = new Random(1);
        var a = Fill(m * k, random);
        var b = Fill(k * n, random);
        var c = new float[m * n];
        var scratch = new float[Gemm.ScratchLength(m, n, k)];
        var flops = 2.0 * m * n * k;
        var repeat = Math.Max(1, (int)(1e8 / flops));
        Report(output, $"gemm_{m}x{n}x{k}", "nn", flops * repeat, peak, samples, () =>
        {
            for (var i = 0; i < repeat; i++)
            {
                Gemm.AB(m, n, k, a, b, c, false, scratch);
            }
        });
    }

    private static void Convolution(string name, ConvGeometry g, int samples, double peak, TextWriter output)
    {
        var random = new Random(2);
        var x = Fill(Batch * g.InputLength, random);
        var w = Fill(g.WeightLength, random);
        var y = Fill(Batch * g.OutputLength, random);
        var dx = new float[x.Length];
        var dw = new float[w.Length];
        var scratch = new float[Conv2d.ScratchLength(g, Batch)];
        var flops = 2.0 * Batch * g.MultiplyAdds;
        Report(output, name, "forward", flops, peak, samples, () => Conv2d.Forward(g, Batch, x, w, [], y, scratch));
        Report(output, name, "data_grad", flops, peak, samples, () => Conv2d.BackwardData(g, Batch, y, w, dx, false, scratch));
        if (g.Stride > 1)
        {
            // Adding into dx, as a residual block's projection shortcut does (its gradient joins the main branch's).
            Report(output, name, "data_grad_acc", flops, peak, samples, () => Conv2d.BackwardData(g, Batch, y, w, dx, true, scratch));
        }
        Report(output, name, "weight_grad", flops, peak, samples, () => Conv2d.BackwardWeights(g, Batch, x, y, dw, [], false, scratch));
        if (Winograd.SupportsWeightGradient(g, CpuPaths.Best))
        {
            // The Winograd weight gradient whether or not Conv2d chooses it for this layer (GFLOP/s of the direct sum's count).
            var winogradScratch = new float[Math.Max(Conv2d.ScratchLength(g, Batch), Winograd.WeightGradientScratchLength(g))];
            Report(output, name, "weight_grad_winograd", flops, peak, samples, () => Conv2d.WinogradWeightGradient(g, Batch, x, y, dw, winogradScratch));
        }
        if (PositionLaneWeightGradient.Supports())
        {
            // The positions-in-lanes kernel whether or not Conv2d chooses it for this layer: both in the same run.
            var laneScratch = new float[PositionLaneWeightGradient.ScratchLength(g)];
            Report(output, name, "weight_grad_lanes", flops, peak, samples, () => PositionLaneWeightGradient.BackwardWeights(g, Batch, x, y, dw, false, laneScratch));
        }
    }

    /// <summary>Prints the GFLOP/s of <paramref name="call"/> (median µs of <see cref="Time"/>) and its share of <paramref name="peak"/>.</summary>
    internal static void Report(TextWriter output, string name, string operation, double flops, double peak, int samples, Action call)
    {
        var micros = Time(samples, call);
        output.WriteLine(Line(name, operation, flops / micros / 1e3, peak));
    }

    /// <summary>Median µs of one call of <paramref name="call"/> after warming it up.</summary>
    internal static double Time(int samples, Action call)
    {
        // Warm up past tiered compilation (30 calls, then a background tier-1 compile): a kernel first
        // called here would otherwise be timed in its unoptimized tier-0 code.
        var warmUp = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 40 || warmUp.ElapsedMilliseconds < 300; i++)
        {
            call();
        }
        return KernelTimer.Median(samples, call);
    }

    private static string Line(string name, string operation, double gflops, double peak) => string.Create(CultureInfo.InvariantCulture,
        $"kernel={name} op={operation} gflops={gflops:F1} peak_pct={(peak > 0 ? 100 * gflops / peak : 0):F0}");

    /// <summary>Values uniform in [-0.5, 0.5).</summary>
    internal static float[] Fill(int length, Random random)
    {
        var values = new float[length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() - 0.5);
        }
        return values;
    }
}
