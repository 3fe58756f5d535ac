using System.Linq;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Kernels.Reference;

namespace Cnn.Dsl.Tests.Kernels;

public class LayerOpsTests
{
    public static TheoryData<CpuPath> Paths => KernelAssert.Paths();

    [Theory]
    [MemberData(nameof(Paths))]
    public void Linear_forward_and_gradients_match_finite_differences(CpuPath path)
    {
        foreach (var (n, inF, outF) in new[] { (1, 1, 1), (3, 7, 17), (5, 33, 10), (2, 400, 120) })
        {
            var x = KernelAssert.Random(n * inF, 1);
            var w = KernelAssert.Random(outF * inF, 2);
            var b = KernelAssert.Random(outF, 3);
            var r = KernelAssert.Random(n * outF, 4);
            var scratch = new float[Linear.ScratchLength(n, inF, outF)];
            var y = new float[n * outF];
            Linear.Forward(n, inF, outF, x, w, b, y, scratch, path);
            var xd = KernelAssert.ToDouble(x);
            var wd = KernelAssert.ToDouble(w);
            var bd = KernelAssert.ToDouble(b);
            double[] Forward(double[] xv, double[] wv, double[] bv)
            {
                var yv = new double[n * outF];
                ReferenceGemm.Multiply<double>(false, true, n, outF, inF, xv, inF, wv, inF, yv, outF, false);
                return yv.Select((v, i) => v + bv[i % outF]).ToArray();
            }
            KernelAssert.Close(Forward(xd, wd, bd), y, 1e-4, 1e-5, "linear y");
            var rd = KernelAssert.ToDouble(r);
            var dx = new float[x.Length];
            var dw = new float[w.Length];
            var db = new float[b.Length];
            Linear.BackwardData(n, inF, outF, r, w, dx, false, scratch, path);
            Linear.BackwardWeights(n, inF, outF, x, r, dw, db, false, scratch, path);
            if (inF <= 40)
            {
                KernelAssert.Close(KernelAssert.NumericalGradient(v => KernelAssert.Dot(Forward(v, wd, bd), rd), xd), dx, 1e-4, 1e-5, "linear dx");
                KernelAssert.Close(KernelAssert.NumericalGradient(v => KernelAssert.Dot(Forward(xd, v, bd), rd), wd), dw, 1e-4, 1e-5, "linear dW");
            }
            KernelAssert.Close(KernelAssert.NumericalGradient(v => KernelAssert.Dot(Forward(xd, wd, v), rd), bd), db, 1e-4, 1e-5, "linear db");
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Concat_places_each_branch_and_backward_splits_it_again(CpuPath path)
    {
        int n = 3, plane = 5;
        int[] channels = [2, 1, 4];
        var total = channels.Sum();
        var branches = channels.Select((c, i) => KernelAssert.Random(n * c * plane, 10 + i)).ToArray();
        var y = new float[n * total * plane];
        var offset = 0;
        for (var b = 0; b < branches.Length; b++)
        {
            ChannelConcat.Forward(n, plane, total, offset, channels[b], branches[b], y);
            offset += channels[b];
        }
        Assert.Equal(branches[1].Skip(plane).Take(plane), y.Skip(((1 * total) + 2) * plane).Take(plane));
        offset = 0;
        for (var b = 0; b < branches.Length; b++)
        {
            var back = new float[branches[b].Length];
            ChannelConcat.Backward(n, plane, total, offset, channels[b], y, back, false, path);
            Assert.Equal(branches[b], back);
            ChannelConcat.Backward(n, plane, total, offset, channels[b], y, back, true, path);
            Assert.Equal(branches[b].Select(v => 2 * v), back);
            offset += channels[b];
        }
        Assert.Throws<System.ArgumentException>(() => ChannelConcat.Forward(n, plane, total, 6, 2, branches[0], y));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Residual_add_and_in_place_accumulation(CpuPath path)
    {
        var a = KernelAssert.Random(37, 20);
        var b = KernelAssert.Random(37, 21);
        var y = new float[37];
        TensorOps.Add(a, b, y, path);
        Assert.Equal(a.Select((v, i) => v + b[i]), y);
        TensorOps.AddInPlace(y, a, path);
        Assert.Equal(a.Select((v, i) => v + b[i] + v), y);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Accumulation_that_checks_its_sums_finds_a_bad_value_anywhere(CpuPath path)
    {
        // 16·3 + 8 + 7 values: the Vector512 body, the Vector256 step and the scalar tail.
        const int length = 63;
        var a = KernelAssert.Random(length, 22);
        var y = KernelAssert.Random(length, 23);
        var expected = y.Select((v, i) => v + a[i]).ToArray();
        Assert.True(TensorOps.AddInPlaceFinite(y, a, path));
        Assert.Equal(expected, y);
        foreach (var bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue })
        {
            for (var index = 0; index < length; index++)
            {
                var x = new float[length];
                var accumulator = new float[length];
                x[index] = bad;
                // float.MaxValue is finite, but twice it overflows: the check is on the sum.
                accumulator[index] = bad == float.MaxValue ? float.MaxValue : 0f;
                Assert.False(TensorOps.AddInPlaceFinite(accumulator, x, path), $"{bad} at {index}");
            }
        }
    }
}
