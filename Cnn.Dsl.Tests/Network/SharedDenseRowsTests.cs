using System;
using System.Linq;
using System.Threading;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Network;

namespace Cnn.Dsl.Tests.Network;

/// <summary>
/// One-sample inference shares dense layers of 1 MiB or more with worker 1 (<see cref="SharedDenseRows"/>,
/// <see cref="WorkerPool.Share"/>): every part runs exactly once
/// and on both threads, the pool's batch runs are unaffected, and a shared pass allocates nothing.
/// </summary>
public sealed class SharedDenseRowsTests
{
    private sealed class CountingParts(int parts) : IPartedWork
    {
        public int[] Runs { get; } = new int[parts];

        public int[] Threads { get; } = new int[parts];

        public int? Fail { get; set; }

        public void RunPart(int part, int worker)
        {
            Interlocked.Increment(ref Runs[part]);
            Threads[part] = Environment.CurrentManagedThreadId;
            if (part == Fail)
            {
                throw new InvalidOperationException($"part {part}");
            }
            Thread.SpinWait(20);
        }
    }

    /// <summary>Part 0 waits (up to 10 s) until another thread has run a part, so the job ends only if worker 1 took part in it.</summary>
    private sealed class WaitsForHelper(int caller) : IPartedWork
    {
        private int _helperParts;

        public bool HelperRan => Volatile.Read(ref _helperParts) > 0;

        public void RunPart(int part, int worker)
        {
            if (Environment.CurrentManagedThreadId != caller)
            {
                Interlocked.Increment(ref _helperParts);
                return;
            }
            if (part == 0)
            {
                SpinWait.SpinUntil(() => HelperRan, TimeSpan.FromSeconds(10));
            }
        }
    }

    [Fact]
    public void Every_part_runs_once_woken_or_not_and_batch_runs_in_between_still_run_every_worker()
    {
        var runs = new int[3];
        using var pool = new WorkerPool(3, i => Interlocked.Increment(ref runs[i]), "test");
        var expectedRuns = 0;
        foreach (var parts in new[] { 1, 2, 3, 17, 500 })
        {
            var work = new CountingParts(parts);
            for (var job = 0; job < 100; job++)
            {
                // Unasked jobs go to worker 1 only while it still watches after the last one, or to nobody.
                pool.Share(work, parts, wake: job % 4 != 1);
                if (job % 3 == 0)
                {
                    // A pending share wake-up and a run's must both be served, each once.
                    pool.Run();
                    expectedRuns++;
                }
            }
            Assert.All(work.Runs, r => Assert.Equal(100, r));
        }
        Assert.All(runs, r => Assert.Equal(expectedRuns, r));
    }

    [Fact]
    public void Worker_one_runs_parts_of_a_shared_job()
    {
        using var pool = new WorkerPool(2, _ => { }, "test");
        for (var job = 0; job < 5; job++)
        {
            var work = new WaitsForHelper(Environment.CurrentManagedThreadId);
            pool.Share(work, 64, wake: true);
            Assert.True(work.HelperRan, $"job {job}: worker 1 ran no part");
        }
    }

    [Fact]
    public void A_sleeping_worker_is_woken_only_when_asked()
    {
        using var pool = new WorkerPool(2, _ => { }, "test");
        var caller = Environment.CurrentManagedThreadId;
        var alone = new CountingParts(16);
        pool.Share(alone, 16, wake: false);
        Assert.All(alone.Threads, thread => Assert.Equal(caller, thread));
        var woken = new WaitsForHelper(caller);
        pool.Share(woken, 64, wake: true);
        Assert.True(woken.HelperRan, "the woken worker ran no part");
    }

    [Fact]
    public void A_failing_part_is_rethrown_after_the_others_and_the_pool_still_shares()
    {
        using var pool = new WorkerPool(2, _ => { }, "test");
        var work = new CountingParts(40) { Fail = 23 };
        var error = Assert.Throws<InvalidOperationException>(() => pool.Share(work, 40, wake: true));
        Assert.Equal("part 23", error.Message);
        Assert.All(work.Runs, r => Assert.Equal(1, r));
        work.Fail = null;
        pool.Share(work, 40, wake: true);
        Assert.All(work.Runs, r => Assert.Equal(2, r));
        using var alone = new WorkerPool(2, _ => { }, "test");
        work.Fail = 5;
        Assert.Equal("part 5", Assert.Throws<InvalidOperationException>(() => alone.Share(work, 40, wake: false)).Message);
        Assert.All(work.Runs, r => Assert.Equal(3, r));
        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pool.Share(work, 1, wake: true));
    }

    [Fact]
    public void Only_layers_of_a_mebibyte_or_more_with_two_row_blocks_are_shared()
    {
        Assert.True(SharedDenseRows.Shares(4096, 512));
        Assert.True(SharedDenseRows.Shares(3136, 128));
        Assert.True(SharedDenseRows.Shares(2048, 128));
        Assert.False(SharedDenseRows.Shares(2048, 127));
        Assert.False(SharedDenseRows.Shares(1 << 18, 8));
        Assert.False(SharedDenseRows.Shares(400, 120));
    }

    [Fact]
    public void Shared_one_sample_inference_is_bit_identical_to_one_worker_between_batched_passes()
    {
        const int samples = 12;
        using var one = new Work.LargeDense(seed: 4, workers: 1);
        using var two = new Work.LargeDense(seed: 4, workers: 2);
        using var three = new Work.LargeDense(seed: 4, workers: 3);
        Assert.True(SharedDenseRows.Shares(one.InputShape.Elements, 150));
        var length = one.InputShape.Elements;
        var input = new float[samples * length];
        new SeededRandom(6).FillUniform(input, -1f, 1f);
        OneSampleAssert.WorkerCountsAgree(one, two, three, input, samples, batchedBetween: true);
    }

    [Fact]
    public void Shared_passes_between_training_steps_allocate_nothing_after_warm_up()
    {
        using var network = new Work.LargeDense(seed: 4, workers: 2);
        OneSampleAssert.SharedPassesAllocateNothing(network);
    }
}
