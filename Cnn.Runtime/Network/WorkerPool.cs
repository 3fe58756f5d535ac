using System;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Cnn.Runtime.Network;

/// <summary>Work divided into independent parts that any thread may run (<see cref="WorkerPool.Share"/>).</summary>
internal interface IPartedWork
{
    /// <summary>Runs part <paramref name="part"/>; parts write disjoint outputs.</summary>
    /// <param name="part">0 ≤ part &lt; the count given to <see cref="WorkerPool.Share"/>.</param>
    /// <param name="worker">The thread running it: 0 the caller of <see cref="WorkerPool.Share"/>, 1 worker 1 (each may have its own scratch).</param>
    void RunPart(int part, int worker);
}

/// <summary>
/// Long-lived worker threads, started once, that run one callback per worker index and are joined
/// before <see cref="Run"/> returns. The caller's thread runs index 0 itself, so a pool of n
/// workers owns n − 1 threads. Dispatch allocates nothing: the callback is fixed at construction, the
/// threads wait on semaphores between runs, and completion is counted under a monitor whose lock
/// object exists from the start (CountdownEvent would allocate its lock the first time it blocks).
/// </summary>
/// <remarks>
/// <para>Between runs, <see cref="Share"/> lends worker 1 to the caller for one job of independent parts, claimed
/// one at a time from a shared counter: the caller never waits for worker 1 to get a core, only for parts it
/// has claimed, so a late or descheduled worker costs at most one part. <see cref="Delegate"/> lends it a job of one part that
/// only worker 1 runs, the caller spinning until it ends: a whole one-sample pass, when worker 1's core is the faster one.</para>
/// <para>Waking a blocked thread costs the waker itself ~34 µs on this 2-vCPU VM when the other vCPU is idle
/// (the release of a semaphore whose waiter sleeps; 0.4 µs while it still spins: measured with trivial jobs at
/// 20–2,000 µs intervals). So after a shared job worker 1 watches for the next one for <see cref="ShareSpinMicroseconds"/>
/// before it blocks again, and <see cref="Share"/> wakes a blocked worker only when asked to (<see cref="PassWakePolicy"/>
/// asks within a burst of passes, which then keep it awake). It watches with <see cref="Thread.Yield"/> between looks, giving the core to any thread that wants it: a
/// busy spin there made bn2conv's batch-1 mean latency 105 → 131 µs at load 5 (other processes, crowded off worker
/// 1's core, took the caller's), the yielding one 106 → 93 and 96 → 96 µs at load 8.</para>
/// <para>Runs are watched for the same way (<see cref="RunWatchMicroseconds"/>): a worker that has finished one, and the
/// caller waiting for the workers, look with <see cref="Thread.Yield"/> before blocking. lenet5's training (a 1 ms step
/// with two hand-offs), three alternated pairs of the benchmark on an idle machine: 74,391/63,202/66,339 →
/// 85,991/75,718/67,324 images/s; bn2conv's even.</para>
/// </remarks>
internal sealed class WorkerPool : IDisposable
{
    /// <summary>
    /// How long worker 1 watches for the next shared job before it blocks: longer than a whole one-sample pass of the
    /// benchmark models run alone (simplecnn ~215 µs), so back-to-back passes find it awake.
    /// </summary>
    internal const int ShareSpinMicroseconds = 500;

    private static readonly long ShareSpinTicks = Stopwatch.Frequency * ShareSpinMicroseconds / 1_000_000;

    /// <summary>
    /// How long a worker watches for the next run after finishing one, and the caller for the workers to finish, before
    /// either blocks. A training step hands off twice (the passes, then the gradient reduction) with the optimizer's step
    /// between; a worker or caller that blocked in between paid a kernel wake-up each time.
    /// </summary>
    internal const int RunWatchMicroseconds = 200;

    private static readonly long RunWatchTicks = Stopwatch.Frequency * RunWatchMicroseconds / 1_000_000;

    private readonly Action<int> _work;
    private readonly Thread[] _threads;
    private readonly SemaphoreSlim[] _start;
    private readonly object _gate = new();
    private int _remaining;
    private readonly ExceptionDispatchInfo?[] _failures;
    private volatile bool _stopping;

    // The job of Share: its parts, and one word of generation (high 32 bits), part count (16) and next
    // unclaimed part (16), so that a worker waking late can never claim a part of a job that has finished.
    private IPartedWork? _shared;
    private long _shareState;
    private int _sharedFinished;
    private ExceptionDispatchInfo? _sharedFailure;

    // 1 while a permit that Share released on worker 1's semaphore is not yet taken: Share releases at most
    // one, and worker 1 serves shared parts on the wake that takes the flag back (see Loop).
    private int _shareWakePending;

