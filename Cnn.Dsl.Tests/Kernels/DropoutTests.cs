using System;
using System.Linq;
using Cnn.Runtime.Kernels;

namespace Cnn.Dsl.Tests.Kernels;

public class DropoutTests
{
    public static TheoryData<CpuPath> Paths => KernelAssert.Paths();

    [Fact]
    public void A_samples_mask_depends_on_seed_step_and_index_only_not_on_path_or_worker_split()
    {
        int n = 6, length = 37;
        var x = KernelAssert.Random(n * length, 1);
        float[]? whole = null;
        foreach (var path in CpuPaths.Supported)
        {
            var mask = new float[x.Length];
            InvertedDropout.Forward(n, length, x, new float[x.Length], mask, 0.3f, seed: 42, step: 7, firstSample: 0, path);
            whole ??= mask;
            Assert.Equal(whole, mask);
        }
        var split = new float[x.Length];
        InvertedDropout.Forward(4, length, x, new float[4 * length], split, 0.3f, 42, 7, firstSample: 0);
        InvertedDropout.Forward(2, length, x.AsSpan(4 * length), new float[2 * length], split.AsSpan(4 * length), 0.3f, 42, 7, firstSample: 4);
        Assert.Equal(whole, split);

        var otherStep = new float[x.Length];
        InvertedDropout.Forward(n, length, x, new float[x.Length], otherStep, 0.3f, 42, 8, 0);
        Assert.NotEqual(whole, otherStep);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Keeps_about_one_minus_rate_scaled_by_its_inverse_and_backward_applies_the_mask(CpuPath path)
    {
        int n = 8, length = 1000;
        var x = KernelAssert.Random(n * length, 2);
        var y = new float[x.Length];
        var mask = new float[x.Length];
        InvertedDropout.Forward(n, length, x, y, mask, 0.25f, 3, 0, 0, path);
        var kept = mask.Count(m => m != 0);
        Assert.InRange(kept / (double)mask.Length, 0.74, 0.76);
        Assert.All(mask, m => Assert.True(m == 0f || m == 1f / 0.75f));
        for (var i = 0; i < x.Length; i++)
        {
            Assert.Equal(x[i] * mask[i], y[i]);
        }
        var dy = KernelAssert.Random(x.Length, 3);
        var dx = new float[x.Length];
        InvertedDropout.Backward(dy, mask, dx, path);
        Assert.Equal(dy.Select((d, i) => d * mask[i]).ToArray(), dx);
    }

    [Fact]
    public void Rate_zero_is_the_identity_and_rate_one_is_refused()
    {
        var x = KernelAssert.Random(50, 4);
        var y = new float[50];
        InvertedDropout.Forward(1, 50, x, y, new float[50], 0f, 1, 1, 0);
        Assert.Equal(x, y);
        Assert.Throws<ArgumentOutOfRangeException>(() => InvertedDropout.Forward(1, 50, x, y, new float[50], 1f, 1, 1, 0));
    }
}
