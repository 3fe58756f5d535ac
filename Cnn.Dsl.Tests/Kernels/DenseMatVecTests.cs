using System;
using System.Linq;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Kernels.Reference;

namespace Cnn.Dsl.Tests.Kernels;

/// <summary>
/// The one-sample dense forward (<see cref="DenseMatVec"/>, batch-1 inference's kernel) against the reference on every
/// path it runs: whole and masked last vectors, partial row blocks, with and without bias, layers that prefetch; any split
/// into row blocks gives the bits of one call (the split <see cref="Cnn.Runtime.Network.SharedDenseRows"/> makes), blocks past
/// the layer write nothing, and nothing past a row or the input is read.
/// </summary>
public class DenseMatVecTests
{
    public static TheoryData<CpuPath> Paths()
    {
        var data = new TheoryData<CpuPath>();
        foreach (var path in CpuPaths.Supported.Where(DenseMatVec.Supports))
        {
            data.Add(path);
        }
        return data;
    }

    private static void Check(CpuPath path, int k, int outputs, bool bias)
    {
        var x = KernelAssert.Random(k, 1);
        var w = KernelAssert.Random(outputs * k, 2);
        var b = bias ? KernelAssert.Random(outputs, 3) : [];
        var expected = new double[outputs];
        ReferenceGemm.Multiply<double>(false, true, 1, outputs, k, KernelAssert.ToDouble(x), k, KernelAssert.ToDouble(w), k, expected, outputs, false);
        if (bias)
        {
            expected = expected.Select((v, i) => v + b[i]).ToArray();
        }
        var y = KernelAssert.Random(outputs, 9);
        DenseMatVec.Forward(k, outputs, x, w, b, y, path);
        KernelAssert.Close(expected, y, 1e-4, 2e-6 * Math.Sqrt(k + 1), $"{path} one-sample dense {k} → {outputs}, bias {bias}");
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Whole_and_partial_vectors_and_blocks_match_the_reference(CpuPath path)
    {
        foreach (var (k, outputs) in new[] { (1, 1), (7, 3), (8, 8), (15, 9), (16, 16), (17, 17), (84, 10), (120, 84), (400, 120), (401, 13) })
        {
            Check(path, k, outputs, bias: true);
            Check(path, k, outputs, bias: false);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Layers_that_prefetch_their_rows_match_the_reference(CpuPath path)
    {
        // 1030 × 261 floats: over 1 MiB of weights, a 6-float tail and a 5-row last block.
        Assert.True(1030L * 261 * sizeof(float) >= DenseMatVec.StreamingWeightBytes);
        Check(path, 1030, 261, bias: true);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Any_split_into_row_blocks_gives_the_bits_of_one_call(CpuPath path)
    {
        const int k = 123, outputs = 45;
        var x = KernelAssert.Random(k, 4);
        var w = KernelAssert.Random(outputs * k, 5);
        var b = KernelAssert.Random(outputs, 6);
        var whole = new float[outputs];
        DenseMatVec.Forward(k, outputs, x, w, b, whole, path);
        var blocks = DenseMatVec.RowBlocks(outputs);
        for (var perPart = 1; perPart <= blocks; perPart++)
        {
            var split = Enumerable.Repeat(float.NaN, outputs).ToArray();
            for (var first = 0; first < blocks; first += perPart)
            {
                DenseMatVec.ForwardRowBlocks(k, outputs, x, w, b, split, path, first, perPart);
            }
            Assert.Equal(whole, split);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Row_blocks_past_the_layer_write_nothing_and_ranges_outside_it_are_refused(CpuPath path)
    {
        var y = Enumerable.Repeat(-7f, 16).ToArray();
        DenseMatVec.ForwardRowBlocks(4, 16, new float[4], new float[64], [], y, path, DenseMatVec.RowBlocks(16), 3);
        Assert.All(y, v => Assert.Equal(-7f, v));
        Assert.Throws<ArgumentOutOfRangeException>(() => DenseMatVec.ForwardRowBlocks(4, 16, new float[4], new float[64], [], y, path, 3, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DenseMatVec.ForwardRowBlocks(4, 16, new float[4], new float[64], [], y, path, -1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DenseMatVec.ForwardRowBlocks(4, 16, new float[4], new float[64], [], y, path, 0, -1));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Values_past_the_input_and_the_last_row_are_never_read(CpuPath path)
    {
        // NaN right after the input and after the weights: a full-vector load of the last partial step would bring it in.
        const int k = 21, outputs = 11;
        var x = KernelAssert.Random(k, 7).Concat(Enumerable.Repeat(float.NaN, 16)).ToArray();
        var w = KernelAssert.Random(outputs * k, 8).Concat(Enumerable.Repeat(float.NaN, 16)).ToArray();
        var y = new float[outputs + 3];
        Array.Fill(y, -7f, outputs, 3);
        DenseMatVec.Forward(k, outputs, x, w, [], y, path);
        Assert.All(y.AsSpan(0, outputs).ToArray(), v => Assert.True(float.IsFinite(v)));
        Assert.All(y.AsSpan(outputs).ToArray(), v => Assert.Equal(-7f, v));
    }

    [Fact]
    public void Too_short_operands_throw_before_writing()
    {
        var y = new float[10];
        var path = CpuPaths.Supported.FirstOrDefault(DenseMatVec.Supports);
        if (path == CpuPath.Auto)
        {
            return;
        }
        Assert.Throws<ArgumentException>(() => DenseMatVec.Forward(20, 10, new float[20], new float[199], [], y, path));
        Assert.Throws<ArgumentException>(() => DenseMatVec.Forward(20, 10, new float[19], new float[200], [], y, path));
        Assert.Throws<ArgumentException>(() => DenseMatVec.Forward(20, 10, new float[20], new float[200], new float[9], y, path));
        Assert.All(y, v => Assert.Equal(0f, v));
    }
}
