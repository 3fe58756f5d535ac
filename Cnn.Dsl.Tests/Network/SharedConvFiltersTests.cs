using System;
using System.Diagnostics;
using System.Linq;
using Cnn.Dsl.Tests.Kernels;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Network;

namespace Cnn.Dsl.Tests.Network;

/// <summary>
/// One-sample inference shares convolutions of half a million multiply-adds or more with worker 1 (<see cref="SharedConvFilters"/>):
/// any split into filter blocks and position slices, computed in any order by threads with their own buffers, gives the one-call
/// bits; networks give the one-worker bits with 2 and 3 workers; a shared pass allocates nothing; a pass wakes worker 1 only when
/// an earlier pass shared a layer less than 500 µs before (<see cref="PassWakePolicy"/>).
/// </summary>
public sealed unsafe class SharedConvFiltersTests
{
    private static ConvGeometry RandomGeometry(Random random)
    {
        while (true)
        {
            var kernel = random.Next(2, 6);
            var stride = random.Next(1, 3);
            var pad = random.Next(0, kernel);
            int h = random.Next(1, 20), w = random.Next(1, 36);
            if (h + (2 * pad) >= kernel && w + (2 * pad) >= kernel)
            {
                return new ConvGeometry(random.Next(1, 7), h, w, random.Next(1, 30), kernel, stride, pad);
            }
        }
    }

    /// <summary>Every slice of every block, last first, alternating two buffers (two threads' own), into an output of NaNs.</summary>
    private static float[] Sliced(in ConvGeometry g, float[] x, float[] w, float[] b, CpuPath path, DirectConvLayout layout, int slices, out int maxSlices)
    {
        var y = Enumerable.Repeat(float.NaN, g.OutputLength).ToArray();
        var scratch = KernelAssert.Random(DirectConv.ScratchLength(g), 5, 1e30f);
        var other = KernelAssert.Random(DirectConv.BufferLength(g), 6, 1e30f);
        fixed (float* xBase = x, wBase = w, bBase = b, yBase = y, work = scratch, second = other)
        {
            var blocks = new DirectConv.SampleImage(g, work, wBase, bBase, path, layout).Fill(xBase);
            maxSlices = blocks.MaxSlices;
            slices = Math.Min(slices, maxSlices);
            var parts = DirectConv.FilterBlocks(g) * slices;
            for (var part = parts - 1; part >= 0; part--)
            {
                blocks.ComputeSlice(part / slices, part % slices, slices, yBase, part % 2 == 0 ? work + DirectConv.ImageLength(g) : second);
            }
        }
        return y;
    }

    [Fact]
    public void Any_split_into_filter_blocks_and_slices_gives_the_bits_of_one_call()
    {
        var random = new Random(21);
        var geometries = Enumerable.Range(0, 40).Select(_ => RandomGeometry(random)).Concat(
        [
            new ConvGeometry(32, 14, 14, 64, 3, pad: 1),
            new ConvGeometry(16, 32, 32, 16, 3, pad: 1),
            new ConvGeometry(16, 32, 32, 32, 3, stride: 2, pad: 1),
            new ConvGeometry(64, 8, 8, 64, 3, pad: 1),
            new ConvGeometry(3, 32, 32, 32, 3, pad: 1),
        ]).ToArray();
        foreach (var path in CpuPaths.Supported.Where(p => p != CpuPath.Scalar))
        {
            foreach (var g in geometries)
            {
                var x = KernelAssert.Random(g.InputLength, 1);
                var w = KernelAssert.Random(g.WeightLength, 2, 0.5f);
                var b = g.OutChannels % 2 == 0 ? KernelAssert.Random(g.OutChannels, 3) : [];
                foreach (var layout in new[] { DirectConvLayout.ShiftedColumns, DirectConvLayout.Padded })
                {
                    var whole = new float[g.OutputLength];
                    DirectConv.Forward(g, 1, x, w, b, whole, new float[DirectConv.ScratchLength(g)], path, layout);
                    var name = $"{path} {layout} {g.InChannels}×{g.InHeight}×{g.InWidth} → {g.OutChannels}, k{g.Kernel} s{g.Stride} p{g.Pad}";
                    Assert.True(whole.SequenceEqual(Sliced(g, x, w, b, path, layout, 1, out var maxSlices)), $"{name}: blocks");
                    foreach (var slices in new[] { 2, 3, maxSlices }.Where(s => s <= maxSlices).Distinct())
                    {
                        Assert.True(whole.SequenceEqual(Sliced(g, x, w, b, path, layout, slices, out _)), $"{name}: {slices} slices");
                    }
                }
            }
        }
    }

    [Fact]
    public void A_slice_outside_the_layer_is_refused()
    {
        var g = new ConvGeometry(2, 6, 6, 12, 3, pad: 1);
        var x = new float[g.InputLength];
        var w = new float[g.WeightLength];
        var y = new float[g.OutputLength];
        var scratch = new float[DirectConv.ScratchLength(g)];
        fixed (float* xBase = x, wBase = w, yBase = y, work = scratch)
        {
            var blocks = new DirectConv.SampleImage(g, work, wBase, null, CpuPath.Auto, DirectConvLayout.Auto).Fill(xBase);
            var buffer = work + DirectConv.ImageLength(g);
            var maxSlices = blocks.MaxSlices;
            foreach (var (block, slice, slices) in new[] { (2, 0, 1), (-1, 0, 1), (0, 1, 1), (0, 0, maxSlices + 1), (0, 0, 0), (1, -1, 2) })
            {
                Assert.True(Refused(blocks, block, slice, slices, yBase, buffer), $"block {block}, slice {slice} of {slices}");
            }
            Assert.False(Refused(blocks, 1, maxSlices - 1, maxSlices, yBase, buffer));
        }
    }

