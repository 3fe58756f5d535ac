using System;
using System.Globalization;
using System.IO;
using Cnn.Runtime.Kernels;

namespace Cnn.Benchmarks.Kernels;

/// <summary>
/// The batch-1 inference kernels of the four benchmark models, one case per layer: <see cref="DirectConv"/>, and
/// <see cref="FilterLanePool"/> and Winograd where they compute the layer (GFLOP/s and share of the core's peak), and the
/// poolings (µs per call). Calls last 1–50 µs, so each timed
/// sample runs a batch of calls and the clock is read once per batch.
/// </summary>
internal static class BatchOneBenchmark
{
    private static readonly (string Name, ConvGeometry G)[] Convolutions =
    [
        ("lenet5_conv1_1to6_5x5_28x28", new ConvGeometry(1, 28, 28, 6, 5, pad: 2)),
        ("lenet5_conv2_6to16_5x5_14x14", new ConvGeometry(6, 14, 14, 16, 5)),
        ("bn2conv_conv1_1to32_28x28", new ConvGeometry(1, 28, 28, 32, 3, pad: 1)),
        ("bn2conv_conv2_32to64_14x14", new ConvGeometry(32, 14, 14, 64, 3, pad: 1)),
        ("simplecnn_conv1_3to32_32x32", new ConvGeometry(3, 32, 32, 32, 3, pad: 1)),
        ("simplecnn_conv2_32to64_16x16", new ConvGeometry(32, 16, 16, 64, 3, pad: 1)),
        ("resnet8_stem_3to16_32x32", new ConvGeometry(3, 32, 32, 16, 3, pad: 1)),
        ("resnet8_16to16_32x32", new ConvGeometry(16, 32, 32, 16, 3, pad: 1)),
        ("resnet8_16to32_s2_32x32", new ConvGeometry(16, 32, 32, 32, 3, stride: 2, pad: 1)),
        ("resnet8_32to32_16x16", new ConvGeometry(32, 16, 16, 32, 3, pad: 1)),
        ("resnet8_32to64_s2_16x16", new ConvGeometry(32, 16, 16, 64, 3, stride: 2, pad: 1)),
        ("resnet8_64to64_8x8", new ConvGeometry(64, 8, 8, 64, 3, pad: 1)),
    ];

    private static readonly (string Name, PoolGeometry G)[] Poolings =
    [
        ("lenet5_maxpool1_6x28x28", new PoolGeometry(6, 28, 28, 2)),
        ("lenet5_maxpool2_16x10x10", new PoolGeometry(16, 10, 10, 2)),
        ("bn2conv_maxpool1_32x28x28", new PoolGeometry(32, 28, 28, 2)),
        ("bn2conv_maxpool2_64x14x14", new PoolGeometry(64, 14, 14, 2)),
        ("simplecnn_maxpool1_32x32x32", new PoolGeometry(32, 32, 32, 2)),
        ("simplecnn_maxpool2_64x16x16", new PoolGeometry(64, 16, 16, 2)),
        ("maxpool_3s2p1_64x16x16", new PoolGeometry(64, 16, 16, 3, stride: 2, pad: 1)),
        ("maxpool_3s2_ceil_64x15x15", new PoolGeometry(64, 15, 15, 3, stride: 2, ceilMode: true)),
    ];

    /// <summary>Runs every case and prints one line per kernel.</summary>
    /// <param name="samples">Timed samples of each case (medians reported).</param>
    /// <param name="peak">The core's FMA peak in GFLOP/s (0 when unknown).</param>
    /// <param name="output">Where to print.</param>
    /// <param name="only">Run only the cases whose printed name (<c>b1_…</c>) contains this (all when empty).</param>
    public static void Run(int samples, double peak, TextWriter output, string only = "")
    {
        var random = new Random(3);
        foreach (var (name, g) in Convolutions)
        {
            if (!$"b1_{name}".Contains(only, StringComparison.Ordinal) || !DirectConv.Supports(g))
            {
                continue;
            }
            var x = KernelBenchmark.Fill(g.InputLength, random);
            var w = KernelBenchmark.Fill(g.WeightLength, random);
            var b = KernelBenchmark.Fill(g.OutChannels, random);
            var y = new float[g.OutputLength];
            var scratch = new float[DirectConv.ScratchLength(g)];
            Convolution(output, name, "direct_forward", g, peak, PerCall(samples, () => DirectConv.Forward(g, 1, x, w, b, y, scratch)));
            var pool = new PoolGeometry(g.OutChannels, g.OutHeight, g.OutWidth, 2);
            if (DirectConvPool.Supports(g, pool))
            {
                var pooledDirect = new float[pool.OutputLength];
                var poolScratch = new float[DirectConvPool.ScratchLength(g)];
                Convolution(output, name, "direct_pool_forward", g, peak, PerCall(samples, () => DirectConvPool.Forward(g, pool, x, w, b, pooledDirect, poolScratch)));
            }
            if (FilterLanePool.Supports(g, pool))
            {
                // The convolution with its ReLU and 2×2 pooling, filters in the lanes, whether or not the model pools this layer.
                var packed = new float[FilterLanePool.PackedLength(g)];
                FilterLanePool.Pack(g, w, packed);
                var pooled = new float[pool.OutputLength];
                var laneScratch = new float[FilterLanePool.ScratchLength(g, pool)];
                Convolution(output, name, "filter_lane_pool_forward", g, peak, PerCall(samples, () => FilterLanePool.Forward(g, pool, x, packed, b, pooled, laneScratch)));
            }
            if (Winograd.Supports(g, CpuPaths.Best))
            {
                // The Winograd kernel on the same sample, whether or not one-sample inference takes it for this layer.
                var winogradScratch = new float[Conv2d.ScratchLength(g, 1)];
                Convolution(output, name, "winograd_forward", g, peak, PerCall(samples, () => Conv2d.WinogradForward(g, 1, x, w, b, y, winogradScratch)));
                KeptBlocks(output, name, g, peak, samples, x, w, b, y);
            }
        }
        foreach (var (name, g) in Poolings)
        {
            if (!$"b1_{name}".Contains(only, StringComparison.Ordinal))
            {
                continue;
            }
            var x = KernelBenchmark.Fill(g.InputLength, random);
            var y = new float[g.OutputLength];
            var argmax = new int[g.OutputLength];
            var dx = new float[g.InputLength];
            Pool(output, name, "max_forward", samples, () => MaxPool2d.Forward(g, 1, x, y, argmax));
            Pool(output, name, "max_backward", samples, () => MaxPool2d.Backward(g, 1, y, argmax, dx, false));
            Pool(output, name, "avg_forward", samples, () => AvgPool2d.Forward(g, 1, x, y));
            Pool(output, name, "avg_backward", samples, () => AvgPool2d.Backward(g, 1, y, dx, false));
        }
    }

