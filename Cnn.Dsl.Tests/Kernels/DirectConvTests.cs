using System;
using System.Linq;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Kernels.Reference;

namespace Cnn.Dsl.Tests.Kernels;

/// <summary>The batch-1 direct convolution against the reference loops, on every vector path and in both image layouts.</summary>
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

    public static TheoryData<CpuPath, DirectConvLayout> PathsAndLayouts()
    {
        var data = new TheoryData<CpuPath, DirectConvLayout>();
        foreach (var path in CpuPaths.Supported.Where(p => p != CpuPath.Scalar))
        {
            foreach (var layout in Enum.GetValues<DirectConvLayout>())
            {
                data.Add(path, layout);
            }
        }
        return data;
    }

    private static void Check(CpuPath path, ConvGeometry g, int n, bool bias, DirectConvLayout layout = DirectConvLayout.Auto)
    {
        var x = KernelAssert.Random(n * g.InputLength, 1);
        var w = KernelAssert.Random(g.WeightLength, 2, 0.5f);
        var b = bias ? KernelAssert.Random(g.OutChannels, 3) : [];
        var expected = new double[n * g.OutputLength];
        ReferenceConv.Forward<double>(g, n, KernelAssert.ToDouble(x), KernelAssert.ToDouble(w), KernelAssert.ToDouble(b), expected);
        // Stale values in the output and the scratch must not leak into the result.
        var y = KernelAssert.Random(expected.Length + 3, 4);
        var scratch = KernelAssert.Random(DirectConv.ScratchLength(g), 5, 1e30f);
        DirectConv.Forward(g, n, x, w, b, y, scratch, path, layout);
        var patch = g.InChannels * g.Kernel * g.Kernel;
        KernelAssert.Close(expected, y, 1e-4, 2e-6 * Math.Sqrt(patch + 1), $"{path} {layout} direct conv {g.InChannels}×{g.InHeight}×{g.InWidth} → {g.OutChannels}, k{g.Kernel} s{g.Stride} p{g.Pad}, n {n}");
        var tail = y.AsSpan(expected.Length).ToArray();
        Assert.Equal(KernelAssert.Random(expected.Length + 3, 4).AsSpan(expected.Length).ToArray(), tail);
    }

    [Theory]
    [MemberData(nameof(PathsAndLayouts))]
    public void Odd_channels_sizes_kernels_strides_and_padding_match_the_reference(CpuPath path, DirectConvLayout layout)
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
                        Check(path, new ConvGeometry(inC, h, w, outC, kernel, stride, pad), n: 1, bias: (inC + outC + h) % 2 == 0, layout);
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(PathsAndLayouts))]
    public void The_models_layers_and_several_samples_match_the_reference(CpuPath path, DirectConvLayout layout)
    {
        Check(path, new ConvGeometry(1, 28, 28, 6, 5, pad: 2), 1, bias: true, layout);
        Check(path, new ConvGeometry(6, 14, 14, 16, 5), 1, bias: true, layout);
        Check(path, new ConvGeometry(3, 32, 32, 32, 3, pad: 1), 1, bias: true, layout);
        Check(path, new ConvGeometry(32, 14, 14, 64, 3, pad: 1), 1, bias: true, layout);
        Check(path, new ConvGeometry(16, 32, 32, 32, 3, stride: 2, pad: 1), 1, bias: false, layout);
        Check(path, new ConvGeometry(32, 16, 16, 64, 3, stride: 2, pad: 1), 1, bias: false, layout);
        Check(path, new ConvGeometry(64, 8, 8, 64, 3, pad: 1), 1, bias: false, layout);
        Check(path, new ConvGeometry(4, 11, 10, 10, 3, pad: 1), 3, bias: true, layout);
        Check(path, new ConvGeometry(2, 17, 35, 9, 3, stride: 2, pad: 2), 2, bias: true, layout);
        Check(path, new ConvGeometry(3, 6, 33, 8, 2, stride: 2), 1, bias: false, layout);
        Check(path, new ConvGeometry(2, 5, 16, 8, 4, stride: 2, pad: 3), 1, bias: true, layout);
        Check(path, new ConvGeometry(2, 12, 20, 5, 3, pad: 1), 2, bias: true, layout);
    }

    /// <summary>
    /// Both layouts at widths under, at and past one and two vectors: the shifted-column copy's vector paths (planes
    /// copied whole under "same" padding, stride-2 rows whose first or last columns are padding, tails of 1–31
    /// positions after the whole tiles) and the padded layout's row tiles (outputs 16, 32 or 80 wide, an odd number of
    /// row vectors, partial filter blocks through the buffer).
    /// </summary>
    [Theory]
    [MemberData(nameof(PathsAndLayouts))]
    public void Every_width_matches_the_reference(CpuPath path, DirectConvLayout layout)
    {
        foreach (var width in new[] { 3, 7, 15, 16, 17, 18, 31, 32, 33, 47, 80 })
        {
            Check(path, new ConvGeometry(2, 5, width, 9, 3, pad: 1), 1, bias: true, layout);
            Check(path, new ConvGeometry(3, 4, width, 8, 5, pad: 2), 1, bias: false, layout);
            Check(path, new ConvGeometry(2, 6, width, 8, 3, stride: 2, pad: 1), 1, bias: true, layout);
            Check(path, new ConvGeometry(2, 6, width, 16, 4, stride: 2, pad: 2), 1, bias: true, layout);
            Check(path, new ConvGeometry(1, 3, width, 8, 3), 2, bias: true, layout);
            Check(path, new ConvGeometry(2, 7, width, 8, 3, stride: 2), 1, bias: false, layout);
        }
    }

    /// <summary>
    /// Stride-2 outputs 9–16 wide, whose copy rows reach past the 32nd input value of the row (from column −p): the
    /// shifted-column copy reads each input row as three vectors and takes the last columns from the second and third
    /// (every pad from none to past the kernel's reach, kernels whose columns reach the row's end or stop short of it, and
    /// the widest kernel, 16, whose copies 2..15 all reach the third vector).
    /// </summary>
    [Theory]
    [MemberData(nameof(VectorPaths))]
    public void Stride_2_rows_reaching_past_32_input_values_match_the_reference(CpuPath path)
    {
        foreach (var (kernel, pad) in new[] { (3, 1), (3, 0), (2, 0), (4, 2), (5, 2), (7, 3), (5, 4), (16, 7) })
        {
            foreach (var width in new[] { 17, 24, 31, 32, 33 })
            {
                var g = new ConvGeometry(3, 5 + kernel, width, 9, kernel, stride: 2, pad: pad);
                if (g.OutWidth is >= 9 and <= 16)
                {
                    Check(path, g, 2, bias: width % 2 == 0, DirectConvLayout.ShiftedColumns);
                }
            }
        }
    }

    /// <summary>
    /// Layers of at most 6 filters take 6 × 64 tiles in the compact layout on Vector512 (8 × 32 in the padded one): every
    /// output summed in the same order, so both layouts give the same bits, whole tiles, tails and partial filter sets alike.
    /// </summary>
    [Theory]
    [MemberData(nameof(VectorPaths))]
    public void Six_filter_tiles_give_the_bits_of_eight_filter_tiles(CpuPath path)
    {
        foreach (var g in new[] { new ConvGeometry(1, 28, 28, 6, 5, pad: 2), new ConvGeometry(2, 12, 20, 5, 3, pad: 1), new ConvGeometry(3, 9, 9, 1, 3), new ConvGeometry(1, 16, 16, 6, 3, pad: 1) })
        {
            var x = KernelAssert.Random(g.InputLength, 1);
            var w = KernelAssert.Random(g.WeightLength, 2, 0.5f);
            var b = KernelAssert.Random(g.OutChannels, 3);
            var shifted = new float[g.OutputLength];
            var padded = new float[g.OutputLength];
            DirectConv.Forward(g, 1, x, w, b, shifted, new float[DirectConv.ScratchLength(g)], path, DirectConvLayout.ShiftedColumns);
            DirectConv.Forward(g, 1, x, w, b, padded, new float[DirectConv.ScratchLength(g)], path, DirectConvLayout.Padded);
            Assert.Equal(padded, shifted);
        }
    }

    [Fact]
    public void The_chosen_layout_is_a_real_one_and_both_are_chosen_among_the_models_layers()
    {
        var layers = new[]
        {
            new ConvGeometry(16, 32, 32, 16, 3, pad: 1),
            new ConvGeometry(64, 8, 8, 64, 3, pad: 1),
            new ConvGeometry(1, 28, 28, 32, 3, pad: 1),
            new ConvGeometry(32, 16, 16, 64, 3, stride: 2, pad: 1),
        };
        var chosen = layers.Select(g => DirectConv.LayoutFor(g)).ToArray();
        Assert.DoesNotContain(DirectConvLayout.Auto, chosen);
        Assert.Contains(DirectConvLayout.ShiftedColumns, chosen);
        Assert.Contains(DirectConvLayout.Padded, chosen);
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
