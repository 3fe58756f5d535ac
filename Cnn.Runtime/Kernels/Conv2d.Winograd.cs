using System;

namespace Cnn.Runtime.Kernels;

public static unsafe partial class Conv2d
{
    /// <summary>Whether the forward pass of <paramref name="g"/> runs <see cref="Winograd"/> on <paramref name="path"/>.</summary>
    private static bool UsesWinograd(in ConvGeometry g, CpuPath path) => Winograd.Supports(g, path) && WinogradPays(g);

    /// <summary>Whether <see cref="BackwardData"/> of <paramref name="g"/> runs <see cref="Winograd"/> on its data-gradient convolution.</summary>
    private static bool UsesWinogradDataGradient(in ConvGeometry g, CpuPath path)
    {
        if (!HasConvolutionalDataGradient(g))
        {
            return false;
        }
        var data = DataGradientGeometry(g);
        return Winograd.Supports(data, path) && WinogradDataGradientPays(data);
    }

    /// <summary>
    /// Whether <see cref="BackwardWeights"/> of <paramref name="g"/> runs <see cref="Winograd.WeightGradient"/> on <paramref name="path"/>:
    /// where the forward pass takes Winograd too (<see cref="WinogradPays"/>: 32 channels each way) and the tiles fill its lanes
    /// (<see cref="Winograd.WeightGradientPays"/>). <c>--kernels</c>, batch 32, one run with the rule off (2026-12-03, before
    /// 19:16 UTC), GFLOP/s counted as direct multiply-adds, the kernel chosen before against Winograd: 128 → 128 on 16×16
    /// 186 → 260, ResNet-8's 32 → 32 on 16×16 178 → 263, 64 → 64 on 8×8 176 → 207, but bn2conv's 32 → 64 on 14×14 (7 of a
    /// row's 8 lanes filled) 172 → 156.
    /// In the network's training step (ResNet-8, two workers, 8-step bursts alternating the two in one process, 30 pairs a run):
    /// 1.019× faster (median step 16.41 → 16.10 ms, 26 of 30 pairs; another run 28 of 30), simplecnn 1.011× (11.84 → 11.71 ms,
    /// 18 of 30). ResNet-8's 16 → 16 on 32×32 measured faster alone too (159 → 186), but with its layers also taking it the step
    /// was no faster (15.70 → 15.79 ms, 10 of 30 pairs), as its forward pass was not (<see cref="WinogradPays"/>).
    /// </summary>
    /// <param name="g">The convolution.</param>
    /// <param name="path">The instruction set (resolved).</param>
    /// <returns>True when the weight gradient takes Winograd.</returns>
    internal static bool UsesWinogradWeightGradient(in ConvGeometry g, CpuPath path) =>
        UsesWinograd(g, path) && Winograd.SupportsWeightGradient(g, path) && Winograd.WeightGradientPays(g);

    /// <summary>
    /// Where the data gradient by Winograd is faster than the implicit GEMM: at least 16 channels each way of the data-gradient
    /// convolution, where the forward pass needs 32 (<see cref="WinogradPays"/>). ResNet-8's training with its 16 → 16 layers' data
    /// gradients so (their forward passes on the GEMM), the benchmark's images/s in 8 alternated process pairs (2026-12-03, 18:08–18:14
    /// UTC): 3,491–4,513, median 4,252, against 3,654–4,211, median 4,129; faster in 7 of the 8.
    /// </summary>
    private static bool WinogradDataGradientPays(in ConvGeometry g) => g.InChannels >= 16 && g.OutChannels >= 16;

    /// <summary>
    /// Where Winograd is faster than the implicit GEMM (any batch, so a layer's kernel does not depend on how a batch is split):
    /// at least 32 input and 32 output channels. <c>--kernels</c>, batch 32, medians of three runs alternating the two builds
    /// (load 2–5), GFLOP/s counted as direct multiply-adds, forward and data gradient: ResNet-8's 32 → 32 on 16×16 209 → 341
    /// and 210 → 336, 64 → 64 on 8×8 201 → 305 and 188 → 228, bn2conv's 32 → 64 on 14×14 176 → 272 and 179 → 202. ResNet-8's
    /// 16 → 16 on 32×32 also measured faster there (172 → 258, 197 → 260), but in the network (<c>--profile</c>, thread CPU
    /// time of one worker's 32 samples, both workers running, load 1.3–2.5) its forward took 980–1345 µs against 816–923 µs by
    /// the GEMM in four runs, while the 32- and 64-channel layers' took 557–780 against 803–882: its forward stays on the GEMM
    /// (its data gradient takes Winograd: <see cref="WinogradDataGradientPays"/>).
    /// </summary>
    private static bool WinogradPays(in ConvGeometry g) => g.InChannels >= 32 && g.OutChannels >= 32;

