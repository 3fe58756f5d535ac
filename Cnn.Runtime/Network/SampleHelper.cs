using System;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Cnn.Runtime.Network;

/// <summary>One layer's work divided into independent parts (filter blocks, weight-row blocks) that any thread may run.</summary>
internal interface ISplitWork
{
    /// <summary>Runs part <paramref name="part"/>; parts write disjoint outputs.</summary>
    /// <param name="part">0 ≤ part &lt; the count given to <see cref="SampleHelper.Run"/>.</param>
    void RunPart(int part);
}

/// <summary>
/// A helper thread that shares the large layers of a one-sample pass with the calling thread. The caller
/// publishes a layer's parts and claims them itself, one at a time, from the same counter as the helper;
/// it never waits for the helper to wake up, only for parts the helper has already claimed. A part is
/// computed the same way whichever thread runs it, so results do not depend on the helper at all.
/// </summary>
/// <remarks>
/// Between layers the helper spins (checking for new parts) for at most <see cref="SpinMicroseconds"/>, so
/// back-to-back layers and back-to-back predictions find it awake; after that it blocks on a semaphore and
/// burns nothing. The claim counter, the part count and a generation number share one 64-bit word, so a
/// late helper can never claim a part of a layer that has already finished.
/// </remarks>
internal sealed class SampleHelper : IDisposable
{
    /// <summary>How long the helper keeps checking for work before it blocks.</summary>
    internal const int SpinMicroseconds = 100;

    private static readonly long SpinTicks = Math.Max(1, Stopwatch.Frequency * SpinMicroseconds / 1_000_000);

    private readonly Thread _thread;
    private readonly SemaphoreSlim _wake = new(0);
    private ISplitWork? _work;
    private long _state;
    private int _finished;
    private int _sleeping;
    private ExceptionDispatchInfo? _failure;
    private volatile bool _stopping;

    /// <summary>Starts the helper thread.</summary>
    /// <param name="name">Thread name prefix (the network's type name).</param>
    public SampleHelper(string name)
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = $"{name} sample helper" };
        _thread.Start();
    }

    /// <summary>Runs parts 0 … <paramref name="parts"/> − 1 of <paramref name="work"/> on this thread and the helper; returns when all are done.</summary>
    /// <param name="work">The layer.</param>
    /// <param name="parts">Number of parts (at most 65,535).</param>
    public void Run(ISplitWork work, int parts)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(parts, ushort.MaxValue);
        _work = work;
        _finished = 0;
        var generation = (uint)(Volatile.Read(ref _state) >> 32) + 1;
        // Full fence: the job is visible before the new state, and the state before the sleeping flag is read.
        Interlocked.Exchange(ref _state, Pack(generation, parts, 0));
        if (Interlocked.Exchange(ref _sleeping, 0) == 1)
        {
            _wake.Release();
        }
        Claim(generation);
        var spinner = default(SpinWait);
        while (Volatile.Read(ref _finished) < parts)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }
        _work = null;
        if (Interlocked.Exchange(ref _failure, null) is { } failure)
        {
            failure.Throw();
        }
    }

    /// <summary>Stops the helper thread.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }
        _stopping = true;
        _wake.Release();
        _thread.Join();
        _wake.Dispose();
    }

    private static long Pack(uint generation, int parts, int next) => ((long)generation << 32) | ((long)parts << 16) | (uint)next;

    /// <summary>Claims and runs parts of layer <paramref name="generation"/> until none is left.</summary>
    private void Claim(uint generation)
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            int parts = (int)((state >> 16) & 0xFFFF), next = (int)(state & 0xFFFF);
            if ((uint)(state >> 32) != generation || next >= parts)
            {
                return;
            }
            if (Interlocked.CompareExchange(ref _state, state + 1, state) != state)
            {
                continue;
            }
            // The layer cannot finish while this part is unfinished, so _work still belongs to it.
            try
            {
                _work!.RunPart(next);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
            }
            Interlocked.Increment(ref _finished);
        }
    }

    private void Loop()
    {
        uint seen = 0;
        while (!_stopping)
        {
            var start = Stopwatch.GetTimestamp();
            uint generation;
            while ((generation = (uint)(Volatile.Read(ref _state) >> 32)) == seen && Stopwatch.GetTimestamp() - start < SpinTicks && !_stopping)
            {
                Thread.SpinWait(20);
            }
            if (generation != seen)
            {
                seen = generation;
                Claim(generation);
                continue;
            }
            // Announce the sleep, then look once more: a layer published in between is either seen here or
            // its publisher sees the flag and releases the semaphore (exactly one of the two takes the flag back).
            Interlocked.Exchange(ref _sleeping, 1);
            if ((uint)(Volatile.Read(ref _state) >> 32) != seen && Interlocked.Exchange(ref _sleeping, 0) == 1)
            {
                continue;
            }
            _wake.Wait();
        }
    }
}