    /// <summary>
    /// One-sample inference's Winograd pass with filters transformed beforehand, every block of output channels on one thread (as a
    /// pass not shared with worker 1 runs it): F(2×2, 3×3) (<see cref="Winograd.ChannelBlocks"/>) and, on maps it covers,
    /// F(4×4, 3×3) (<see cref="WinogradF4.Blocks"/>).
    /// </summary>
    private static unsafe void KeptBlocks(TextWriter output, string name, in ConvGeometry g, double peak, int samples, float[] x, float[] w, float[] b, float[] y)
    {
        var blocks = new Winograd.ChannelBlocks(g);
        var filters = new float[Conv2d.TransformedFilterLength(g)];
        Conv2d.TransformFilters(g, w, filters);
        KeptPass(output, name, "winograd_kept_blocks", g, peak, samples, x, filters, b, y, blocks.ScratchLength, (input, u, bias, target, work) =>
        {
            blocks.Transform(input, work);
            blocks.Compute(0, blocks.Count, u, bias, target, work);
        });
        if (!WinogradF4.Supports(g))
        {
            return;
        }
        var f4 = new WinogradF4.Blocks(g);
        var f4Filters = new float[f4.FilterLength];
        WinogradF4.TransformFilters(g, w, f4Filters);
        KeptPass(output, name, "winograd_f4_kept_blocks", g, peak, samples, x, f4Filters, b, y, f4.ScratchLength, (input, u, bias, target, work) =>
        {
            f4.Transform(input, work);
            f4.Compute(0, f4.Count, u, bias, target, work);
        });
    }

    /// <summary>One pass with kept filters: the sample, the filters' transform, the bias, the output and the scratch.</summary>
    private unsafe delegate void KeptCall(float* x, float* u, float* bias, float* y, float* work);

    /// <summary>Times and prints <paramref name="call"/> on pinned operands and its own scratch of <paramref name="scratchLength"/> floats.</summary>
    private static unsafe void KeptPass(TextWriter output, string name, string operation, in ConvGeometry g, double peak, int samples, float[] x, float[] filters, float[] b,
        float[] y, int scratchLength, KeptCall call)
    {
        var work = new float[scratchLength];
        fixed (float* xBase = x, u = filters, bBase = b, yBase = y, scratch = work)
        {
            float* input = xBase, kept = u, bias = bBase, target = yBase, own = scratch;
            Convolution(output, name, operation, g, peak, PerCall(samples, () => call(input, kept, bias, target, own)));
        }
    }

    /// <summary>Prints one convolution case: µs per call, GFLOP/s and share of the core's peak.</summary>
    private static void Convolution(TextWriter output, string name, string operation, in ConvGeometry g, double peak, double micros)
    {
        var gflops = 2.0 * g.MultiplyAdds / micros / 1e3;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"kernel=b1_{name} op={operation} us={micros:F2} gflops={gflops:F1} peak_pct={(peak > 0 ? 100 * gflops / peak : 0):F0}"));
    }

    private static void Pool(TextWriter output, string name, string operation, int samples, Action call) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kernel=b1_{name} op={operation} us={PerCall(samples, call):F2}"));

    /// <summary>Median µs of one call: warm-up past tiered compilation, then samples of enough calls to last ~1 ms.</summary>
    private static double PerCall(int samples, Action call)
    {
        var warmUp = System.Diagnostics.Stopwatch.StartNew();
        var calls = 0;
        for (; calls < 40 || warmUp.ElapsedMilliseconds < 200; calls++)
        {
            call();
        }
        var batch = Math.Max(1, (int)(calls / warmUp.Elapsed.TotalMilliseconds));
        return KernelTimer.Median(samples, () =>
        {
            for (var i = 0; i < batch; i++)
            {
                call();
            }
        }) / batch;
    }
}