    /// <summary>
    /// Whether one-sample inference computes <paramref name="g"/> by Winograd with filters transformed once and kept between passes
    /// (<see cref="ForwardWithFilters"/>, <see cref="Network.OneSampleFilters"/>) rather than by <see cref="DirectConv"/>: 16 channels
    /// or more each way, at most 32·64 filters (the largest layers measured; each keeps a transform 16/9 the weights' size and a copy of
    /// them) and outputs of at least 14×14, whatever <see cref="WinogradPays"/> says of training batches (fewer channels,
    /// an image's 3, would fill a fraction of Winograd's 16-lane channel blocks; an 8×8 map's 16 tiles fill one vector, the GEMMs'
    /// narrowest tile). Where <see cref="Network.SharedConvFilters"/> would share the direct kernel between two workers,
    /// <see cref="Network.SharedWinograd"/> shares this one by blocks of output channels. ResNet-8's whole one-sample pass,
    /// 30 alternated pairs in one process, with its 16 → 16 (32×32) and 32 → 32 (16×16) layers so: 1.093× and 1.061× faster with
    /// two workers, 1.082× and 1.091× with one. bn2conv's and simplecnn's 32 → 64 on 14×14 and 16×16, 40 alternated pairs, both
    /// sharing their convolutions with worker 1: 1.037× and 1.034× against the shared direct kernel; with worker 1 not sharing
    /// them, 1.077× and 1.089× (one worker: 1.100× and 1.102×). With the filters transformed on every call, the 16 → 16 layers
    /// alone (20.4 against 23 µs direct) gained nothing in the pass (1.001×, 0.997×). ResNet-8's 64 → 64 on 8×8 by F(2×2, 3×3) was
    /// no faster (0.998× with two workers sharing it by blocks, 0.986× with one); by F(4×4, 3×3) with the channels in the lanes
    /// (<see cref="TakesFewTileWinograd"/>) it is: alone 2.3 µs of transform and 9.5 of products against 24.2 direct, and the
    /// whole one-sample pass, 30 alternated pairs of 300 passes in one process, 1.050× and 1.043× faster with one worker (21 and
    /// 28 pairs of 30), 1.035× and 1.055× with two (25 and 29).
    /// </summary>
    /// <param name="g">The convolution.</param>
    /// <returns>True when Winograd is the faster one-sample kernel.</returns>
    internal static bool OneSampleTakesWinograd(in ConvGeometry g) =>
        Winograd.Supports(g, CpuPaths.Best) && g.InChannels >= 16 && g.OutChannels >= 16
        && ((g.InChannels * g.OutChannels <= 32 * 64 && g.OutHeight >= 14 && g.OutWidth >= 14) || TakesFewTileWinograd(in g));

    /// <summary>
    /// The small maps one-sample inference computes by <see cref="WinogradF4"/> with the output channels in the GEMM's lanes
    /// (<see cref="WinogradF4.HasFewTiles"/>): 5×5 to 8×8, whose 4 tiles F(4×4, 3×3) fills (its 36 products per tile are 144 direct
    /// ones on an 8×8 map, 81 on 6×6), at most 64·64 filters (a transform of 36·64·64 floats, 576 KiB, read on every pass).
    /// </summary>
    /// <param name="g">A convolution <see cref="Winograd.Supports"/> takes, of 16 channels or more each way.</param>
    /// <returns>True when the map and the filters fit.</returns>
    private static bool TakesFewTileWinograd(in ConvGeometry g) =>
        WinogradF4.Supports(in g) && WinogradF4.HasFewTiles(in g) && g.OutHeight > 4 && g.OutWidth > 4 && g.InChannels * g.OutChannels <= 64 * 64;

    /// <summary>Floats of <paramref name="g"/>'s filters transformed for <see cref="ForwardWithFilters"/>.</summary>
    /// <param name="g">The convolution (see <see cref="Winograd.Supports"/>).</param>
    /// <returns>The transform's length.</returns>
    internal static int TransformedFilterLength(in ConvGeometry g) => new Winograd.Plan(g).FilterLength;

