using System;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Kernels.Reference;

namespace Cnn.Dsl.Tests.Kernels;

public class ConvTests
{
    public static TheoryData<CpuPath> Paths => KernelAssert.Paths();

    /// <summary>LeNet's first layer, a long plane, strides, dilation, groups, depthwise (multiplier 1 and 2), pointwise, odd sizes, GEMM block edges.</summary>
    private static readonly (int N, ConvGeometry G)[] Cases =
    [
        (2, new ConvGeometry(1, 28, 28, 6, 5, pad: 2)),
        (3, new ConvGeometry(3, 7, 7, 5, 3, stride: 2, pad: 1)),
        (1, new ConvGeometry(4, 9, 11, 6, 3, pad: 1, dilation: 2)),
        (2, new ConvGeometry(6, 8, 7, 9, 3, groups: 3)),
        (2, new ConvGeometry(5, 9, 9, 5, 3, pad: 1, groups: 5)),
        (1, new ConvGeometry(4, 8, 8, 8, 3, stride: 2, pad: 1, groups: 4)),
        (3, new ConvGeometry(7, 5, 5, 3, 1)),
        (2, new ConvGeometry(7, 5, 5, 3, 1, stride: 2)),
        (1, new ConvGeometry(2, 3, 3, 2, 1, pad: 1)),
        (1, new ConvGeometry(1, 1, 1, 1, 1)),
        (1, new ConvGeometry(3, 17, 17, 33, 3, stride: 3, pad: 1)),
        (2, new ConvGeometry(16, 7, 7, 17, 3, pad: 1)),
        (2, new ConvGeometry(3, 23, 25, 5, 3, pad: 1)),
        // Past the GEMM's blocks: patch 288 > KC = 256 and plane 1122 > NC = 1024 (the packers start mid-row and mid-patch).
        (2, new ConvGeometry(32, 34, 33, 20, 3, pad: 1)),
        // 100 filters > MC = 96 with a 270-long dilated patch; and 100 input channels, the data gradient's filters.
        (1, new ConvGeometry(30, 6, 6, 100, 3, pad: 2, dilation: 2)),
        (1, new ConvGeometry(100, 5, 5, 8, 3, pad: 1)),
        // Groups of 8 input channels: the data gradient is a grouped convolution of dy.
        (2, new ConvGeometry(16, 6, 6, 8, 3, pad: 1, groups: 2)),
        // Stride with dilation: the phase planes a dilated kernel reads (all of phase 0 for d = 2, s = 2; mixed for d = 2, s = 3).
        (1, new ConvGeometry(4, 11, 10, 6, 3, stride: 2, pad: 2, dilation: 2)),
        (2, new ConvGeometry(3, 13, 12, 4, 3, stride: 3, pad: 1, dilation: 2)),
        // Grouped and strided: the data gradient's phase sub-kernels per group.
        (2, new ConvGeometry(6, 9, 9, 4, 3, stride: 2, pad: 1, groups: 2)),
        // The broadcast weight gradient: 16 filters with dy transposed whole (6 and 8 filters cover its zero-padded
        // lanes; 20, 17 and 100 its 32-filter blocks and zero-padded 16- and 32-filter tails)...
        (2, new ConvGeometry(12, 10, 9, 16, 3, pad: 1)),
        // ... 64 filters (one whole 64-filter block, dW stored by transposing), strided ...
        (2, new ConvGeometry(8, 9, 10, 64, 3, stride: 2, pad: 1)),
        // ... two groups of 32, and 960 positions (two passes over the panels).
        (1, new ConvGeometry(8, 6, 6, 64, 3, pad: 1, groups: 2)),
        (1, new ConvGeometry(4, 30, 30, 48, 3, pad: 1)),
        // Stride 2, even padding, rows over 16 wide: the vector split of columns into phases.
        (1, new ConvGeometry(4, 9, 21, 5, 4, stride: 2, pad: 2)),
        // A wide stride-2 row: the data gradient's interleaved adds in full 8-value chunks and a masked tail.
        (1, new ConvGeometry(8, 12, 37, 8, 3, stride: 2, pad: 1)),
        // Output rows of whole vectors (16, 32 wide): the in-place GEMM skips the discarded columns and writes y
        // directly, forward and in the data gradient (9 rows of 16: a half-filled last panel); dilated too.
        (2, new ConvGeometry(9, 9, 16, 12, 3, pad: 1)),
        (1, new ConvGeometry(8, 7, 32, 8, 3, pad: 1)),
        (1, new ConvGeometry(4, 12, 20, 6, 3, dilation: 2)),
        // Rows an odd multiple of 8 wide: vectors of two 8-wide halves (8×8, 7 rows: a partly filled last panel;
        // 24 wide: vectors across a row's end; stride 2 onto 8×8; a data gradient through 8×8 with 8 channels).
        (2, new ConvGeometry(6, 8, 8, 10, 3, pad: 1)),
        (1, new ConvGeometry(5, 7, 8, 6, 3, pad: 1)),
        (1, new ConvGeometry(3, 5, 24, 4, 3, pad: 1)),
        (2, new ConvGeometry(4, 16, 16, 12, 3, stride: 2, pad: 1)),
        (1, new ConvGeometry(8, 8, 8, 9, 3, pad: 1)),
        // Padding beyond d·(k − 1): the stride-1 data gradient is no convolution of dy and takes col2im.
        (1, new ConvGeometry(3, 4, 5, 4, 2, pad: 2)),
    ];