    private static bool Refused(DirectConv.Blocks blocks, int block, int slice, int slices, float* y, float* buffer)
    {
        try
        {
            blocks.ComputeSlice(block, slice, slices, y, buffer);
            return false;
        }
        catch (ArgumentOutOfRangeException)
        {
            return true;
        }
    }

    [Fact]
    public void Only_direct_convolutions_of_half_a_million_multiply_adds_and_512_per_input_value_with_two_filter_blocks_are_shared()
    {
        // bn2conv's and simplecnn's second layers and ResNet-8's 64 → 64 (576 multiply-adds per input value).
        Assert.True(SharedConvFilters.Shares(new ConvGeometry(32, 14, 14, 64, 3, pad: 1)));
        Assert.True(SharedConvFilters.Shares(new ConvGeometry(32, 16, 16, 64, 3, pad: 1)));
        Assert.True(SharedConvFilters.Shares(new ConvGeometry(64, 8, 8, 64, 3, pad: 1)));
        // Large enough, but too little work per input value: simplecnn's 3 → 32 (288), ResNet-8's 16 → 16 (144), 32 → 32 (288)
        // and 16 → 32 stride 2 (72).
        Assert.False(SharedConvFilters.Shares(new ConvGeometry(3, 32, 32, 32, 3, pad: 1)));
        Assert.False(SharedConvFilters.Shares(new ConvGeometry(16, 32, 32, 16, 3, pad: 1)));
        Assert.False(SharedConvFilters.Shares(new ConvGeometry(32, 16, 16, 32, 3, pad: 1)));
        Assert.False(SharedConvFilters.Shares(new ConvGeometry(16, 32, 32, 32, 3, stride: 2, pad: 1)));
        Assert.False(SharedConvFilters.Shares(new ConvGeometry(6, 14, 14, 16, 5)));
        Assert.False(SharedConvFilters.Shares(new ConvGeometry(1, 28, 28, 32, 3, pad: 1)));
        Assert.False(SharedConvFilters.Shares(new ConvGeometry(64, 32, 32, 8, 3, pad: 1)));
        Assert.False(SharedConvFilters.Shares(new ConvGeometry(64, 32, 32, 64, 1)));
    }

    [Fact]
    public void Shared_one_sample_inference_is_bit_identical_to_one_worker_between_batched_passes_and_training()
    {
        const int samples = 6;
        using var one = new Work.LargeConv(seed: 8, workers: 1);
        using var two = new Work.LargeConv(seed: 8, workers: 2);
        using var three = new Work.LargeConv(seed: 8, workers: 3);
        Assert.True(SharedConvFilters.Shares(new ConvGeometry(16, 16, 16, 68, 3, pad: 1)));
        Assert.True(SharedConvFilters.Shares(new ConvGeometry(68, 8, 8, 60, 3, pad: 1)));
        Assert.False(SharedConvFilters.Shares(new ConvGeometry(60, 4, 4, 12, 3, pad: 1)));
        var length = one.InputShape.Elements;
        var input = new float[samples * length];
        new SeededRandom(9).FillUniform(input, -1f, 1f);
        var labels = new[] { 0, 4, 1, 3, 2, 0 };
        OneSampleAssert.WorkerCountsAgree(one, two, three, input, samples, batchedBetween: true);
        foreach (var network in new[] { one, two, three })
        {
            network.ForwardBackward(input.AsSpan(0, length), labels.AsSpan(0, 1), 1);
        }
        Assert.Equal(one.Gradient("conv1.weight").ToArray(), two.Gradient("conv1.weight").ToArray());
        Assert.Equal(one.Gradient("conv1.weight").ToArray(), three.Gradient("conv1.weight").ToArray());
    }

    [Fact]
    public void Shared_passes_between_training_steps_allocate_nothing_after_warm_up()
    {
        using var network = new Work.LargeConv(seed: 4, workers: 2);
        OneSampleAssert.SharedPassesAllocateNothing(network);
    }

    [Fact]
    public void A_pass_wakes_worker_one_only_after_an_earlier_pass_shared_recently_and_decides_once()
    {
        var micro = Stopwatch.Frequency / 1_000_000;
        var spin = WorkerPool.ShareSpinMicroseconds * micro;
        var policy = new PassWakePolicy();
        var t = 1_000_000 * micro;
        policy.BeginPass();
        Assert.False(policy.Wakes(t));
        // A lone pass's later shared layers do not wake worker 1 because of its own first one.
        Assert.False(policy.Wakes(t + (10 * micro)));
        Assert.False(policy.Wakes(t + (60 * micro)));
        // The next pass of a burst does, at every shared layer.
        policy.BeginPass();
        Assert.True(policy.Wakes(t + (100 * micro)));
        Assert.True(policy.Wakes(t + (100 * micro) + spin + micro));
        // A pass coming after worker 1 stopped watching is a lone pass again.
        policy.BeginPass();
        Assert.False(policy.Wakes(t + (300 * micro) + (2 * spin)));
        Assert.False(policy.Wakes(t + (310 * micro) + (2 * spin)));
        // A pass with no shared layer decides nothing: the one after it measures from the last shared layer.
        policy.BeginPass();
        policy.BeginPass();
        Assert.True(policy.Wakes(t + (320 * micro) + (2 * spin)));
        // A pass switching to sharing wakes worker 1 however long ago the last shared layer was; the pass after it decides as usual.
        policy.BeginPass();
        policy.WakeThisPass();
        Assert.True(policy.Wakes(t + (400 * micro) + (4 * spin)));
        Assert.True(policy.Wakes(t + (410 * micro) + (4 * spin)));
        policy.BeginPass();
        Assert.False(policy.Wakes(t + (500 * micro) + (6 * spin)));
    }
}
