using System;
using System.Runtime.Intrinsics;
using Cnn.Runtime.Kernels;

namespace Cnn.Dsl.Tests.Kernels;

/// <summary>
/// The next-sample prefetch spreads its lines over the step counts its callers give it: <see cref="PackedGemm.Tiles"/>
/// must be exactly the number of tiles the in-place GEMM computes and <see cref="BroadcastWeightGradient.Panels"/> the
/// number of panels a weight-gradient sample takes, or the prefetch ends early (an undercount leaves lines unfetched)
/// or spreads too thinly. Its effect on results is none; the convolution tests cover the passes that use it.
/// </summary>
public class SamplePrefetchTests
{
    /// <summary>
    /// A prefetch of exactly <paramref name="steps"/> lines over <paramref name="steps"/> steps (one line a step) and one of a line
    /// more over a step more: after <paramref name="run"/> has stepped both, the first is done and the second is not.
    /// </summary>
    private static unsafe void AssertSteps(int steps, Action<IntPtr> run, string what)
    {
        var lines = new float[((steps + 1) * 16) + 16];
        fixed (float* start = lines)
        {
            var aligned = (float*)(((nint)start + 63) & ~(nint)63);
            var exact = new SamplePrefetch(aligned, steps * 16L, aligned, 0, steps);
            run((IntPtr)(&exact));
            Assert.True(exact.IsDone, $"{what}: fewer than {steps} steps");
            var more = new SamplePrefetch(aligned, (steps + 1) * 16L, aligned, 0, steps + 1);
            run((IntPtr)(&more));
            Assert.False(more.IsDone, $"{what}: more than {steps} steps");
        }
    }

    [Theory]
    [InlineData(16, 256, 288, 16)]
    [InlineData(32, 256, 144, 16)]
    [InlineData(64, 64, 288, 8)]
    [InlineData(13, 96, 600, 32)]
    public unsafe void Tiles_counts_the_in_place_GEMM_tiles(int m, int n, int k, int outWidth)
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            return;
        }
        var path = CpuPath.Vector512;
        var a = KernelAssert.Random(m * k, 1);
        var packed = new float[PackedGemm.PackedALength(m, k)];
        var data = KernelAssert.Random(n + 64, 2);
        var offsets = new int[k];
        var c = new float[m * n];
        var work = new float[PackedGemm.ScratchLength(m, n, k)];
        AssertSteps(PackedGemm.Tiles(m, n, k, path), prefetch =>
        {
            fixed (float* aBase = a, packedBase = packed, dataBase = data, cBase = c, workBase = work)
            fixed (int* offsetBase = offsets)
            {
                var rows = PackedGemm.PackAll(false, aBase, k, m, k, packedBase, path);
                PackedGemm.LoopShifted(m, n, k, new PrepackedA(packedBase, rows), dataBase, offsetBase, outWidth, outWidth, cBase, n, false, workBase, path,
                    ref *(SamplePrefetch*)prefetch);
            }
        }, $"{m}×{n}×{k}");
    }

    [Theory]
    [InlineData(16, 32, 32, 32)]
    [InlineData(32, 16, 16, 64)]
    [InlineData(8, 16, 16, 48)]
    [InlineData(8, 12, 12, 16)]
    public unsafe void Panels_counts_the_weight_gradient_panels(int inChannels, int height, int width, int filters)
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            return;
        }
        var g = new ConvGeometry(inChannels, height, width, filters, 3, stride: 2, pad: 1);
        var x = KernelAssert.Random(g.InputLength, 1);
        var dy = KernelAssert.Random(g.OutputLength, 2);
        var imageWork = new float[PaddedImage.ScratchLength(g)];
        var columns = BroadcastWeightGradient.Width(filters);
        var transposed = new float[g.OutPlane * columns];
        var sums = new float[g.PatchLength * columns];
        fixed (float* xBase = x, imageBase = imageWork)
        {
            var image = new PaddedImage(g, imageBase);
            image.Fill(xBase);
            var panels = BroadcastWeightGradient.Panels(image, g.OutWidth, g.PatchLength, filters);
            AssertSteps(panels, prefetch =>
            {
                fixed (float* dyBase = dy, transposedBase = transposed, sumBase = sums)
                {
                    BroadcastWeightGradient.Accumulate(image, g.OutWidth, g.PatchLength, filters, dyBase, transposedBase, sumBase, ref *(SamplePrefetch*)prefetch);
                }
            }, $"{g}");
        }
    }
}
