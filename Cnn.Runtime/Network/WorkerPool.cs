using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Cnn.Runtime.Network;

/// <summary>
/// Long-lived worker threads, started once, that run one callback per worker index and are joined
/// before <see cref="Run"/> returns. The caller's thread runs index 0 itself, so a pool of n
/// workers owns n − 1 threads. Dispatch allocates nothing: the callback is fixed at construction, the
/// threads wait on semaphores between runs, and completion is counted under a monitor whose lock
/// object exists from the start (CountdownEvent would allocate its lock the first time it blocks).
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    private readonly Action<int> _work;
    private readonly Thread[] _threads;
    private readonly SemaphoreSlim[] _start;
    private readonly object _gate = new();
    private int _remaining;
    private readonly ExceptionDispatchInfo?[] _failures;
    private volatile bool _stopping;

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
            RunOne(index);
            lock (_gate)
            {
                if (--_remaining == 0)
                {
                    Monitor.PulseAll(_gate);
                }
            }
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
