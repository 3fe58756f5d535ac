using System.Diagnostics;

namespace Cnn.Runtime.Network;

/// <summary>
/// Worker 0's large layers of one-sample inference shared with worker 1 of the network's pool (<see cref="WorkerPool.Share"/>):
/// dense layers by blocks of weight rows (<see cref="Dense"/>), convolutions by blocks of filters (<see cref="Conv"/>) or, computed by
/// Winograd, of output channels or of rows on large maps (<see cref="Winograd"/>, with the residual joins after such rows:
/// <see cref="JoinRows"/>), each
/// computed by the same code as on one thread, so results do not depend on the worker count; whether a pass may wake a sleeping
/// worker 1 is decided once per pass (<see cref="PassWakePolicy"/>), and whether worker 1 runs the whole pass alone instead
/// (<see cref="RunsOnWorker"/>). One instance per network (worker 0's context): a pass allocates nothing.
/// </summary>
internal sealed class SharedInference
{
    /// <summary>
    /// How much faster whole passes on worker 1 must measure to be taken (<see cref="RunsOnWorker"/>): 10 %. With cores about as
    /// fast, the two ways' averages cross back and forth by noise, and each turn's first pass pays for moving the network's lines
    /// to the other core: taking the faster way outright cost resnet8's pass 3–4 % and bn2conv's up to 9 % (in-process A/B).
    /// </summary>
    private const double WorkerAdvantage = 0.9;

    /// <summary>
    /// The most passes between two probes of the way not taken (<see cref="RunsOnWorker"/>): 4,096, about half a second of
    /// resnet8's passes. Each probe moves the network's lines to the other core and back; probing every 256 passes still cost
    /// resnet8's pass 2 % and simplecnn's 1 % with cores alike (in-process A/B, 2 and 8 of 30 pairs faster), every 4,096
    /// 0.3–0.6 % (9–14 of 30).
    /// </summary>
    private const int LongestPlacementProbeInterval = 4096;

    private readonly WorkerPool _pool;
    private readonly PassWakePolicy _wakes = new();
    private readonly MeasuredSharing _measured = new();
    private readonly MeasuredSharing _placement = new(WorkerAdvantage, LongestPlacementProbeInterval);
    private long _passStart;
    private bool _passHasConvolution;
    private bool _passSharesConvolutions;
    private bool _passPlaced;
    private bool _passOnWorker;

    /// <summary>Creates the jobs of worker 0's context.</summary>
    /// <param name="context">Worker 0's context (the one every one-sample pass runs on).</param>
    /// <param name="pool">The network's pool (two workers or more).</param>
    internal SharedInference(NetworkContext context, WorkerPool pool)
    {
        _pool = pool;
        Dense = new SharedDenseRows(context, this);
        Conv = new SharedConvFilters(context, this);
        Winograd = new SharedWinograd(context, this);
        JoinRows = new SharedJoinRows(context, this);
    }

    /// <summary>The dense-layer job.</summary>
    internal SharedDenseRows Dense { get; }

    /// <summary>The convolution job.</summary>
    internal SharedConvFilters Conv { get; }

    /// <summary>The job of the convolutions computed by Winograd with kept filters, by channel blocks or by rows.</summary>
    internal SharedWinograd Winograd { get; }

    /// <summary>The job of the residual joins on large maps split by halves of their rows.</summary>
    internal SharedJoinRows JoinRows { get; }

    /// <summary>Starts a pass: its first shared layer decides whether the pass may wake worker 1.</summary>
    internal void BeginPass()
    {
        _wakes.BeginPass();
        _passHasConvolution = false;
        _passPlaced = _passOnWorker = false;
        _passStart = Stopwatch.GetTimestamp();
    }

    /// <summary>Ends a pass begun by <see cref="BeginPass"/>: one that had a convolution to share counts toward <see cref="SharesConvolutions"/>.</summary>
    internal void EndPass()
    {
        var elapsed = Stopwatch.GetTimestamp() - _passStart;
        if (_passPlaced)
        {
            _placement.Record(_passOnWorker, elapsed);
        }
        if (_passHasConvolution)
        {
            _measured.Record(_passSharesConvolutions, elapsed);
        }
    }

    /// <summary>
    /// Whether this one-sample inference pass runs whole on worker 1 (<see cref="WorkerPool.Delegate"/>), sharing nothing, rather
    /// than on the calling thread with its layers shared as <see cref="SharesConvolutions"/> decides: while whole passes on worker 1
    /// measure faster (<see cref="MeasuredSharing"/>, the slower way probed now and then). The two vCPUs of this VM are not equally
    /// fast: resnet8's pass alone took 158–160 µs (medians of 3,000) in a process whose calling thread ran on CPU 0 and 123–126 µs in
    /// five on CPU 1 (their second rounds), and DirectConv's 64 → 64 on 8×8 31.8 against 25.5 µs pinned to each (their FMA peaks alike, 221–230 GFLOP/s).
    /// The caller's core is not the caller's to choose; a pass handed to the worker on the faster core is.
    /// </summary>
    /// <returns>True to run the pass on worker 1.</returns>
    internal bool RunsOnWorker()
    {
        _passPlaced = true;
        _passOnWorker = _placement.Shares();
        return _passOnWorker;
    }

    /// <summary>
    /// Whether this pass shares its large convolutions (decided at the first, for the whole pass): while whole passes sharing them
    /// measure faster than passes running them alone (<see cref="MeasuredSharing"/>; the slower way probed now and then). Whole
    /// passes, not layers: worker 1's output reaches the caller's next layer (BatchNorm, pooling) through the caches, a cost the
    /// convolution's own time does not show. On this VM sharing them measured 71 → 60 µs a pass for bn2conv, 143 → 123 µs for
    /// simplecnn and 179 → 142 µs for resnet8 in one minute, and 172 → 181 µs for resnet8 in another (both cores ours, same load).
    /// A pass switching to sharing may wake worker 1 whatever <see cref="PassWakePolicy"/> would say: its time is the switch's and
    /// not counted, and the steady pass after it then measures sharing with worker 1 awake, not the wake (~34 µs). Probes of
    /// sharing come too seldom to keep worker 1 awake between them.
    /// </summary>
    /// <returns>True to share.</returns>
    internal bool SharesConvolutions()
    {
        if (_passOnWorker)
        {
            return false;
        }
        if (!_passHasConvolution)
        {
            _passHasConvolution = true;
            _passSharesConvolutions = _measured.Shares();
            if (_passSharesConvolutions && _measured.Switches)
            {
                _wakes.WakeThisPass();
            }
        }
        return _passSharesConvolutions;
    }

    /// <summary>
    /// Runs one layer's parts on this thread and worker 1 (<see cref="WorkerPool.Share"/>), waking it as the pass decided; in a pass
    /// that <see cref="RunsOnWorker"/>, every part on this thread (worker 1's, which has nobody to share with), in order.
    /// </summary>
    /// <param name="work">The layer's job.</param>
    /// <param name="parts">Its parts.</param>
    internal void Run(IPartedWork work, int parts)
    {
        if (_passOnWorker)
        {
            WorkerPool.RunAlone(work, parts);
            return;
        }
        _pool.Share(work, parts, _wakes.Wakes(Stopwatch.GetTimestamp()));
    }
}