    // 1 while worker 1 is serving or watching for shared jobs (Share then needs no wake-up).
    private int _helperAwake;

    public WorkerPool(int workers, Action<int> work, string name)
    {
        _work = work;
        Count = workers;
        _threads = new Thread[workers - 1];
        _start = new SemaphoreSlim[workers - 1];
        _failures = new ExceptionDispatchInfo?[workers];
        for (var i = 0; i < _threads.Length; i++)
        {
            var index = i + 1;
            _start[i] = new SemaphoreSlim(0);
            _threads[i] = new Thread(() => Loop(index))
            {
                IsBackground = true,
                Name = $"{name} worker {index}",
            };
            _threads[i].Start();
        }
        // A thread's first Monitor.Wait allocates (~2 KB, measured on .NET 10). Pay it here, on the thread that
        // will call Run, so that a step which first finds the workers still busy allocates nothing.
        lock (_gate)
        {
            Monitor.Wait(_gate, 0);
        }
    }

    /// <summary>Workers, the calling thread included.</summary>
    public int Count { get; }

    /// <summary>Runs the callback for every worker index in parallel and rethrows the first failure (lowest index).</summary>
    public void Run()
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        if (_threads.Length > 0)
        {
            Volatile.Write(ref _remaining, _threads.Length);
            foreach (var start in _start)
            {
                start.Release();
            }
        }
        RunOne(0);
        if (_threads.Length > 0)
        {
            // Watch for the others to finish before blocking: a blocked caller is woken only after the last worker's
            // pulse has gone through the kernel.
            var watchedSince = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref _remaining) > 0 && Stopwatch.GetTimestamp() - watchedSince < RunWatchTicks)
            {
                Thread.Yield();
            }
            lock (_gate)
            {
                while (_remaining > 0)
                {
                    Monitor.Wait(_gate);
                }
            }
        }
        for (var i = 0; i < _failures.Length; i++)
        {
            if (_failures[i] is { } failure)
            {
                Array.Clear(_failures);
                failure.Throw();
            }
        }
    }

    /// <summary>
    /// Runs parts 0 … <paramref name="parts"/> − 1 of <paramref name="work"/> on the calling thread and worker 1,
    /// each part on whichever thread claims it first; returns when every part has finished and rethrows the first
    /// failure. Call it only between <see cref="Run"/> calls, from the thread that calls <see cref="Run"/>.
    /// </summary>
    /// <param name="work">The job (kept only until this returns).</param>
    /// <param name="parts">Parts, at most 65,535.</param>
    /// <param name="wake">Whether to wake worker 1 if it has stopped watching for jobs; if not, the caller may run every part.</param>
    public void Share(IPartedWork work, int parts, bool wake)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        ArgumentOutOfRangeException.ThrowIfNegative(parts);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(parts, ushort.MaxValue);
        if (_threads.Length == 0 || (!wake && Volatile.Read(ref _helperAwake) == 0))
        {
            // Nobody to share with: no job to publish, no counter to contend for.
            RunAlone(work, parts);
            return;
        }
        Publish(work, parts, wake);
        ClaimShared(0);
        // Only parts worker 1 has claimed remain: a wait of at most one part, spun rather than blocked.
        Finish(parts);
    }

    /// <summary>
    /// Makes <paramref name="work"/>'s parts claimable, with a full fence: the job is visible before its parts can be claimed; then
    /// wakes worker 1 if <paramref name="wake"/> and it has stopped watching.
    /// </summary>
    private void Publish(IPartedWork work, int parts, bool wake)
    {
        _shared = work;
        _sharedFinished = 0;
        var generation = (uint)(Volatile.Read(ref _shareState) >> 32) + 1;
        Interlocked.Exchange(ref _shareState, ((long)generation << 32) | ((long)parts << 16));
        // Read after the fence: either worker 1 still watches and sees the job, or its flag has fallen (ServeShares).
        if (wake && Volatile.Read(ref _helperAwake) == 0 && Interlocked.Exchange(ref _shareWakePending, 1) == 0)
        {
            _start[0].Release();
        }
    }

    /// <summary>Spins until every part of the current job has finished, then ends it and rethrows the first failure.</summary>
    private void Finish(int parts)
    {
        var spinner = default(SpinWait);
        while (Volatile.Read(ref _sharedFinished) < parts)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }
        _shared = null;
        if (Interlocked.Exchange(ref _sharedFailure, null) is { } failure)
        {
            failure.Throw();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/>, one part, on worker 1 while the calling thread waits, spinning, and rethrows its failure:
    /// for a job that runs faster on worker 1's core than on the caller's (<see cref="SharedInference.RunsOnWorker"/>). Wakes
    /// worker 1 if it has stopped watching for jobs; runs the part on the calling thread in a pool without worker threads.
    /// Call it only between <see cref="Run"/> calls, from the thread that calls <see cref="Run"/>, and share nothing from
    /// inside the part.
    /// </summary>
    /// <param name="work">The job (kept only until this returns).</param>
    public void Delegate(IPartedWork work)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        if (_threads.Length == 0)
        {
            RunAlone(work, 1);
            return;
        }
        Publish(work, 1, wake: true);
        Finish(1);
    }

    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }
        _stopping = true;
        foreach (var start in _start)
        {
            start.Release();
        }
        foreach (var thread in _threads)
        {
            thread.Join();
        }
        foreach (var start in _start)
        {
            start.Dispose();
        }
    }

    private void Loop(int index)
    {
        var start = _start[index - 1];
        while (true)
        {
            start.Wait();
            if (_stopping)
            {
                return;
            }
            // Share's permit, or a Run's taken first while Share's was still pending: either way a run's permit
            // is never lost, as the flag is cleared once per Share permit and the next wait takes the other.
            if (index == 1 && Interlocked.Exchange(ref _shareWakePending, 0) == 1)
            {
                ServeShares(start);
                continue;
            }
            RunOne(index);
            lock (_gate)
            {
                if (--_remaining == 0)
                {
                    Monitor.PulseAll(_gate);
                }
            }
            WatchForRun(start);
        }
    }

    /// <summary>
    /// After a run, watches for the next one for <see cref="RunWatchMicroseconds"/> before blocking on <paramref name="start"/>,
    /// giving the core away between looks (<see cref="Thread.Yield"/>), as <see cref="ServeShares"/> watches for shared jobs.
    /// </summary>
    private void WatchForRun(SemaphoreSlim start)
    {
        var watchedSince = Stopwatch.GetTimestamp();
        while (!_stopping && start.CurrentCount == 0 && Stopwatch.GetTimestamp() - watchedSince < RunWatchTicks)
        {
            Thread.Yield();
        }
    }

    /// <summary>Runs parts 0 … <paramref name="parts"/> − 1 on the calling thread (as worker 0), then rethrows the first failure.</summary>
    internal static void RunAlone(IPartedWork work, int parts)
    {
        ExceptionDispatchInfo? first = null;
        for (var part = 0; part < parts; part++)
        {
            try
            {
                work.RunPart(part, 0);
            }
            catch (Exception e)
            {
                first ??= ExceptionDispatchInfo.Capture(e);
            }
        }
        first?.Throw();
    }

    /// <summary>
    /// Worker 1 serves shared jobs until none has come for <see cref="ShareSpinMicroseconds"/>, or a run or disposal
    /// needs it; then it lowers its flag and serves any job published before the flag fell, whose publisher saw it
    /// raised and so did not wake it (both sides write, fence, then read: at least one sees the other's write).
    /// </summary>
    private void ServeShares(SemaphoreSlim start)
    {
        Volatile.Write(ref _helperAwake, 1);
        var idleSince = Stopwatch.GetTimestamp();
        while (true)
        {
            if (ClaimShared(1))
            {
                idleSince = Stopwatch.GetTimestamp();
            }
            if (_stopping || start.CurrentCount > 0 || Stopwatch.GetTimestamp() - idleSince > ShareSpinTicks)
            {
                Interlocked.Exchange(ref _helperAwake, 0);
                ClaimShared(1);
                return;
            }
            Thread.Yield();
        }
    }

    /// <summary>Claims and runs parts of the current shared job on <paramref name="worker"/> (0 or 1) until none is left; returns whether it ran any.</summary>
    private bool ClaimShared(int worker)
    {
        var ran = false;
        while (true)
        {
            var state = Volatile.Read(ref _shareState);
            int parts = (int)((state >> 16) & 0xFFFF), next = (int)(state & 0xFFFF);
            if (next >= parts)
            {
                return ran;
            }
            if (Interlocked.CompareExchange(ref _shareState, state + 1, state) != state)
            {
                continue;
            }
            // The job cannot finish while this part is unfinished, so _shared is still the job this part belongs to.
            try
            {
                _shared!.RunPart(next, worker);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _sharedFailure, ExceptionDispatchInfo.Capture(e), null);
            }
            Interlocked.Increment(ref _sharedFinished);
            ran = true;
        }
    }

    private void RunOne(int index)
    {
        try
        {
            _work(index);
        }
        catch (Exception e)
        {
            _failures[index] = ExceptionDispatchInfo.Capture(e);
        }
    }
}
