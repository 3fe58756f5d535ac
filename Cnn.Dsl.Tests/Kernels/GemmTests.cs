using System;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Kernels.Reference;
using FsCheck;
using FsCheck.Fluent;

namespace Cnn.Dsl.Tests.Kernels;

public class GemmTests
{
    public static TheoryData<CpuPath> Paths => KernelAssert.Paths();

    private static void Check(CpuPath path, bool ta, bool tb, int m, int n, int k, bool accumulate, int pad = 0)
    {
        int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
        var a = KernelAssert.Random(((ta ? k : m) * lda) + 1, 1);
        var b = KernelAssert.Random(((tb ? n : k) * ldb) + 1, 2);
        var c = KernelAssert.Random((m * ldc) + 1, 3);
        var expected = KernelAssert.ToDouble(c);
        ReferenceGemm.Multiply<double>(ta, tb, m, n, k, KernelAssert.ToDouble(a), lda, KernelAssert.ToDouble(b), ldb, expected, ldc, accumulate);
        var scratch = new float[Gemm.ScratchLength(m, n, k)];
        Gemm.Multiply(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, accumulate, scratch, path);
        KernelAssert.Close(expected, c, 1e-4, 2e-6 * Math.Sqrt(k + 1), $"{path} {(ta ? "Aᵀ" : "A")}·{(tb ? "Bᵀ" : "B")} {m}×{n}×{k}");
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Every_transpose_and_odd_size_matches_the_triple_loop(CpuPath path)
    {
        int[] sizes = [1, 3, 7, 17, 33];
        foreach (var ta in new[] { false, true })
        {
            foreach (var tb in new[] { false, true })
            {
                foreach (var m in sizes)
                {
                    foreach (var n in sizes)
                    {
                        foreach (var k in sizes)
                        {
                            Check(path, ta, tb, m, n, k, accumulate: (m + n + k) % 2 == 0);
                        }
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Sizes_beyond_one_packed_block_and_strided_operands_match(CpuPath path)
    {
        Check(path, false, false, 130, 1060, 300, accumulate: true);
        Check(path, true, false, 97, 45, 513, accumulate: false, pad: 3);
        Check(path, false, true, 101, 70, 260, accumulate: true, pad: 5);
    }

    [Fact]
    public void Random_shapes_match_the_reference_on_every_path()
    {
        var gen = from m in Gen.Choose(1, 70)
                  from n in Gen.Choose(1, 70)
                  from k in Gen.Choose(1, 70)
                  from ta in ArbMap.Default.GeneratorFor<bool>()
                  from tb in ArbMap.Default.GeneratorFor<bool>()
                  from acc in ArbMap.Default.GeneratorFor<bool>()
                  from pad in Gen.Choose(0, 3)
                  select (m, n, k, ta, tb, acc, pad);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            foreach (var path in CpuPaths.Supported)
            {
                Check(path, t.ta, t.tb, t.m, t.n, t.k, t.acc, t.pad);
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Accumulate_adds_the_product_to_what_was_there()
    {
        var a = KernelAssert.Random(12 * 9, 4);
        var b = KernelAssert.Random(9 * 20, 5);
        var once = new float[12 * 20];
        var twice = new float[12 * 20];
        var scratch = new float[Gemm.ScratchLength(12, 20, 9)];
        Gemm.AB(12, 20, 9, a, b, once, accumulate: false, scratch);
        Gemm.AB(12, 20, 9, a, b, twice, accumulate: false, scratch);
        Gemm.AB(12, 20, 9, a, b, twice, accumulate: true, scratch);
        for (var i = 0; i < once.Length; i++)
        {
            Assert.Equal(2 * once[i], twice[i], 1e-5f);
        }
    }

    [Fact]
    public void Empty_inner_dimension_gives_zero_or_leaves_C()
    {
        var c = new float[] { 1, 2, 3, 4 };
        Gemm.Multiply(false, false, 2, 2, 0, [], 0, [], 2, c, 2, accumulate: true, [], CpuPath.Auto);
        Assert.Equal([1f, 2, 3, 4], c);
        Gemm.Multiply(false, false, 2, 2, 0, [], 0, [], 2, c, 2, accumulate: false, [], CpuPath.Auto);
        Assert.Equal([0f, 0, 0, 0], c);
    }

    [Fact]
    public void Too_little_scratch_is_refused_before_writing()
    {
        var c = new float[4];
        Assert.Throws<ArgumentException>(() => Gemm.AB(2, 2, 2, new float[4], new float[4], c, false, new float[1]));
    }
}
