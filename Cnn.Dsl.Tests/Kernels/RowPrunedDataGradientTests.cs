using System;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Kernels.Reference;

namespace Cnn.Dsl.Tests.Kernels;

/// <summary>
/// The row-pruned data gradient (dx row by row, the kernel rows on dy's padding skipped) against the reference data gradient in
/// double precision: LeNet-5's layer, a partial block of channels, heights that are not whole tiles, rows of 16 and fewer values,
/// kernels of 2 to 7 with and without padding. Through <c>Conv2d.BackwardData</c> where it routes there, and called directly on
/// every geometry it supports. It runs on Vector512 only (the tests return early elsewhere, where it is never taken).
/// </summary>
public class RowPrunedDataGradientTests
{
    private static readonly ConvGeometry[] Geometries =
    [
        new(6, 14, 14, 16, 5),
        new(7, 9, 16, 5, 3, pad: 1),
        new(1, 28, 13, 6, 5, pad: 2),
        new(3, 9, 8, 4, 7),
        new(2, 5, 11, 9, 2),
        new(4, 10, 1, 3, 3, pad: 2),
        new(13, 7, 7, 8, 4, pad: 3),
    ];

    [Fact]
    public void Data_gradients_match_the_reference()
    {
        if (!RowPrunedDataGradient.Supports(Geometries[0]))
        {
            return;
        }
        const int n = 3;
        foreach (var g in Geometries)
        {
            Assert.True(RowPrunedDataGradient.Supports(g));
            var dy = KernelAssert.Random(n * g.OutputLength, 1);
            var w = KernelAssert.Random(g.WeightLength, 2, 0.5f);
            var reference = new double[n * g.InputLength];
            ReferenceConv.BackwardData<double>(g, n, KernelAssert.ToDouble(dy), KernelAssert.ToDouble(w), reference, accumulate: false);
            // Stale values in dx and the scratch must not leak into the result, nor anything be written past dx.
            var dx = KernelAssert.Random((n * g.InputLength) + 5, 3);
            var scratch = KernelAssert.Random(RowPrunedDataGradient.ScratchLength(g), 4, 1e30f);
            Run(g, n, dy, w, dx, scratch);
            var name = $"{g.InChannels}×{g.InHeight}×{g.InWidth} → {g.OutChannels}, k{g.Kernel} p{g.Pad}";
            KernelAssert.Close(reference, dx.AsSpan(0, n * g.InputLength), 1e-4, 2e-6 * Math.Sqrt(g.OutChannels * g.Kernel * g.Kernel), name);
            Assert.Equal(KernelAssert.Random((n * g.InputLength) + 5, 3).AsSpan(n * g.InputLength).ToArray(), dx.AsSpan(n * g.InputLength).ToArray());
        }
    }

    [Fact]
    public void Conv2d_takes_it_where_a_fifth_of_the_kernel_rows_fall_on_padding()
    {
        var lenet = Geometries[0];
        Assert.Equal(20, RowPrunedDataGradient.PrunedRowPairs(lenet));
        Assert.Equal(2, RowPrunedDataGradient.PrunedRowPairs(new ConvGeometry(4, 8, 8, 4, 3, pad: 1)));
        if (!RowPrunedDataGradient.Supports(lenet))
        {
            return;
        }
        Assert.True(RowPrunedDataGradient.Pays(lenet));
        Assert.False(RowPrunedDataGradient.Pays(new ConvGeometry(4, 8, 8, 4, 3, pad: 1)));
        Assert.False(RowPrunedDataGradient.Supports(new ConvGeometry(6, 14, 17, 16, 5)));
        Assert.False(RowPrunedDataGradient.Supports(new ConvGeometry(6, 14, 14, 16, 5, stride: 2)));
        Assert.False(RowPrunedDataGradient.Supports(new ConvGeometry(6, 14, 14, 16, 3, pad: 3)));

        // Through the convolution's entry point, as LeNet-5's training step calls it.
        const int n = 4;
        var dy = KernelAssert.Random(n * lenet.OutputLength, 5);
        var w = KernelAssert.Random(lenet.WeightLength, 6, 0.5f);
        var reference = new double[n * lenet.InputLength];
        ReferenceConv.BackwardData<double>(lenet, n, KernelAssert.ToDouble(dy), KernelAssert.ToDouble(w), reference, accumulate: false);
        var dx = KernelAssert.Random(n * lenet.InputLength, 7);
        Conv2d.BackwardData(lenet, n, dy, w, dx, false, new float[Conv2d.ScratchLength(lenet, n)]);
        KernelAssert.Close(reference, dx, 1e-4, 2e-6 * Math.Sqrt(lenet.OutChannels * 25), "Conv2d.BackwardData");
        // The kernel's own bits (DirectConv on padded dy sums in another order): Conv2d took it.
        var direct = new float[n * lenet.InputLength];
        Run(lenet, n, dy, w, direct, new float[RowPrunedDataGradient.ScratchLength(lenet)]);
        Assert.Equal(direct, dx);
    }

    private static unsafe void Run(in ConvGeometry g, int n, float[] dy, float[] w, float[] dx, float[] scratch)
    {
        fixed (float* dyBase = dy, wBase = w, dxBase = dx, work = scratch)
        {
            RowPrunedDataGradient.Run(g, n, dyBase, wBase, dxBase, work);
        }
    }
}