    /// <summary>Transforms <paramref name="weight"/> for <see cref="ForwardWithFilters"/>, as every Winograd forward pass does first.</summary>
    /// <param name="g">The convolution (see <see cref="Winograd.Supports"/> on the best path).</param>
    /// <param name="weight">Weight, [OutChannels, InChannels, 3, 3].</param>
    /// <param name="filters">At least <see cref="TransformedFilterLength"/> floats (overwritten).</param>
    internal static void TransformFilters(in ConvGeometry g, ReadOnlySpan<float> weight, Span<float> filters)
    {
        var plan = new Winograd.Plan(g);
        if (weight.Length < g.WeightLength || filters.Length < plan.FilterLength)
        {
            throw new ArgumentException($"Winograd filters of {g.OutChannels} × {g.InChannels} need {g.WeightLength} weights and {plan.FilterLength} floats.");
        }
        fixed (float* w = weight, u = filters)
        {
            Winograd.TransformFilters(plan, w, u);
        }
    }

    /// <summary>
    /// <c>y = conv(x, W) + b</c> by Winograd with <paramref name="filters"/> transformed from <paramref name="weight"/>
    /// (<see cref="TransformFilters"/>): the values of the Winograd forward pass that transforms them itself, bit for bit.
    /// <see cref="ForwardNormalized"/> takes them too.
    /// </summary>
    /// <param name="g">The convolution (see <see cref="Winograd.Supports"/> on the best path).</param>
    /// <param name="n">Batch size.</param>
    /// <param name="x">Input, [n, InChannels, InHeight, InWidth].</param>
    /// <param name="weight">Weight, [OutChannels, InChannels, 3, 3].</param>
    /// <param name="filters">Its transform.</param>
    /// <param name="bias">Bias, [OutChannels], or empty for none.</param>
    /// <param name="y">Output, [n, OutChannels, OutHeight, OutWidth] (overwritten).</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> and <see cref="Winograd.ScratchLength"/> floats.</param>
    internal static void ForwardWithFilters(in ConvGeometry g, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> filters,
        ReadOnlySpan<float> bias, Span<float> y, Span<float> scratch) =>
        Forward(g, n, x, weight, bias, y, accumulate: false, SampleEpilogue.None, scratch, CpuPath.Auto, filters);

    /// <summary>The Winograd forward pass with the filters transformed by the caller (<see cref="TransformFilters"/>), each sample's <paramref name="epilogue"/> after its group.</summary>
    private static void KeptWinogradForward(in ConvGeometry g, int n, float* x, ReadOnlySpan<float> filters, float* bias, float* y, bool accumulate, float* work,
        int scratchLength, CpuPath path, scoped in SampleEpilogue epilogue)
    {
        var plan = new Winograd.Plan(g);
        if (!Winograd.Supports(g, path) || filters.Length < plan.FilterLength || scratchLength < plan.ScratchLength)
        {
            throw new ArgumentException("Winograd with kept filters needs a 3×3 stride-1 pad-1 undilated ungrouped convolution on Vector512, its transformed filters and its scratch.");
        }
        fixed (float* u = filters)
        {
            RunWinograd(g, plan, n, x, u, bias, y, accumulate, work, path, epilogue);
        }
    }

    /// <summary>Scratch of the Winograd forward, data gradient and weight gradient, where they may run.</summary>
    private static int WinogradScratch(in ConvGeometry g)
    {
        var forward = UsesWinograd(g, CpuPath.Vector512) ? Winograd.ScratchLength(g) : 0;
        var data = UsesWinogradDataGradient(g, CpuPath.Vector512) ? new Winograd.Plan(DataGradientGeometry(g), transposedFilters: true).ScratchLength : 0;
        var weights = UsesWinogradWeightGradient(g, CpuPath.Vector512) ? Winograd.WeightGradientScratchLength(g) : 0;
        return Math.Max(Math.Max(forward, data), weights);
    }

