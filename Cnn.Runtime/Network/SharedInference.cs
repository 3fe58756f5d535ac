using System.Diagnostics;

namespace Cnn.Runtime.Network;

/// <summary>
/// Worker 0's large layers of one-sample inference shared with worker 1 of the network's pool (<see cref="WorkerPool.Share"/>):
/// dense layers by blocks of weight rows (<see cref="Dense"/>), convolutions by blocks of filters (<see cref="Conv"/>), each
/// computed by the same code as on one thread, so results do not depend on the worker count; whether a pass may wake a sleeping
/// worker 1 is decided once per pass (<see cref="PassWakePolicy"/>). One instance per network (worker 0's context): a pass allocates nothing.
/// </summary>
internal sealed class SharedInference
{
    private readonly WorkerPool _pool;
    private readonly PassWakePolicy _wakes = new();

    /// <summary>Creates the jobs of worker 0's context.</summary>
    /// <param name="context">Worker 0's context (the one every one-sample pass runs on).</param>
    /// <param name="pool">The network's pool (two workers or more).</param>
    internal SharedInference(NetworkContext context, WorkerPool pool)
    {
        _pool = pool;
        Dense = new SharedDenseRows(context, this);
        Conv = new SharedConvFilters(context, this);
    }

    /// <summary>The dense-layer job.</summary>
    internal SharedDenseRows Dense { get; }

    /// <summary>The convolution job.</summary>
    internal SharedConvFilters Conv { get; }

    /// <summary>Starts a pass: its first shared layer decides whether the pass may wake worker 1.</summary>
    internal void BeginPass() => _wakes.BeginPass();

    /// <summary>Runs one layer's parts on this thread and worker 1 (<see cref="WorkerPool.Share"/>), waking it as the pass decided.</summary>
    /// <param name="work">The layer's job.</param>
    /// <param name="parts">Its parts.</param>
    internal void Run(IPartedWork work, int parts) => _pool.Share(work, parts, _wakes.Wakes(Stopwatch.GetTimestamp()));
}
