using System;

namespace Cnn.Runtime.Kernels;

public static unsafe partial class Conv2d
{
    /// <summary>Whether the forward pass of <paramref name="g"/> runs <see cref="Winograd"/> on <paramref name="path"/>.</summary>
    private static bool UsesWinograd(in ConvGeometry g, CpuPath path) => Winograd.Supports(g, path) && WinogradPays(g);

    /// <summary>Whether <see cref="BackwardData"/> of <paramref name="g"/> runs <see cref="Winograd"/> on its data-gradient convolution.</summary>
    private static bool UsesWinogradDataGradient(in ConvGeometry g, CpuPath path) =>
        HasConvolutionalDataGradient(g) && UsesWinograd(DataGradientGeometry(g), path);

    /// <summary>
    /// Where Winograd is faster than the implicit GEMM (any batch, so a layer's kernel does not depend on how a batch is split):
    /// at least 32 input and 32 output channels. <c>--kernels</c>, batch 32, medians of three runs alternating the two builds
    /// (load 2–5), GFLOP/s counted as direct multiply-adds, forward and data gradient: ResNet-8's 32 → 32 on 16×16 209 → 341
    /// and 210 → 336, 64 → 64 on 8×8 201 → 305 and 188 → 228, bn2conv's 32 → 64 on 14×14 176 → 272 and 179 → 202. ResNet-8's
    /// 16 → 16 on 32×32 also measured faster there (172 → 258, 197 → 260), but in the network (<c>--profile</c>, thread CPU
    /// time of one worker's 32 samples, both workers running, load 1.3–2.5) its forward took 980–1345 µs against 816–923 µs by
    /// the GEMM in four runs, while the 32- and 64-channel layers' took 557–780 against 803–882: it stays on the GEMM.
    /// </summary>
    private static bool WinogradPays(in ConvGeometry g) => g.InChannels >= 32 && g.OutChannels >= 32;

    /// <summary>
    /// Whether one-sample inference computes <paramref name="g"/> with <see cref="Conv2d.Forward(in ConvGeometry, int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, CpuPath)"/>
    /// (which takes Winograd where <see cref="WinogradPays"/>) rather than <see cref="DirectConv"/>: at most 32·32 filters, whose
    /// transform once per call is paid for, and at least 16×16 outputs. Measured one sample at a time (<c>--kernels --kernel-filter
    /// b1_resnet8_</c>, µs, direct → Winograd in the same run, medians of five, load 2.5): ResNet-8's 32 → 32 on 16×16
    /// 22.6 → 19.8 (16 → 16 on 32×32, 22.8 → 19.9, stays direct with its training batches, see <see cref="WinogradPays"/>). Not
    /// taken (three runs, load 4–6): 64 → 64 on 8×8 23 → 40–60 (4096 filters transformed for 16 tiles); bn2conv's 32 → 64 on
    /// 14×14 39–46 → 37–54, which <see cref="Network.SharedConvFilters"/> splits between two threads besides.
    /// </summary>
    /// <param name="g">The convolution.</param>
    /// <returns>True when Winograd is the faster one-sample kernel.</returns>
    internal static bool OneSampleTakesWinograd(in ConvGeometry g) =>
        UsesWinograd(g, CpuPaths.Best) && g.InChannels * g.OutChannels <= 32 * 32 && g.OutPlane >= 16 * 16;

    /// <summary>Scratch of the Winograd forward and data gradient, where they may run.</summary>
    private static int WinogradScratch(in ConvGeometry g)
    {
        var forward = UsesWinograd(g, CpuPath.Vector512) ? Winograd.ScratchLength(g) : 0;
        var data = UsesWinogradDataGradient(g, CpuPath.Vector512) ? new Winograd.Plan(DataGradientGeometry(g), transposedFilters: true).ScratchLength : 0;
        return Math.Max(forward, data);
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
    /// The forward pass by <see cref="Winograd"/>: the filters transformed once, then the samples in the groups a strip holds,
    /// each sample's <paramref name="epilogue"/> run after its group while its output is in cache, as <see cref="ForwardGemm"/> runs it.
    /// </summary>
    private static void WinogradForward(in ConvGeometry g, int n, float* x, float* weight, float* bias, float* y, bool accumulate, float* work, CpuPath path,
        scoped in SampleEpilogue epilogue)
    {
        var plan = new Winograd.Plan(g);
        Winograd.TransformFilters(plan, weight, work);
        RunWinograd(g, plan, n, x, bias, y, accumulate, work, path, epilogue);
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
        RunWinograd(dataGeometry, plan, n, dy, null, dx, accumulate, work, path, epilogue);
    }

    /// <summary>
    /// The <paramref name="n"/> samples through <see cref="Winograd.Forward"/> in groups of <see cref="Winograd.Plan.SamplesPerStrip"/>
    /// (U already at the start of <paramref name="work"/>), each sample's <paramref name="epilogue"/> after its group.
    /// </summary>
    private static void RunWinograd(in ConvGeometry g, in Winograd.Plan plan, int n, float* x, float* bias, float* y, bool accumulate, float* work, CpuPath path,
        scoped in SampleEpilogue epilogue)
    {
        for (var s = 0; s < n; s += plan.SamplesPerStrip)
        {
            var count = Math.Min(plan.SamplesPerStrip, n - s);
            Winograd.Forward(plan, count, x + ((long)s * g.InputLength), bias, y + ((long)s * g.OutputLength), accumulate, work);
            for (var i = s; i < s + count; i++)
            {
                epilogue.Sample(g, i, new ReadOnlySpan<float>(y + ((long)i * g.OutputLength), g.OutputLength), path);
            }
        }
    }
}
