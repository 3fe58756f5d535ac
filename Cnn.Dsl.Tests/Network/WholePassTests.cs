using System;
using System.Threading;
using Cnn.Runtime.Network;

namespace Cnn.Dsl.Tests.Network;

/// <summary>
/// A one-sample inference pass handed whole to worker 1 (<see cref="WorkerPool.Delegate"/>, <see cref="SharedInference.RunsOnWorker"/>):
/// the part runs on worker 1 whether it still watches for jobs or sleeps, failures come back to the caller, and the outputs are
/// the calling thread's, bit for bit.
/// </summary>
public sealed class WholePassTests
{
    private sealed class RecordingPart : IPartedWork
    {
        public int Runs { get; private set; }

        public int Thread { get; private set; }

        public int Worker { get; private set; } = -1;

        public bool Fail { get; set; }

        public void RunPart(int part, int worker)
        {
            Assert.Equal(0, part);
            Runs++;
            Thread = Environment.CurrentManagedThreadId;
            Worker = worker;
            if (Fail)
            {
                throw new InvalidOperationException("the whole pass failed");
            }
        }
    }

    [Fact]
    public void A_delegated_part_runs_on_worker_one_watching_or_woken_between_batch_runs()
    {
        var runs = new int[2];
        using var pool = new WorkerPool(2, i => Interlocked.Increment(ref runs[i]), "test");
        var caller = Environment.CurrentManagedThreadId;
        var work = new RecordingPart();
        for (var job = 0; job < 20; job++)
        {
            if (job % 5 == 4)
            {
                // Past the time worker 1 watches after a job: it blocks, and the delegation must wake it.
                Thread.Sleep(5);
            }
            pool.Delegate(work);
            Assert.Equal(job + 1, work.Runs);
            Assert.NotEqual(caller, work.Thread);
            Assert.Equal(1, work.Worker);
            if (job % 3 == 0)
            {
                pool.Run();
            }
        }
        Assert.All(runs, r => Assert.Equal(7, r));
    }

    [Fact]
    public void A_failure_comes_back_to_the_caller_and_a_pool_of_one_runs_the_part_itself()
    {
        using var pool = new WorkerPool(2, _ => { }, "test");
        var work = new RecordingPart { Fail = true };
        Assert.Equal("the whole pass failed", Assert.Throws<InvalidOperationException>(() => pool.Delegate(work)).Message);
        work.Fail = false;
        pool.Delegate(work);
        Assert.Equal(2, work.Runs);

        using var alone = new WorkerPool(1, _ => { }, "test");
        alone.Delegate(work);
        Assert.Equal(Environment.CurrentManagedThreadId, work.Thread);
        Assert.Equal(0, work.Worker);
        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pool.Delegate(work));
    }

    [Fact]
    public void Passes_on_worker_one_and_on_the_caller_give_one_workers_outputs_bit_for_bit()
    {
        // The placement measures each way once before choosing (MeasuredSharing): a network's first one-sample pass runs on
        // worker 1, its second on the caller; the rest as measured. Between them, batched passes and training steps.
        using var one = new Work.LargeDense(seed: 4, workers: 1);
        using var two = new Work.LargeDense(seed: 4, workers: 2);
        var length = one.InputShape.Elements;
        var input = new float[4 * length];
        new SeededRandom(8).FillUniform(input, -1f, 1f);
        var labels = new[] { 1, 0, 2, 3 };
        for (var pass = 0; pass < 12; pass++)
        {
            var sample = input.AsSpan((pass % 4) * length, length).ToArray();
            Assert.Equal(one.Predict(sample, 1).ToArray(), two.Predict(sample, 1).ToArray());
            if (pass % 4 == 3)
            {
                NumericAssert.Close(one.Predict(input, 4).ToArray(), two.Predict(input, 4), 1e-5, $"batch after pass {pass}");
                one.ForwardBackward(input, labels, 4);
                two.ForwardBackward(input, labels, 4);
            }
        }
    }
}
