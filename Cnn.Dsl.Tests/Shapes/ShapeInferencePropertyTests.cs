using System;
using System.Collections.Generic;
using System.Linq;
using Cnn.Generators.Diagnostics;
using Cnn.Generators.Models;
using Cnn.Generators.Shapes;
using FsCheck;
using FsCheck.Fluent;
using static Cnn.Dsl.Tests.Shapes.SpecBuilder;

namespace Cnn.Dsl.Tests.Shapes;

/// <summary>
/// Properties over random specs: inference is total (never throws, always ends, reports each
/// problem once, produces consistent layers for any garbage), and its output sizes agree with
/// an independent reference that enumerates window positions one by one.
/// </summary>
public class ShapeInferencePropertyTests
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(200).WithQuietOnSuccess(true);

    private static readonly string[] BlockIds = { "Nets.B0", "Nets.B1", "Nets.B2", "Nets.Missing" };

    /// <summary>Mostly small sizes, with zero, negatives, extremes and placeholders mixed in.</summary>
    private static readonly Gen<int> Garbage = Gen.OneOf(
        Gen.Choose(-2, 9),
        Gen.Choose(1, 4),
        Gen.Elements(0, -1, int.MaxValue, int.MinValue, 1 << 16, Arg.A, Arg.B, Arg.H, -1_000_000));

    private static readonly Gen<double> GarbageDouble =
        Gen.Elements(0.0, 0.5, 0.1, 1e-5, 1.0, -1.0, double.NaN, double.PositiveInfinity);

    private static readonly Gen<LayerSpec> AnyLayer =
        from kind in Gen.Elements(Enum.GetValues<LayerKind>())
        from ints in Garbage.ArrayOf(10)
        from doubles in GarbageDouble.ArrayOf(5)
        from flags in Gen.Elements(true, false).ArrayOf(2)
        from name in Gen.Elements<string?>(null, null, null, "", "a", "conv1", "0")
        from blockCount in Gen.Choose(0, 3)
        from blocks in Gen.Elements(BlockIds).ArrayOf(blockCount)
        from argCount in Gen.Choose(0, 3)
        from args in Garbage.ArrayOf(argCount)
        select new LayerSpec(kind, 0)
        {
            Filters = ints[0], Units = ints[1], Kernel = ints[2], Stride = ints[3], Pad = ints[4],
            Dilation = ints[5], Groups = ints[6], OutputPad = ints[7], Count = ints[8],
            Eps = doubles[0], Momentum = doubles[1], Rate = doubles[2], Slope = doubles[3], Alpha = doubles[4],
            Bias = flags[0], CeilMode = flags[1], Name = name,
            Blocks = (kind is LayerKind.Residual or LayerKind.Concat or LayerKind.Repeat or LayerKind.Use ? blocks : new string[0]).ToEquatableArray(),
            Args = args.ToEquatableArray(),
            ShortcutName = ints[9] % 2 == 0 ? null : "s",
        };

    private static readonly Gen<LayerSpec[]> Layers = Gen.Choose(0, 8).SelectMany(n => AnyLayer.ArrayOf(n));

    private static readonly Gen<NetworkSpec> AnyNetwork =
        from input in Garbage.ArrayOf(3)
        from layers in Layers
        from blockLayers in Layers.ArrayOf(3)
        from isBlock in Gen.Elements(true, true, true, false).ArrayOf(3)
        select Spec(input[0], input[1], input[2], layers,
            Enumerable.Range(0, 3).Select(i => Block("B" + i, blockLayers[i]) with { IsBlock = isBlock[i] }).ToArray());

    [Fact]
    public void Inference_is_total_and_consistent_for_any_spec()
    {
        Check.One(Quick, Prop.ForAll(AnyNetwork.ToArbitrary(), spec =>
        {
            var inferred = ShapeInference.Infer(spec);

            Assert.Equal(inferred, ShapeInference.Infer(spec));
            Assert.All(inferred.Problems, p => Assert.True(Descriptors.ById.ContainsKey(p.Id), p.Id));
            Assert.Equal(inferred.Problems.Count, inferred.Problems.Select(p => (p.Id, p.At)).Distinct().Count());
            Assert.All(inferred.Layers.AllLayers(), l => Assert.True(l.Out.Elements <= int.MaxValue && l.Out.C > 0 && l.Out.H > 0 && l.Out.W > 0, l.Path));
            var previous = inferred.Input;
            foreach (var layer in inferred.Layers)
            {
                Assert.Equal(previous, layer.In);
                previous = layer.Out;
            }
            if (!inferred.HasErrors)
            {
                Assert.Equal(spec.Layers.Count, inferred.Layers.Count);
                Assert.Equal(previous, inferred.Output);
            }
        }));
    }

    [Fact]
    public void Conv_output_size_is_the_number_of_window_positions()
    {
        var cases =
            from size in Gen.Choose(1, 40)
            from kernel in Gen.Choose(1, 7)
            from stride in Gen.Choose(1, 5)
            from pad in Gen.Choose(0, 4)
            from dilation in Gen.Choose(1, 3)
            select (size, kernel, stride, pad, dilation);

        Check.One(Quick, Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var span = c.dilation * (c.kernel - 1) + 1;
            var expected = Positions(c.size + 2 * c.pad, c.stride, start => start + span <= c.size + 2 * c.pad);

            var inferred = Infer(1, c.size, c.size, Conv(2, c.kernel, c.stride, c.pad, c.dilation));

            AssertSize(inferred, expected);
        }));
    }

    [Fact]
    public void Pool_output_size_is_the_number_of_window_positions_in_floor_and_ceil_mode()
    {
        var cases =
            from size in Gen.Choose(1, 40)
            from window in Gen.Choose(1, 7)
            from stride in Gen.Choose(1, 5)
            from pad in Gen.Choose(0, window / 2)
            from ceil in Gen.Elements(true, false)
            select (size, window, stride, pad, ceil);

        Check.One(Quick, Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var padded = c.size + 2 * c.pad;
            // Floor: whole windows only. Ceil: also a window overhanging the end, while the one
            // before it left padded rows unread, if it starts in the input or the left padding
            // (PyTorch's rule; so a window larger than the input still gives one output).
            var expected = Positions(padded, c.stride, start =>
                start + c.window <= padded
                || (c.ceil && start - c.stride + c.window < padded && start < c.size + c.pad));

            var inferred = Infer(3, c.size, c.size, MaxPool(c.window, c.stride, c.pad, c.ceil));

            AssertSize(inferred, expected);
        }));
    }

    [Fact]
    public void ConvTranspose_output_size_is_the_span_of_the_scattered_kernel_less_padding()
    {
        var cases =
            from size in Gen.Choose(1, 20)
            from kernel in Gen.Choose(1, 6)
            from stride in Gen.Choose(1, 4)
            from pad in Gen.Choose(0, 5)
            from outputPad in Gen.Choose(0, stride - 1)
            select (size, kernel, stride, pad, outputPad);

        Check.One(Quick, Prop.ForAll(cases.ToArbitrary(), c =>
        {
            // Every input row i scatters the kernel onto output rows i·stride … i·stride + kernel − 1.
            var last = 0;
            for (var i = 0; i < c.size; i++)
            {
                for (var t = 0; t < c.kernel; t++)
                {
                    last = Math.Max(last, i * c.stride + t);
                }
            }
            var expected = last + 1 + c.outputPad - 2 * c.pad;

            var inferred = Infer(2, c.size, c.size, ConvT(3, c.kernel, c.stride, c.pad, c.outputPad));

            AssertSize(inferred, expected);
        }));
    }

    [Fact]
    public void Dropped_rows_are_warned_exactly_when_windows_miss_more_than_the_stride_gap_and_the_fix_works()
    {
        var cases =
            from size in Gen.Choose(1, 30)
            from kernel in Gen.Choose(1, 5)
            from stride in Gen.Choose(1, 5)
            from pad in Gen.Choose(0, 2)
            select (size, kernel, stride, pad);

        Check.One(Quick, Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var inferred = Infer(1, c.size, c.size, Conv(1, c.kernel, c.stride, c.pad));
            if (inferred.HasErrors)
            {
                return;
            }
            // Rows of the padded input some window reads, by enumeration.
            var read = new HashSet<int>();
            for (var start = 0; start + c.kernel <= c.size + 2 * c.pad; start += c.stride)
            {
                read.UnionWith(Enumerable.Range(start, c.kernel));
            }
            var lost = Enumerable.Range(c.pad, c.size).Count(row => row > read.Max());
            var warning = inferred.Problems.SingleOrDefault(p => p.Id == DiagnosticIds.DropsInput);

            Assert.Equal(lost > Math.Max(0, c.stride - c.kernel), warning is not null);
            if (warning?.FixData is { } fix)
            {
                var repaired = Infer(1, c.size, c.size, Conv(1, c.kernel, c.stride, int.Parse(fix.Substring("pad=".Length))));
                Assert.Empty(repaired.Problems);
            }
        }));
    }

    /// <summary>How many windows start at 0, stride, 2·stride, … inside <paramref name="extent"/> while <paramref name="fits"/> holds.</summary>
    private static int Positions(int extent, int stride, Func<int, bool> fits)
    {
        var count = 0;
        for (var start = 0; start < extent && fits(start); start += stride)
        {
            count++;
        }
        return count;
    }

    private static void AssertSize(InferredNetwork inferred, int expected)
    {
        if (expected <= 0)
        {
            Assert.Contains(inferred.Problems, p => p.Id == DiagnosticIds.NonPositiveOutput);
            return;
        }
        Assert.DoesNotContain(inferred.Problems, p => !p.IsWarning);
        Assert.Equal(expected, Assert.Single(inferred.Layers).Out.H);
    }
}
