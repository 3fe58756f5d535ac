using System;
using System.Linq;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Kernels.Reference;

namespace Cnn.Dsl.Tests.Kernels;

/// <summary>The batch-1 direct convolution against the reference loops, on every vector path.</summary>
public class DirectConvTests
{
    public static TheoryData<CpuPath> VectorPaths()
    {
        var data = new TheoryData<CpuPath>();
        foreach (var path in CpuPaths.Supported.Where(p => p != CpuPath.Scalar))
        {
            data.Add(path);
        }
        return data;
    }

    private static void Check(CpuPath path, ConvGeometry g, int n, bool bias)
    {
        var x = KernelAssert.Random(n * g.InputLength, 1);
        var w = KernelAssert.Random(g.WeightLength, 2, 0.5f);
        var b = bias ? KernelAssert.Random(g.OutChannels, 3) : [];
        var expected = new double[n * g.OutputLength];
        ReferenceConv.Forward<double>(g, n, KernelAssert.ToDouble(x), KernelAssert.ToDouble(w), KernelAssert.ToDouble(b), expected);
        // Stale values in the output and the scratch must not leak into the result.
        var y = KernelAssert.Random(expected.Length + 3, 4);
        var scratch = KernelAssert.Random(DirectConv.ScratchLength(g), 5, 1e30f);
        DirectConv.Forward(g, n, x, w, b, y, scratch, path);
        var patch = g.InChannels * g.Kernel * g.Kernel;
        KernelAssert.Close(expected, y, 1e-4, 2e-6 * Math.Sqrt(patch + 1), $"{path} direct conv {g.InChannels}×{g.InHeight}×{g.InWidth} → {g.OutChannels}, k{g.Kernel} s{g.Stride} p{g.Pad}, n {n}");
        var tail = y.AsSpan(expected.Length).ToArray();
        Assert.Equal(KernelAssert.Random(expected.Length + 3, 4).AsSpan(expected.Length).ToArray(), tail);
    }

    [Theory]
    [MemberData(nameof(VectorPaths))]
    public void Odd_channels_sizes_kernels_strides_and_padding_match_the_reference(CpuPath path)
    {
        foreach (var inC in new[] { 1, 3, 5 })
        {
            foreach (var outC in new[] { 1, 6, 9, 17 })
            {
                foreach (var (h, w) in new[] { (1, 1), (5, 7), (9, 4), (13, 13) })
                {
                    foreach (var (kernel, stride, pad) in new[] { (2, 1, 0), (3, 1, 1), (3, 2, 1), (2, 2, 0), (5, 1, 2), (3, 3, 2), (4, 1, 0), (2, 1, 1) })
                    {
                        if (h + (2 * pad) < kernel || w + (2 * pad) < kernel)
                        {
                            continue;
                        }
                        Check(path, new ConvGeometry(inC, h, w, outC, kernel, stride, pad), n: 1, bias: (inC + outC + h) % 2 == 0);
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(VectorPaths))]
    public void The_models_layers_and_several_samples_match_the_reference(CpuPath path)
    {
        Check(path, new ConvGeometry(1, 28, 28, 6, 5, pad: 2), 1, bias: true);
        Check(path, new ConvGeometry(6, 14, 14, 16, 5), 1, bias: true);
        Check(path, new ConvGeometry(3, 32, 32, 32, 3, pad: 1), 1, bias: true);
        Check(path, new ConvGeometry(16, 32, 32, 32, 3, stride: 2, pad: 1), 1, bias: false);
        Check(path, new ConvGeometry(32, 16, 16, 64, 3, stride: 2, pad: 1), 1, bias: false);
        Check(path, new ConvGeometry(64, 8, 8, 64, 3, pad: 1), 1, bias: false);
        Check(path, new ConvGeometry(4, 11, 10, 10, 3, pad: 1), 3, bias: true);
        Check(path, new ConvGeometry(2, 17, 35, 9, 3, stride: 2, pad: 2), 2, bias: true);
        Check(path, new ConvGeometry(3, 6, 33, 8, 2, stride: 2), 1, bias: false);
        Check(path, new ConvGeometry(2, 5, 16, 8, 4, stride: 2, pad: 3), 1, bias: true);
    }

    [Fact]
    public void Unsupported_geometries_and_short_operands_are_refused()
    {
        var grouped = new ConvGeometry(4, 8, 8, 4, 3, pad: 1, groups: 2);
        var dilated = new ConvGeometry(4, 8, 8, 4, 3, pad: 2, dilation: 2);
        var pointwise = new ConvGeometry(4, 8, 8, 4, 1);
        var g = new ConvGeometry(2, 6, 6, 3, 3, pad: 1);
        Assert.False(DirectConv.Supports(grouped));
        Assert.False(DirectConv.Supports(dilated));
        Assert.False(DirectConv.Supports(pointwise));
        Assert.False(DirectConv.Supports(g, CpuPath.Scalar));
        Assert.Throws<ArgumentException>(() => DirectConv.Forward(grouped, 1, new float[grouped.InputLength], new float[grouped.WeightLength], [], new float[grouped.OutputLength], new float[1 << 16]));
        if (DirectConv.Supports(g))
        {
            var scratch = new float[DirectConv.ScratchLength(g)];
            Assert.Throws<ArgumentException>(() => DirectConv.Forward(g, 1, new float[g.InputLength - 1], new float[g.WeightLength], [], new float[g.OutputLength], scratch));
            Assert.Throws<ArgumentException>(() => DirectConv.Forward(g, 1, new float[g.InputLength], new float[g.WeightLength], [], new float[g.OutputLength], scratch.AsSpan(1).ToArray()));
        }
    }
}