    /// <summary>
    /// The forward pass by <see cref="Winograd"/> whatever <see cref="WinogradPays"/> says, for benchmarks to time it against the
    /// kernel chosen (<paramref name="g"/> as <see cref="Winograd.Supports"/> requires on the best path).
    /// </summary>
    internal static void WinogradForward(in ConvGeometry g, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, Span<float> scratch)
    {
        Check(g, n, x.Length, y.Length, weight.Length, scratch.Length);
        if (!Winograd.Supports(g, CpuPaths.Best) || scratch.Length < Winograd.ScratchLength(g))
        {
            throw new ArgumentException("Winograd needs a 3×3 stride-1 pad-1 undilated ungrouped convolution on Vector512, and its scratch.");
        }
        fixed (float* xBase = x, wBase = weight, bBase = bias, yBase = y, work = scratch)
        {
            WinogradForward(g, n, xBase, wBase, bias.IsEmpty ? null : bBase, yBase, accumulate: false, work, CpuPaths.Best, SampleEpilogue.None);
        }
    }

    /// <summary>
    /// The weight gradient by <see cref="Winograd.WeightGradient"/> whatever <see cref="UsesWinogradWeightGradient"/> says, for
    /// benchmarks to time it against the kernel chosen (<paramref name="g"/> as <see cref="Winograd.SupportsWeightGradient"/> requires on the best path).
    /// </summary>
    internal static void WinogradWeightGradient(in ConvGeometry g, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dWeight, Span<float> scratch)
    {
        Check(g, n, x.Length, dy.Length, dWeight.Length, scratch.Length);
        if (!Winograd.SupportsWeightGradient(g, CpuPaths.Best) || scratch.Length < Winograd.WeightGradientScratchLength(g))
        {
            throw new ArgumentException("The Winograd weight gradient needs a 3×3 stride-1 pad-1 undilated ungrouped convolution of 16 or more input channels and whole vectors of output channels on Vector512, and its scratch.");
        }
        fixed (float* xBase = x, dyBase = dy, dwBase = dWeight, work = scratch)
        {
            Winograd.WeightGradient(g, n, xBase, dyBase, dwBase, accumulate: false, work);
        }
    }

    /// <summary>
    /// The forward pass by <see cref="Winograd"/>: the filters transformed once, then the samples in the groups a strip holds,
    /// each sample's <paramref name="epilogue"/> run after its group while its output is in cache, as <see cref="ForwardGemm"/> runs it.
    /// </summary>
    private static void WinogradForward(in ConvGeometry g, int n, float* x, float* weight, float* bias, float* y, bool accumulate, float* work, CpuPath path,
        scoped in SampleEpilogue epilogue)
    {
        var plan = new Winograd.Plan(g);
        Winograd.TransformFilters(plan, weight, work);
        RunWinograd(g, plan, n, x, work, bias, y, accumulate, work, path, epilogue);
    }

    /// <summary>
    /// <c>dx (+)= conv(dy, W′)</c> by <see cref="Winograd"/>, W′ the flipped, transposed weights, which the filter transform
    /// reads from the layer's weights as they are; each sample's <paramref name="epilogue"/> after its group, on its input gradient.
    /// </summary>
    private static void WinogradDataGradient(in ConvGeometry g, int n, float* dy, float* weight, float* dx, bool accumulate, float* work, CpuPath path,
        scoped in SampleEpilogue epilogue)
    {
        var dataGeometry = DataGradientGeometry(g);
        var plan = new Winograd.Plan(dataGeometry, transposedFilters: true);
        Winograd.TransformFilters(plan, weight, work);
        RunWinograd(dataGeometry, plan, n, dy, work, null, dx, accumulate, work, path, epilogue);
    }

    /// <summary>
    /// The <paramref name="n"/> samples through <see cref="Winograd.Forward"/> in groups of <see cref="Winograd.Plan.SamplesPerStrip"/>
    /// (U at <paramref name="filters"/>: the start of <paramref name="work"/>, or kept by the caller), each sample's <paramref name="epilogue"/> after its group.
    /// </summary>
    private static void RunWinograd(in ConvGeometry g, in Winograd.Plan plan, int n, float* x, float* filters, float* bias, float* y, bool accumulate, float* work, CpuPath path,
        scoped in SampleEpilogue epilogue)
    {
        for (var s = 0; s < n; s += plan.SamplesPerStrip)
        {
            var count = Math.Min(plan.SamplesPerStrip, n - s);
            Winograd.Forward(plan, count, x + ((long)s * g.InputLength), filters, bias, y + ((long)s * g.OutputLength), accumulate, work);
            for (var i = s; i < s + count; i++)
            {
                epilogue.Sample(g, i, new ReadOnlySpan<float>(y + ((long)i * g.OutputLength), g.OutputLength), path);
            }
        }
    }
}
