using System;

namespace Cnn.Runtime.Network;

/// <summary>
/// Whether sharing some work with worker 1 is currently faster than running it on the calling thread alone, from the measured
/// times of both: a moving average of each, the faster way taken on 15 calls out of 16 and the other on the 16th so that its
/// average follows. Whether sharing pays is not a property of the work alone: on this VM the same convolution measured
/// 44 → 36 µs shared in one minute and 44 → 52 µs in another (worker 1 awake, load and neighbours alike), and at load 8 a
/// preempted worker 1 holds up the parts it has claimed.
/// </summary>
internal sealed class MeasuredSharing
{
    /// <summary>One call in this many takes the slower way, to keep its average current.</summary>
    internal const int ProbeEvery = 16;

    private double _shared;
    private double _alone;
    private int _calls;

    /// <summary>Whether this call is shared: each way once first, then the faster one but every <see cref="ProbeEvery"/>th call.</summary>
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
        return ++_calls % ProbeEvery == 0 ? !faster : faster;
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
