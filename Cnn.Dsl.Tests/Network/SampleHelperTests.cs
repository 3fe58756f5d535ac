using System;
using System.Linq;
using System.Threading;
using Cnn.Runtime.Network;

namespace Cnn.Dsl.Tests.Network;

/// <summary>The helper thread of one-sample passes: every part runs exactly once, failures surface, results never depend on it.</summary>
public sealed class SampleHelperTests
{
    private sealed class Counting(int parts) : ISplitWork
    {
        public int[] Runs { get; } = new int[parts];

        public int? Fail { get; set; }

        public void RunPart(int part)
        {
            Interlocked.Increment(ref Runs[part]);
            if (part == Fail)
            {
                throw new InvalidOperationException($"part {part}");
            }
            Thread.SpinWait(50);
        }
    }

    [Fact]
    public void Every_part_of_every_layer_runs_exactly_once()
    {
        using var helper = new SampleHelper("test");
        foreach (var parts in new[] { 1, 2, 3, 17, 500 })
        {
            var work = new Counting(parts);
            for (var layer = 0; layer < 200; layer++)
            {
                helper.Run(work, parts);
            }
            Assert.All(work.Runs, runs => Assert.Equal(200, runs));
        }
    }

    [Fact]
    public void A_failing_part_is_rethrown_on_the_caller_after_the_others_finish()
    {
        using var helper = new SampleHelper("test");
        var work = new Counting(40) { Fail = 23 };
        var error = Assert.Throws<InvalidOperationException>(() => helper.Run(work, 40));
        Assert.Equal("part 23", error.Message);
        Assert.All(work.Runs, runs => Assert.Equal(1, runs));
        work.Fail = null;
        helper.Run(work, 40);
        Assert.All(work.Runs, runs => Assert.Equal(2, runs));
    }

    [Fact]
    public void A_helper_that_has_gone_to_sleep_is_woken_and_a_disposed_one_refuses_work()
    {
        var helper = new SampleHelper("test");
        var work = new Counting(64);
        for (var i = 0; i < 3; i++)
        {
            Thread.Sleep(SampleHelper.SpinMicroseconds / 1000 + 20);
            helper.Run(work, 64);
        }
        Assert.All(work.Runs, runs => Assert.Equal(3, runs));
        helper.Dispose();
        helper.Dispose();
        Assert.Throws<ObjectDisposedException>(() => helper.Run(work, 1));
    }

    [Fact]
    public void Shared_one_sample_passes_are_bit_identical_to_one_worker_and_close_to_the_batched_pass()
    {
        const int samples = 24;
        using var one = new Work.Shared(seed: 3, workers: 1);
        using var two = new Work.Shared(seed: 3, workers: 2);
        using var three = new Work.Shared(seed: 3, workers: 3);
        var length = one.InputShape.Elements;
        var input = new float[samples * length];
        new SeededRandom(5).FillUniform(input, -1f, 1f);
        var batched = one.Predict(input, samples).ToArray();
        var width = one.OutputShape.Elements;
        for (var repeat = 0; repeat < 4; repeat++)
        {
            for (var s = 0; s < samples; s++)
            {
                var sample = input.AsSpan(s * length, length).ToArray();
                var alone = one.Predict(sample, 1).ToArray();
                Assert.Equal(alone, two.Predict(sample, 1).ToArray());
                Assert.Equal(alone, three.Predict(sample, 1).ToArray());
                NumericAssert.Close(batched.AsSpan(s * width, width), alone, 1e-4, $"sample {s}");
            }
        }
    }

    [Fact]
    public void Shared_one_sample_passes_allocate_nothing_after_warm_up()
    {
        using var network = new Work.Shared(seed: 3, workers: 2);
        var sample = Enumerable.Range(0, network.InputShape.Elements).Select(i => (float)Math.Sin(i)).ToArray();
        network.Predict(sample, 1);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            network.Predict(sample, 1);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
