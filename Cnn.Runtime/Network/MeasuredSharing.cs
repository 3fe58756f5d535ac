using System;

namespace Cnn.Runtime.Network;

/// <summary>
/// Whether sharing some work with worker 1 is currently faster than running it on the calling thread alone, from the measured
/// times of both: a moving average of each, the faster way taken on most calls and the other probed now and then so that its
/// average follows: one call in <see cref="ProbeAloneEvery"/> while sharing is the faster, one in <see cref="ProbeSharedEvery"/>
/// while running alone is. The probes are uneven because on two cores sharing is the faster way but for spells: a few slow
/// shared calls (worker 1 preempted) can turn the choice, and with an even 1 in 16 a one-sample resnet8 pass then ran alone for
/// hundreds of calls (bursts of 500 passes at 116–146 µs against 104–127 µs in the bursts that shared). Probing sharing every 4th call turns it
/// back within a few calls; probing alone every 32nd halves that probe's cost. Bursts of 500 one-sample passes, 90 of each
/// policy alternated in three rounds (2026-12-03, idle machine): resnet8 mean 119.8 → 115.5 µs, median 121.2 → 111.5, 90th
/// percentile 147.3 → 131.4; bn2conv mean 40.6 → 40.0 µs, median 41.5 → 37.5. While running alone is truly the faster (the
/// other core busy), a quarter of the calls share instead of a sixteenth. Whether sharing pays is not a property of the work alone: on this VM the same convolution measured
/// 44 → 36 µs shared in one minute and 44 → 52 µs in another (worker 1 awake, load and neighbours alike), and at load 8 a
/// preempted worker 1 holds up the parts it has claimed.
/// </summary>
internal sealed class MeasuredSharing
{
    /// <summary>While sharing is the faster, one call in this many runs alone, to keep that average current.</summary>
    internal const int ProbeAloneEvery = 32;

    /// <summary>While running alone is the faster, one call in this many shares, to keep that average current.</summary>
    internal const int ProbeSharedEvery = 4;

    private double _shared;
    private double _alone;
    private int _calls;

    /// <summary>Whether this call is shared: each way once first, then the faster one but every <see cref="ProbeAloneEvery"/>th or <see cref="ProbeSharedEvery"/>th call.</summary>
    /// <returns>True to share.</returns>
    internal bool Shares()
    {
        if (_shared == 0)
        {
            return true;
        }
        if (_alone == 0)
        {
            return false;
        }
        var faster = _shared <= _alone;
        return ++_calls % (faster ? ProbeAloneEvery : ProbeSharedEvery) == 0 ? !faster : faster;
    }

    /// <summary>
    /// Adds one measured call to the way it took. A sample counts at most twice the average, so that one preemption or one
    /// wake-up of worker 1 (~34 µs) moves it by an eighth of the average, not by the whole delay.
    /// </summary>
    /// <param name="shared">Whether the call was shared.</param>
    /// <param name="ticks">Its duration, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</param>
    internal void Record(bool shared, long ticks)
    {
        ref var average = ref shared ? ref _shared : ref _alone;
        var sample = Math.Max(ticks, 1);
        average = average == 0 ? sample : average + ((Math.Min(sample, 2 * average) - average) / 8);
    }
}
