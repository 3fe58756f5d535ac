using System;
using System.Linq;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Kernels.Reference;

namespace Cnn.Dsl.Tests.Kernels;

/// <summary>
/// The pooled batch-1 convolution (relu(maxpool₂ₓ₂(conv)), and with a BatchNorm's inference map before the pooling) against the
/// passes it replaces, bit for bit, and against the reference convolution pooled in double precision. It runs on Vector512 only (the tests return early elsewhere, where it is never taken).
/// </summary>
public class DirectConvPoolTests
{
    private static readonly (ConvGeometry Conv, bool Bias)[] Geometries =
    [
        (new ConvGeometry(1, 28, 28, 6, 5, pad: 2), true),
        (new ConvGeometry(1, 28, 28, 1, 5, pad: 2), false),
        (new ConvGeometry(2, 9, 11, 6, 3, pad: 1), true),
        (new ConvGeometry(3, 10, 7, 7, 2), true),
        (new ConvGeometry(1, 13, 14, 13, 4, pad: 3), false),
        (new ConvGeometry(2, 6, 30, 17, 3, pad: 1), true),
        (new ConvGeometry(1, 5, 5, 4, 5, pad: 2), true),
        (new ConvGeometry(6, 14, 14, 16, 5), true),
        (new ConvGeometry(1, 20, 16, 5, 16, pad: 8), true),
    ];

    private static PoolGeometry PoolOf(in ConvGeometry g) => new(g.OutChannels, g.OutHeight, g.OutWidth, 2, 2);

    [Fact]
    public void Pooled_values_are_the_bits_of_the_convolution_pooling_and_relu_in_turn()
    {
        if (!DirectConvPool.Supports(Geometries[0].Conv, PoolOf(Geometries[0].Conv)))
        {
            return;
        }
        foreach (var (g, hasBias) in Geometries)
        {
            var p = PoolOf(g);
            Assert.True(DirectConvPool.Supports(g, p));
            var x = KernelAssert.Random(g.InputLength, 1);
            var w = KernelAssert.Random(g.WeightLength, 2, 0.5f);
            var b = hasBias ? KernelAssert.Random(g.OutChannels, 3) : [];
            var scratch = KernelAssert.Random(DirectConvPool.ScratchLength(g), 5, 1e30f);
            AssertConvPoolRelu(g, p, x, w, b, y => DirectConvPool.Forward(g, p, x, w, b, y, scratch));
        }
    }

    /// <summary>
    /// Runs a pooled kernel into an output of stale values (its scratch too should hold some) and requires the bits of
    /// <see cref="ConvPoolRelu"/>, nothing written past the output, and the double-precision reference within rounding.
    /// </summary>
    internal static void AssertConvPoolRelu(in ConvGeometry g, in PoolGeometry p, float[] x, float[] w, float[] b, Action<float[]> kernel)
    {
        var expected = ConvPoolRelu(g, p, x, w, b);
        var y = KernelAssert.Random(p.OutputLength + 5, 4);
        kernel(y);
        var name = $"{g.InChannels}×{g.InHeight}×{g.InWidth} → {g.OutChannels}, k{g.Kernel} p{g.Pad}";
        Assert.True(expected.AsSpan().SequenceEqual(y.AsSpan(0, p.OutputLength)), name);
        Assert.Equal(KernelAssert.Random(p.OutputLength + 5, 4).AsSpan(p.OutputLength).ToArray(), y.AsSpan(p.OutputLength).ToArray());
        var reference = new double[g.OutputLength];
        ReferenceConv.Forward<double>(g, 1, KernelAssert.ToDouble(x), KernelAssert.ToDouble(w), KernelAssert.ToDouble(b), reference);
        KernelAssert.Close(PooledRelu(reference, p), y.AsSpan(0, p.OutputLength), 1e-4, 2e-6 * Math.Sqrt(g.PatchLength + 1), name);
    }

