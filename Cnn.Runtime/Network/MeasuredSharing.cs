using System;

namespace Cnn.Runtime.Network;

/// <summary>
/// Per layer, whether sharing it with worker 1 is currently faster than running it on the calling thread alone, from the
/// measured times of both: a moving average of each, the faster one taken on 15 calls out of 16 and the other on the 16th so
/// that its average follows. Whether sharing pays is not a property of the layer alone: on this VM the same convolution
/// measured 44 → 36 µs shared in one minute and 44 → 52 µs in another (worker 1 awake, load and neighbours alike), and at
/// load 8 a preempted worker 1 holds up the parts it has claimed. One instance per network; nothing is allocated after construction.
/// </summary>
internal sealed class MeasuredSharing
{
    /// <summary>Layers followed; a network with more shared layers shares the rest without measuring.</summary>
    internal const int Layers = 32;

    /// <summary>One call in this many takes the slower way, to keep its average current.</summary>
    internal const int ProbeEvery = 16;

    private readonly int[] _keys = new int[Layers];
    private readonly double[] _shared = new double[Layers];
    private readonly double[] _alone = new double[Layers];
    private readonly int[] _calls = new int[Layers];
    private int _used;

    /// <summary>The slot of the layer <paramref name="key"/> (taken on first sight), or -1 when every slot is taken.</summary>
    /// <param name="key">A number only this layer uses (its weight offset).</param>
    /// <returns>The slot, or -1.</returns>
    internal int Slot(int key)
    {
        for (var i = 0; i < _used; i++)
        {
            if (_keys[i] == key)
            {
                return i;
            }
        }
        if (_used == Layers)
        {
            return -1;
        }
        _keys[_used] = key;
        return _used++;
    }

    /// <summary>Whether this call of the layer in <paramref name="slot"/> is shared: each way once first, then the faster one but every <see cref="ProbeEvery"/>th call.</summary>
    /// <param name="slot">From <see cref="Slot"/>.</param>
    /// <returns>True to share.</returns>
    internal bool Shares(int slot)
    {
        if (_shared[slot] == 0)
        {
            return true;
        }
        if (_alone[slot] == 0)
        {
            return false;
        }
        var faster = _shared[slot] <= _alone[slot];
        return ++_calls[slot] % ProbeEvery == 0 ? !faster : faster;
    }

    /// <summary>
    /// Adds one measured call to the way it took. A sample counts at most twice the average, so that one preemption or one
    /// wake-up of worker 1 (~34 µs) moves it by an eighth, not by the whole delay.
    /// </summary>
    /// <param name="slot">From <see cref="Slot"/>.</param>
    /// <param name="shared">Whether the call was shared.</param>
    /// <param name="ticks">Its duration, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</param>
    internal void Record(int slot, bool shared, long ticks)
    {
        ref var average = ref shared ? ref _shared[slot] : ref _alone[slot];
        var sample = Math.Max(ticks, 1);
        average = average == 0 ? sample : average + ((Math.Min(sample, 2 * average) - average) / 8);
    }
}
