using System.Diagnostics;

namespace Cnn.Runtime.Network;

/// <summary>
/// Whether a one-sample inference pass may wake a sleeping worker 1 for its shared layers (<see cref="SharedInference"/>):
/// only when a shared layer of an earlier pass came less than <see cref="WorkerPool.ShareSpinMicroseconds"/> before, the time
/// worker 1 watches after its last job, or when the pass switches to sharing (<see cref="WakeThisPass"/>). So within a burst of
/// passes the wake is paid once (worker 1 then stays awake), and a lone pass pays it only if it is a switch. Waking costs the
/// caller ~34 µs (<see cref="WorkerPool"/>); sharing saves 35–40 % of a dense layer's one-core time when worker 1 is awake
/// (4 MiB: 58 → 36 µs, 8 MiB: 109 → 68 µs), but with worker 1 asleep and the weights cold, 8 MiB measured about even
/// (194 → 199, 225 → 215 µs) and 4 MiB a loss (85 → 126 µs).
/// </summary>
/// <remarks>
/// The decision is taken at a pass's first shared layer and holds for the whole pass. With the per-layer rule a single shared
/// layer per pass allowed (the previous shared layer less than 500 µs before), a lone pass with shared convolutions and a shared
/// dense layer would wake worker 1 at its second shared layer because of its own first one, paying the 34 µs to save a few.
/// </remarks>
internal sealed class PassWakePolicy
{
    private static readonly long RecentTicks = Stopwatch.Frequency * WorkerPool.ShareSpinMicroseconds / 1_000_000;

    private long _lastShared = long.MinValue / 2;
    private long _pass;
    private long _decidedPass = -1;
    private bool _wake;

    /// <summary>Starts a pass: its first shared layer decides.</summary>
    internal void BeginPass() => _pass++;

    /// <summary>Lets the current pass wake worker 1 whenever the last shared layer was (a pass switching to sharing).</summary>
    internal void WakeThisPass()
    {
        _decidedPass = _pass;
        _wake = true;
    }

    /// <summary>Records a shared layer starting at <paramref name="now"/> and says whether it may wake worker 1.</summary>
    /// <param name="now">A <see cref="Stopwatch.GetTimestamp"/> reading.</param>
    /// <returns>The current pass's decision.</returns>
    internal bool Wakes(long now)
    {
        if (_decidedPass != _pass)
        {
            _decidedPass = _pass;
            _wake = now - _lastShared < RecentTicks;
        }
        _lastShared = now;
        return _wake;
    }
}