    [Fact]
    public void Mapped_values_are_the_bits_of_the_convolution_batchnorm_pooling_and_relu_in_turn()
    {
        if (!DirectConvPool.Supports(Geometries[0].Conv, PoolOf(Geometries[0].Conv)))
        {
            return;
        }
        // bn2conv's first layer; 14×14 maps, whose BatchNorm pass ends each plane's 196 values with 4 scalar ones; more filters than a tile.
        ConvGeometry[] geometries = [new(1, 28, 28, 32, 3, pad: 1), new(1, 14, 14, 8, 3, pad: 1), new(3, 10, 10, 13, 3, pad: 1), .. Geometries.Select(c => c.Conv)];
        foreach (var g in geometries)
        {
            var p = PoolOf(g);
            var x = KernelAssert.Random(g.InputLength, 11);
            var w = KernelAssert.Random(g.WeightLength, 12, 0.5f);
            var b = KernelAssert.Random(g.OutChannels, 13);
            // γ of both signs: a negative scale makes the smallest corner the largest, so the map must come before the maximum.
            var gamma = KernelAssert.Random(g.OutChannels, 14, 2f);
            gamma[0] = -1.5f;
            var beta = KernelAssert.Random(g.OutChannels, 15);
            var mean = KernelAssert.Random(g.OutChannels, 16);
            var variance = KernelAssert.Random(g.OutChannels, 17).Select(v => 0.5f + Math.Abs(v)).ToArray();
            var map = BatchNorm2d.ChannelAffine.Inference(gamma, beta, mean, variance, 1e-5f);
            var conv = new float[g.OutputLength];
            DirectConv.Forward(g, 1, x, w, b, conv, new float[DirectConv.ScratchLength(g)], CpuPath.Vector512);
            var normalized = new float[g.OutputLength];
            BatchNorm2d.Inference(1, g.OutChannels, g.OutPlane, conv, gamma, beta, mean, variance, 1e-5f, normalized, relu: false, CpuPath.Vector512);
            var expected = new float[p.OutputLength];
            MaxPool2d.Forward(p, 1, normalized, expected, Span<int>.Empty, CpuPath.Vector512);
            Activations.Relu(expected, expected, CpuPath.Vector512);
            var y = KernelAssert.Random(p.OutputLength + 5, 18);
            DirectConvPool.ForwardMapped(g, p, x, w, b, map, y, KernelAssert.Random(DirectConvPool.ScratchLength(g), 19, 1e30f));
            Assert.True(expected.AsSpan().SequenceEqual(y.AsSpan(0, p.OutputLength)), $"{g.InChannels}×{g.InHeight}×{g.InWidth} → {g.OutChannels}, k{g.Kernel} p{g.Pad}");
            Assert.Equal(KernelAssert.Random(p.OutputLength + 5, 18).AsSpan(p.OutputLength).ToArray(), y.AsSpan(p.OutputLength).ToArray());
            var reference = new double[g.OutputLength];
            ReferenceConv.Forward<double>(g, 1, KernelAssert.ToDouble(x), KernelAssert.ToDouble(w), KernelAssert.ToDouble(b), reference);
            for (var i = 0; i < reference.Length; i++)
            {
                var (scale, shift) = map.Of(i / g.OutPlane);
                reference[i] = (reference[i] * scale) + shift;
            }
            KernelAssert.Close(PooledRelu(reference, p), y.AsSpan(0, p.OutputLength), 1e-4, 2e-5 * Math.Sqrt(g.PatchLength + 1), "against the reference");
        }
    }

    [Fact]
    public void A_NaN_in_a_window_gives_NaN_and_the_other_windows_keep_their_values()
    {
        var g = new ConvGeometry(1, 12, 12, 6, 3, pad: 1);
        var p = PoolOf(g);
        if (!DirectConvPool.Supports(g, p))
        {
            return;
        }
        var x = KernelAssert.Random(g.InputLength, 6);
        x[(5 * 12) + 7] = float.NaN;
        var w = KernelAssert.Random(g.WeightLength, 7, 0.5f);
        var b = KernelAssert.Random(g.OutChannels, 8);
        var reference = new double[g.OutputLength];
        ReferenceConv.Forward<double>(g, 1, KernelAssert.ToDouble(x), KernelAssert.ToDouble(w), KernelAssert.ToDouble(b), reference);
        var expected = PooledRelu(reference, p);
        var y = new float[p.OutputLength];
        DirectConvPool.Forward(g, p, x, w, b, y, new float[DirectConvPool.ScratchLength(g)]);
        Assert.Contains(expected, double.IsNaN);
        for (var i = 0; i < y.Length; i++)
        {
            Assert.True(double.IsNaN(expected[i]) ? float.IsNaN(y[i]) : Math.Abs(expected[i] - y[i]) <= 1e-4 * (1 + Math.Abs(expected[i])), $"output {i}: {expected[i]} expected, {y[i]} given");
        }
    }

