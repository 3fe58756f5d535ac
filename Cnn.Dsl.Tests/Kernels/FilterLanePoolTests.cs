using System;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Kernels.Reference;

namespace Cnn.Dsl.Tests.Kernels;

/// <summary>
/// The filter-lane pooled batch-1 convolution (relu(maxpool₂ₓ₂(conv)) with 16 filters in the lanes) against the passes it replaces,
/// bit for bit, and against the reference convolution pooled in double precision: every kernel size it takes, every segment width
/// (2 to 10 columns; one segment and several, split evenly and not), odd maps whose last row and column the pooling drops, padding, and one to three blocks
/// of 16 filters. It runs on Vector512 only (the tests return early elsewhere, where it is never taken).
/// </summary>
public class FilterLanePoolTests
{
    private static readonly (ConvGeometry Conv, bool Bias)[] Geometries =
    [
        (new ConvGeometry(6, 14, 14, 16, 5), true),
        (new ConvGeometry(3, 9, 9, 32, 2), true),
        (new ConvGeometry(2, 12, 17, 16, 3, pad: 1), false),
        (new ConvGeometry(5, 11, 11, 48, 4, pad: 2), true),
        (new ConvGeometry(1, 6, 6, 16, 5, pad: 2), true),
        (new ConvGeometry(4, 7, 26, 16, 3), true),
        (new ConvGeometry(2, 10, 34, 32, 5, pad: 1), false),
        (new ConvGeometry(3, 5, 6, 16, 3), true),
        (new ConvGeometry(2, 6, 6, 16, 5), true),
        (new ConvGeometry(3, 16, 16, 16, 2), true),
        (new ConvGeometry(1, 24, 24, 16, 3), false),
    ];

    private static PoolGeometry PoolOf(in ConvGeometry g) => new(g.OutChannels, g.OutHeight, g.OutWidth, 2, 2);

    [Fact]
    public void Pooled_values_are_the_bits_of_the_convolution_pooling_and_relu_in_turn()
    {
        if (!FilterLanePool.Supports(Geometries[0].Conv, PoolOf(Geometries[0].Conv)))
        {
            return;
        }
        foreach (var (g, hasBias) in Geometries)
        {
            var p = PoolOf(g);
            Assert.True(FilterLanePool.Supports(g, p));
            var x = KernelAssert.Random(g.InputLength, 1);
            var w = KernelAssert.Random(g.WeightLength, 2, 0.5f);
            var b = hasBias ? KernelAssert.Random(g.OutChannels, 3) : [];
            var packed = new float[FilterLanePool.PackedLength(g)];
            FilterLanePool.Pack(g, w, packed);
            var scratch = KernelAssert.Random(FilterLanePool.ScratchLength(g, p), 5, 1e30f);
            DirectConvPoolTests.AssertConvPoolRelu(g, p, x, w, b, y => FilterLanePool.Forward(g, p, x, packed, b, y, scratch));
        }
    }

    [Fact]
    public void Packing_puts_each_block_of_16_filters_across_the_lanes_of_every_tap()
    {
        var g = new ConvGeometry(2, 8, 8, 32, 3);
        var w = KernelAssert.Random(g.WeightLength, 6);
        var packed = new float[FilterLanePool.PackedLength(g)];
        FilterLanePool.Pack(g, w, packed);
        for (var oc = 0; oc < g.OutChannels; oc++)
        {
            for (var t = 0; t < g.PatchLength; t++)
            {
                Assert.Equal(w[(oc * g.PatchLength) + t], packed[((oc / 16) * 16 * g.PatchLength) + (t * 16) + (oc % 16)]);
            }
        }
        Assert.Throws<ArgumentException>(() => FilterLanePool.Pack(new ConvGeometry(2, 8, 8, 24, 3), new float[2 * 24 * 9], new float[2 * 24 * 9]));
    }

    [Fact]
    public void A_NaN_in_a_window_gives_NaN_and_the_other_windows_keep_their_values()
    {
        var g = new ConvGeometry(2, 12, 12, 16, 3, pad: 1);
        var p = PoolOf(g);
        if (!FilterLanePool.Supports(g, p))
        {
            return;
        }
        var x = KernelAssert.Random(g.InputLength, 6);
        x[(5 * 12) + 7] = float.NaN;
        var w = KernelAssert.Random(g.WeightLength, 7, 0.5f);
        var b = KernelAssert.Random(g.OutChannels, 8);
        var reference = new double[g.OutputLength];
        ReferenceConv.Forward<double>(g, 1, KernelAssert.ToDouble(x), KernelAssert.ToDouble(w), KernelAssert.ToDouble(b), reference);
        var expected = DirectConvPoolTests.PooledRelu(reference, p);
        var packed = new float[FilterLanePool.PackedLength(g)];
        FilterLanePool.Pack(g, w, packed);
        var y = new float[p.OutputLength];
        FilterLanePool.Forward(g, p, x, packed, b, y, new float[FilterLanePool.ScratchLength(g, p)]);
        Assert.Contains(expected, double.IsNaN);
        for (var i = 0; i < y.Length; i++)
        {
            Assert.True(double.IsNaN(expected[i]) ? float.IsNaN(y[i]) : Math.Abs(expected[i] - y[i]) <= 1e-4 * (1 + Math.Abs(expected[i])), $"output {i}: {expected[i]} expected, {y[i]} given");
        }
    }

    [Fact]
    public void Only_the_fitting_pairs_are_supported()
    {
        var lenet = new ConvGeometry(6, 14, 14, 16, 5);
        Assert.False(FilterLanePool.Supports(lenet, PoolOf(lenet), CpuPath.Vector256));
        Assert.False(FilterLanePool.Supports(lenet, new PoolGeometry(16, 10, 10, 2, 2, 0, ceilMode: true)));
        Assert.False(FilterLanePool.Supports(lenet, new PoolGeometry(16, 10, 10, 3, 2)));
        Assert.False(FilterLanePool.Supports(new ConvGeometry(6, 14, 14, 24, 5), new PoolGeometry(24, 10, 10, 2, 2)));
        Assert.False(FilterLanePool.Supports(new ConvGeometry(6, 14, 14, 16, 7), new PoolGeometry(16, 8, 8, 2, 2)));
        Assert.False(FilterLanePool.Supports(new ConvGeometry(6, 14, 14, 16, 1), new PoolGeometry(16, 14, 14, 2, 2)));
        var strided = new ConvGeometry(6, 14, 14, 16, 3, stride: 2);
        Assert.False(FilterLanePool.Supports(strided, PoolOf(strided)));
        if (FilterLanePool.Supports(lenet, PoolOf(lenet)))
        {
            Assert.Throws<ArgumentException>(() => FilterLanePool.Forward(lenet, PoolOf(lenet), new float[lenet.InputLength], new float[lenet.WeightLength], [],
                new float[PoolOf(lenet).OutputLength], new float[FilterLanePool.ScratchLength(lenet, PoolOf(lenet)) - 1]));
        }
    }
}