    [Theory]
    [MemberData(nameof(Paths))]
    public void Forward_matches_the_reference(CpuPath path)
    {
        foreach (var (n, g) in Cases)
        {
            var x = KernelAssert.Random(n * g.InputLength, 1);
            var w = KernelAssert.Random(g.WeightLength, 2);
            var b = KernelAssert.Random(g.OutChannels, 3);
            var y = KernelAssert.Random(n * g.OutputLength, 4);
            var expected = new double[y.Length];
            ReferenceConv.Forward<double>(g, n, KernelAssert.ToDouble(x), KernelAssert.ToDouble(w), KernelAssert.ToDouble(b), expected);
            Conv2d.Forward(g, n, x, w, b, y, new float[Conv2d.ScratchLength(g, n)], path);
            KernelAssert.Close(expected, y, 1e-4, 1e-5, $"{path} forward {Describe(g)}");
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Forward_with_the_output_sums_gives_the_same_output_and_batch_norm_sums_bit_for_bit(CpuPath path)
    {
        foreach (var (n, g) in Cases)
        {
            var x = KernelAssert.Random(n * g.InputLength, 1);
            var w = KernelAssert.Random(g.WeightLength, 2);
            var b = KernelAssert.Random(g.OutChannels, 3);
            var scratch = new float[Conv2d.ScratchLength(g, n)];
            float[] y = new float[n * g.OutputLength], summedY = KernelAssert.Random(n * g.OutputLength, 4);
            Conv2d.Forward(g, n, x, w, b, y, scratch, path);
            // Stale values in the sums: they are overwritten.
            var sums = KernelAssert.ToDouble(KernelAssert.Random(2 * g.OutChannels, 5));
            Conv2d.ForwardSummed(g, n, x, w, b, summedY, sums, scratch, path);
            Assert.Equal(y, summedY);
            double[] sum = new double[g.OutChannels], sumSquares = new double[g.OutChannels];
            BatchNorm2d.Sums(n, g.OutChannels, g.OutPlane, y, sum, sumSquares, accumulate: false, path);
            Assert.Equal([.. sum, .. sumSquares], sums);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Forward_normalized_gives_the_same_output_and_batch_norm_inference_bit_for_bit(CpuPath path)
    {
        foreach (var (n, g) in Cases)
        {
            var x = KernelAssert.Random(n * g.InputLength, 1);
            var w = KernelAssert.Random(g.WeightLength, 2);
            var b = KernelAssert.Random(g.OutChannels, 3);
            var gamma = KernelAssert.Random(g.OutChannels, 6);
            var beta = KernelAssert.Random(g.OutChannels, 7);
            var mean = KernelAssert.Random(g.OutChannels, 8);
            var variance = Array.ConvertAll(KernelAssert.Random(g.OutChannels, 9), v => 0.5f + Math.Abs(v));
            var scratch = new float[Conv2d.ScratchLength(g, n)];
            float[] y = new float[n * g.OutputLength], expected = new float[y.Length];
            Conv2d.Forward(g, n, x, w, b, y, scratch, path);
            foreach (var relu in new[] { false, true })
            {
                if (relu)
                {
                    BatchNorm2d.ForwardInferenceRelu(n, g.OutChannels, g.OutPlane, y, gamma, beta, mean, variance, 1e-5f, expected, path);
                }
                else
                {
                    BatchNorm2d.ForwardInference(n, g.OutChannels, g.OutPlane, y, gamma, beta, mean, variance, 1e-5f, expected, path);
                }
                // Stale values in both outputs: they are overwritten.
                float[] convolved = KernelAssert.Random(y.Length, 4), normalized = KernelAssert.Random(y.Length, 5);
                Conv2d.ForwardNormalized(g, n, x, w, b, convolved, gamma, beta, mean, variance, 1e-5f, normalized, relu, scratch, path);
                Assert.Equal(y, convolved);
                Assert.Equal(expected, normalized);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Backward_passes_match_the_reference_with_and_without_accumulate(CpuPath path)
    {
        foreach (var (n, g) in Cases)
        {
            var x = KernelAssert.Random(n * g.InputLength, 5);
            var w = KernelAssert.Random(g.WeightLength, 6);
            var dy = KernelAssert.Random(n * g.OutputLength, 7);
            var scratch = new float[Conv2d.ScratchLength(g, n)];
            foreach (var accumulate in new[] { false, true })
            {
                var dx = KernelAssert.Random(x.Length, 8);
                var dw = KernelAssert.Random(w.Length, 9);
                var db = KernelAssert.Random(g.OutChannels, 10);
                var dxExpected = KernelAssert.ToDouble(dx);
                var dwExpected = KernelAssert.ToDouble(dw);
                var dbExpected = KernelAssert.ToDouble(db);
                ReferenceConv.BackwardData<double>(g, n, KernelAssert.ToDouble(dy), KernelAssert.ToDouble(w), dxExpected, accumulate);
                ReferenceConv.BackwardWeights<double>(g, n, KernelAssert.ToDouble(x), KernelAssert.ToDouble(dy), dwExpected, dbExpected, accumulate);
                Conv2d.BackwardData(g, n, dy, w, dx, accumulate, scratch, path);
                Conv2d.BackwardWeights(g, n, x, dy, dw, db, accumulate, scratch, path);
                KernelAssert.Close(dxExpected, dx, 1e-4, 1e-5, $"{path} dx acc={accumulate} {Describe(g)}");
                KernelAssert.Close(dwExpected, dw, 1e-4, 5e-5, $"{path} dW acc={accumulate} {Describe(g)}");
                KernelAssert.Close(dbExpected, db, 1e-4, 5e-5, $"{path} db acc={accumulate} {Describe(g)}");
            }
        }
    }

    [Fact]
    public void Reference_gradients_match_finite_differences()
    {
        (int N, ConvGeometry G)[] small =
        [
            (2, new ConvGeometry(2, 5, 4, 3, 3, stride: 2, pad: 1)),
            (1, new ConvGeometry(4, 5, 5, 4, 2, dilation: 2, groups: 2)),
            (1, new ConvGeometry(3, 4, 4, 3, 3, pad: 1, groups: 3)),
        ];
        foreach (var (n, g) in small)
        {
            var x = KernelAssert.ToDouble(KernelAssert.Random(n * g.InputLength, 11));
            var w = KernelAssert.ToDouble(KernelAssert.Random(g.WeightLength, 12));
            var b = KernelAssert.ToDouble(KernelAssert.Random(g.OutChannels, 13));
            var r = KernelAssert.ToDouble(KernelAssert.Random(n * g.OutputLength, 14));
            var y = new double[r.Length];
            double Loss(double[] xv, double[] wv, double[] bv)
            {
                ReferenceConv.Forward<double>(g, n, xv, wv, bv, y);
                return KernelAssert.Dot(y, r);
            }
            var dx = new double[x.Length];
            var dw = new double[w.Length];
            var db = new double[b.Length];
            ReferenceConv.BackwardData<double>(g, n, r, w, dx, false);
            ReferenceConv.BackwardWeights<double>(g, n, x, r, dw, db, false);
            AssertClose(KernelAssert.NumericalGradient(v => Loss(v, w, b), x), dx);
            AssertClose(KernelAssert.NumericalGradient(v => Loss(x, v, b), w), dw);
            AssertClose(KernelAssert.NumericalGradient(v => Loss(x, w, v), b), db);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Transposed_convolution_matches_its_definition_and_finite_differences(CpuPath path)
    {
        (int N, ConvTransposeGeometry G)[] cases =
        [
            (2, new ConvTransposeGeometry(3, 4, 5, 2, 3, stride: 2, pad: 1, outputPad: 1)),
            (1, new ConvTransposeGeometry(2, 3, 3, 4, 2, stride: 2)),
            (2, new ConvTransposeGeometry(1, 5, 5, 3, 3, pad: 1)),
        ];
        foreach (var (n, g) in cases)
        {
            var x = KernelAssert.Random(n * g.InputLength, 15);
            var w = KernelAssert.Random(g.WeightLength, 16);
            var b = KernelAssert.Random(g.OutChannels, 17);
            var r = KernelAssert.Random(n * g.OutputLength, 18);
            var scratch = new float[ConvTranspose2d.ScratchLength(g, n)];
            var y = new float[n * g.OutputLength];
            var yExpected = new double[y.Length];
            ReferenceConv.TransposeForward<double>(g, n, KernelAssert.ToDouble(x), KernelAssert.ToDouble(w), KernelAssert.ToDouble(b), yExpected);
            ConvTranspose2d.Forward(g, n, x, w, b, y, scratch, path);
            KernelAssert.Close(yExpected, y, 1e-4, 1e-5, $"{path} convT forward");

            var xd = KernelAssert.ToDouble(x);
            var wd = KernelAssert.ToDouble(w);
            var bd = KernelAssert.ToDouble(b);
            var rd = KernelAssert.ToDouble(r);
            var yd = new double[y.Length];
            double Loss(double[] xv, double[] wv, double[] bv)
            {
                ReferenceConv.TransposeForward<double>(g, n, xv, wv, bv, yd);
                return KernelAssert.Dot(yd, rd);
            }
            var dx = new float[x.Length];
            var dw = new float[w.Length];
            var db = new float[b.Length];
            ConvTranspose2d.BackwardData(g, n, r, w, dx, false, scratch, path);
            ConvTranspose2d.BackwardWeights(g, n, x, r, dw, db, false, scratch, path);
            KernelAssert.Close(KernelAssert.NumericalGradient(v => Loss(v, wd, bd), xd), dx, 1e-4, 1e-4, "convT dx");
            KernelAssert.Close(KernelAssert.NumericalGradient(v => Loss(xd, v, bd), wd), dw, 1e-4, 1e-4, "convT dW");
            KernelAssert.Close(KernelAssert.NumericalGradient(v => Loss(xd, wd, v), bd), db, 1e-4, 1e-4, "convT db");
        }
    }

    [Fact]
    public void Geometry_follows_pytorch_output_sizes_and_rejects_bad_arguments()
    {
        var lenet = new ConvGeometry(1, 28, 28, 6, 5, pad: 2);
        Assert.Equal((28, 28, 150), (lenet.OutHeight, lenet.OutWidth, lenet.WeightLength));
        var strided = new ConvGeometry(16, 32, 32, 32, 3, stride: 2, pad: 1);
        Assert.Equal((16, 16), (strided.OutHeight, strided.OutWidth));
        var t = new ConvTransposeGeometry(16, 7, 7, 8, 3, stride: 2, pad: 1, outputPad: 1);
        Assert.Equal((14, 14), (t.OutHeight, t.OutWidth));
        Assert.Throws<ArgumentException>(() => new ConvGeometry(3, 4, 4, 6, 5));
        Assert.Throws<ArgumentException>(() => new ConvGeometry(3, 4, 4, 6, 3, groups: 2));
        Assert.Throws<ArgumentException>(() => new ConvTransposeGeometry(3, 4, 4, 6, 3, stride: 2, outputPad: 2));
    }

    [Fact]
    public void Short_scratch_or_tensors_are_refused()
    {
        var g = new ConvGeometry(2, 5, 5, 3, 3);
        Assert.Throws<ArgumentException>(() => Conv2d.Forward(g, 1, new float[g.InputLength], new float[g.WeightLength], [], new float[g.OutputLength], new float[1]));
        Assert.Throws<ArgumentException>(() => Conv2d.Forward(g, 2, new float[g.InputLength], new float[g.WeightLength], [], new float[2 * g.OutputLength], new float[Conv2d.ScratchLength(g, 2)]));
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6 * (1 + Math.Abs(expected[i])), $"[{i}] numeric {expected[i]} vs analytic {actual[i]}");
        }
    }

    private static string Describe(in ConvGeometry g) =>
        $"{g.InChannels}×{g.InHeight}×{g.InWidth}→{g.OutChannels} k{g.Kernel} s{g.Stride} p{g.Pad} d{g.Dilation} g{g.Groups}";
}