    [Fact]
    public void Only_the_fitting_pairs_are_supported_and_taken()
    {
        var lenet = new ConvGeometry(1, 28, 28, 6, 5, pad: 2);
        Assert.False(DirectConvPool.Supports(lenet, PoolOf(lenet), CpuPath.Vector256));
        Assert.False(DirectConvPool.Supports(lenet, new PoolGeometry(6, 28, 28, 2, 2, 0, ceilMode: true)));
        Assert.False(DirectConvPool.Supports(lenet, new PoolGeometry(6, 28, 28, 3, 2)));
        var strided = new ConvGeometry(1, 28, 28, 6, 5, stride: 2, pad: 2);
        Assert.False(DirectConvPool.Supports(strided, PoolOf(strided)));
        var wide = new ConvGeometry(1, 28, 31, 6, 5, pad: 1);
        Assert.False(DirectConvPool.Supports(wide, PoolOf(wide)));
        if (DirectConvPool.Supports(lenet, PoolOf(lenet)))
        {
            Assert.True(DirectConvPool.Pays(lenet, PoolOf(lenet)));
            var second = new ConvGeometry(6, 14, 14, 16, 5);
            Assert.False(DirectConvPool.Pays(second, PoolOf(second)));
            // With a BatchNorm's map: any number of filters on an image's few channels, not the layers deep in a network.
            var bn2conv = new ConvGeometry(1, 28, 28, 32, 3, pad: 1);
            Assert.False(DirectConvPool.Pays(bn2conv, PoolOf(bn2conv)));
            Assert.True(DirectConvPool.PaysMapped(bn2conv, PoolOf(bn2conv)));
            Assert.True(DirectConvPool.PaysMapped(lenet, PoolOf(lenet)));
            Assert.False(DirectConvPool.PaysMapped(second, PoolOf(second)));
            var deep = new ConvGeometry(32, 14, 14, 64, 3, pad: 1);
            Assert.False(DirectConvPool.PaysMapped(deep, PoolOf(deep)));
            Assert.Throws<ArgumentException>(() => DirectConvPool.Forward(lenet, PoolOf(lenet), new float[lenet.InputLength], new float[lenet.WeightLength], [],
                new float[PoolOf(lenet).OutputLength], new float[DirectConvPool.ScratchLength(lenet) - 1]));
        }
    }

    /// <summary>The passes a pooled kernel replaces, in turn: <see cref="DirectConv"/>, <see cref="MaxPool2d"/>, <see cref="Activations.Relu"/>.</summary>
    private static float[] ConvPoolRelu(in ConvGeometry g, in PoolGeometry p, float[] x, float[] w, float[] b)
    {
        var conv = new float[g.OutputLength];
        DirectConv.Forward(g, 1, x, w, b, conv, new float[DirectConv.ScratchLength(g)], CpuPath.Vector512);
        var expected = new float[p.OutputLength];
        MaxPool2d.Forward(p, 1, conv, expected, Span<int>.Empty, CpuPath.Vector512);
        Activations.Relu(expected, expected, CpuPath.Vector512);
        return expected;
    }

    /// <summary>relu(max over each 2×2 window) of a [C, H′, W′] map in double precision, NaN when the window holds one.</summary>
    internal static double[] PooledRelu(double[] map, in PoolGeometry p)
    {
        var result = new double[p.OutputLength];
        for (var c = 0; c < p.Channels; c++)
        {
            for (var oh = 0; oh < p.OutHeight; oh++)
            {
                for (var ow = 0; ow < p.OutWidth; ow++)
                {
                    var best = double.NegativeInfinity;
                    for (var i = 0; i < 2; i++)
                    {
                        for (var j = 0; j < 2; j++)
                        {
                            var v = map[(((c * p.InHeight) + (2 * oh) + i) * p.InWidth) + (2 * ow) + j];
                            best = double.IsNaN(v) || v > best ? v : best;
                        }
                    }
                    result[(((c * p.OutHeight) + oh) * p.OutWidth) + ow] = double.IsNaN(best) ? best : Math.Max(best, 0);
                }
            }
        }
        return result;
    }
}
