using System;
using System.Linq;
using System.Runtime.Intrinsics;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Kernels.Reference;

namespace Cnn.Dsl.Tests.Kernels;

/// <summary>The dense forward (row dot products on the vector paths) against the reference, and its batch-size independence.</summary>
public class LinearForwardTests
{
    public static TheoryData<CpuPath> Paths => KernelAssert.Paths();

    private static float[] Forward(CpuPath path, int n, int inF, int outF, float[] x, float[] w, float[] b)
    {
        var y = KernelAssert.Random(n * outF, 9);
        Linear.Forward(n, inF, outF, x, w, b, y, new float[Linear.ScratchLength(n, inF, outF)], path);
        return y;
    }

    private static void Check(CpuPath path, int n, int inF, int outF, bool bias)
    {
        var x = KernelAssert.Random(n * inF, 1);
        var w = KernelAssert.Random(outF * inF, 2);
        var b = bias ? KernelAssert.Random(outF, 3) : [];
        var expected = new double[n * outF];
        ReferenceGemm.Multiply<double>(false, true, n, outF, inF, KernelAssert.ToDouble(x), inF, KernelAssert.ToDouble(w), inF, expected, outF, false);
        if (bias)
        {
            expected = expected.Select((v, i) => v + b[i % outF]).ToArray();
        }
        var y = Forward(path, n, inF, outF, x, w, b);
        KernelAssert.Close(expected, y, 1e-4, 2e-6 * Math.Sqrt(inF + 1), $"{path} dense {n}×{inF} → {outF}, bias {bias}");
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Odd_batch_input_and_output_sizes_match_the_reference(CpuPath path)
    {
        int[] batches = [1, 2, 3, 4, 5, 7, 9];
        int[] inputs = [1, 7, 8, 15, 16, 17, 33, 47];
        int[] outputs = [1, 3, 4, 5, 8, 9, 13, 17];
        foreach (var n in batches)
        {
            foreach (var inF in inputs)
            {
                foreach (var outF in outputs)
                {
                    Check(path, n, inF, outF, bias: (n + inF + outF) % 2 == 0);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Layer_sized_operands_match_the_reference(CpuPath path)
    {
        Check(path, 1, 4096, 512, bias: true);
        Check(path, 6, 3136, 128, bias: true);
        Check(path, 33, 400, 121, bias: false);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Each_sample_gets_the_same_bits_whatever_batch_it_is_in(CpuPath path)
    {
        // Workers split a batch into sub-batches of any size: a sample's output must not depend on it.
        const int n = 11, inF = 83, outF = 21;
        var x = KernelAssert.Random(n * inF, 4);
        var w = KernelAssert.Random(outF * inF, 5);
        var b = KernelAssert.Random(outF, 6);
        var whole = Forward(path, n, inF, outF, x, w, b);
        foreach (var (start, count) in new[] { (0, 1), (3, 1), (1, 4), (2, 5), (6, 5), (0, 7) })
        {
            var part = Forward(path, count, inF, outF, x.AsSpan(start * inF, count * inF).ToArray(), w, b);
            Assert.Equal(whole.AsSpan(start * outF, count * outF).ToArray(), part);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Tiles_give_each_sample_the_bits_it_gets_alone(CpuPath path)
    {
        // 37 samples: 4-sample tiles, then one-sample rows for the last; 1100 inputs leave a 12-float tail; 13 outputs
        // a partial 8-row block. Alone, a sample takes the one-sample (prefetching) kernel.
        const int n = 37, inF = 1100, outF = 13;
        var x = KernelAssert.Random(n * inF, 10);
        var w = KernelAssert.Random(outF * inF, 11);
        var b = KernelAssert.Random(outF, 12);
        var whole = Forward(path, n, inF, outF, x, w, b);
        for (var s = 0; s < n; s += 5)
        {
            var alone = Forward(path, 1, inF, outF, x.AsSpan(s * inF, inF).ToArray(), w, b);
            Assert.Equal(whole.AsSpan(s * outF, outF).ToArray(), alone);
        }
        var part = Forward(path, 6, inF, outF, x.AsSpan(31 * inF, 6 * inF).ToArray(), w, b);
        Assert.Equal(whole.AsSpan(31 * outF, 6 * outF).ToArray(), part);
    }

    [Fact]
    public void Vector512_sums_in_the_documented_order()
    {
        // One vector of lane sums over the whole 16-float steps, Vector512.Sum, the rest in order, then the bias:
        // the order the forward promises, computed here output by output.
        if (!CpuPaths.IsAccelerated(CpuPath.Vector512))
        {
            return;
        }
        foreach (var (n, inF, outF) in new[] { (1, 1100, 13), (7, 1100, 13), (33, 47, 5), (2, 15, 7) })
        {
            var x = KernelAssert.Random(n * inF, 13);
            var w = KernelAssert.Random(outF * inF, 14);
            var b = KernelAssert.Random(outF, 15);
            var y = Forward(CpuPath.Vector512, n, inF, outF, x, w, b);
            var expected = new float[n * outF];
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < outF; j++)
                {
                    var lanes = Vector512<float>.Zero;
                    var p = 0;
                    for (; p + 16 <= inF; p += 16)
                    {
                        lanes = Vector512.FusedMultiplyAdd(Vector512.Create(x.AsSpan((i * inF) + p, 16)), Vector512.Create(w.AsSpan((j * inF) + p, 16)), lanes);
                    }
                    var sum = Vector512.Sum(lanes);
                    for (; p < inF; p++)
                    {
                        sum += x[(i * inF) + p] * w[(j * inF) + p];
                    }
                    expected[(i * outF) + j] = sum + b[j];
                }
            }
            Assert.Equal(expected, y);
        }
    }

    [Fact]
    public void Too_short_operands_throw_before_writing()
    {
        var y = new float[8];
        Assert.Throws<ArgumentException>(() => Linear.Forward(2, 4, 4, new float[7], new float[16], [], y, [], CpuPath.Auto));
        Assert.Throws<ArgumentException>(() => Linear.Forward(2, 4, 4, new float[8], new float[15], [], y, [], CpuPath.Auto));
        Assert.All(y, v => Assert.Equal(0f, v));
    }
}
