using System;

namespace Cnn.Runtime.Network;

/// <summary>
/// Whether sharing some work with worker 1 is currently faster than running it on the calling thread alone, from the measured
/// times of both: the faster way by a moving average of each, and the other probed now and then so that its average follows.
/// </summary>
/// <remarks>
/// <para>
/// Only steady calls count: a call that takes the same way as the call before it. The first call after a switch pays for moving
/// the work's lines between the cores' caches (the outputs and scratch the other core wrote last time), which is the switch's
/// cost, not the way's: on this VM, in spells when a cache line took ~200 ns to cross between the two vCPUs (a 400–600 ns
/// ping-pong round trip), a one-sample resnet8 pass took 124 µs alone, 165 µs shared, and 168 µs alone right after a shared
/// one. Counting those first calls, the policy this replaced (one call in 4 shared while alone measured faster) ran resnet8
/// at 146–158 µs a pass in that spell, against 128–133 µs always alone.
/// </para>
/// <para>
/// So a probe takes the slower way for <see cref="ProbeLength"/> calls (the first a switch, the second its steady cost), and
/// probes back off: the chosen way's calls between them double, from <see cref="ShortestProbeInterval"/> to
/// <see cref="LongestProbeInterval"/>, while each probe confirms the choice, and are short again after the choice turns (by a
/// probe, or by the chosen way's own calls turning slower). A probe's steady call becomes the probed way's average, so that one
/// probe is enough to follow a change (a probe slowed by noise only delays the next turn; one sped up by it turns the choice for
/// the few calls the chosen way's own average takes to turn back). The chosen way's calls move its average by an eighth, each
/// counted at most twice the average, so that one preemption or one wake-up of worker 1 (~34 µs) does not turn the choice.
/// </para>
/// </remarks>
/// <param name="advantage">
/// The share of the alone way's average the shared way's must be within to be taken: 1 takes the faster; below 1 the shared way
/// must be faster by that much, so that two ways about as fast do not turn the choice back and forth, each turn paying a switch.
/// </param>
/// <param name="longestProbeInterval">The most calls of the chosen way between two probes (<see cref="LongestProbeInterval"/> unless given).</param>
internal sealed class MeasuredSharing(double advantage = 1.0, int longestProbeInterval = MeasuredSharing.LongestProbeInterval)
{
    /// <summary>Calls in one probe of the slower way: a switch, then a steady call.</summary>
    internal const int ProbeLength = 2;

    /// <summary>Calls of the chosen way between two probes right after the choice turns.</summary>
    internal const int ShortestProbeInterval = 8;

    /// <summary>The most calls of the chosen way between two probes, unless the constructor says otherwise.</summary>
    internal const int LongestProbeInterval = 256;

    private double _shared;
    private double _alone;
    private bool? _previous;
    private int _interval = ShortestProbeInterval;
    private int _untilProbe = ShortestProbeInterval + 1;
    private int _probeLeft;

    /// <summary>Whether the last call to <see cref="Shares"/> took the other way than the last call recorded (a switch).</summary>
    internal bool Switches { get; private set; }

    /// <summary>Whether this call is shared: each way until it has a steady call measured, then the faster one but for probes.</summary>
    /// <returns>True to share.</returns>
    internal bool Shares()
    {
        var shares = Choose();
        Switches = _previous is { } previous && previous != shares;
        return shares;
    }

    private bool Choose()
    {
        if (_shared == 0)
        {
            return true;
        }
        if (_alone == 0)
        {
            return false;
        }
        var faster = SharingFaster();
        if (_probeLeft > 0)
        {
            _probeLeft--;
            return !faster;
        }
        if (--_untilProbe > 0)
        {
            return faster;
        }
        _untilProbe = _interval + 1;
        _probeLeft = ProbeLength - 1;
        return !faster;
    }

    /// <summary>Adds one measured call to the way it took, if the call before it took the same way (see the remarks).</summary>
    /// <param name="shared">Whether the call was shared.</param>
    /// <param name="ticks">Its duration, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</param>
    internal void Record(bool shared, long ticks)
    {
        var steady = _previous == shared;
        _previous = shared;
        if (!steady)
        {
            return;
        }
        var sample = (double)Math.Max(ticks, 1);
        ref var average = ref shared ? ref _shared : ref _alone;
        if (_shared == 0 || _alone == 0)
        {
            // Each way's first steady call (Shares takes each way until it has one).
            average = sample;
            return;
        }
        var sharingWasFaster = SharingFaster();
        var probed = shared != sharingWasFaster;
        average = probed ? sample : average + ((Math.Min(sample, 2 * average) - average) / 8);
        if (SharingFaster() != sharingWasFaster)
        {
            _interval = ShortestProbeInterval;
            _untilProbe = _interval + 1;
        }
        else if (probed)
        {
            _interval = Math.Min(2 * _interval, longestProbeInterval);
            _untilProbe = _interval + 1;
        }
    }

    private bool SharingFaster() => _shared <= advantage * _alone;
}
