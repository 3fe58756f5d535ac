using System.Threading;

namespace Cnn.Runtime.Network;

/// <summary>
/// Which half of a map each of the two parts of a job split by rows computes (<see cref="SharedWinograd"/>, <see cref="SharedJoinRows"/>):
/// the caller the top half and worker 1 the bottom one, whichever part each claimed, so that each half of every map in a chain of
/// such layers stays on one core; a thread that claims both parts (worker 1 late) computes both halves.
/// </summary>
internal struct RowHalves
{
    private int _taken;

    /// <summary>Takes <paramref name="worker"/>'s half, or the other one when it is taken: each of a job's two claims gets one half.</summary>
    /// <param name="worker">0 for the caller, 1 for worker 1.</param>
    /// <returns>0 for the top half, 1 for the bottom one.</returns>
    internal int Take(int worker)
    {
        var mine = worker == 0 ? 0 : 1;
        return (Interlocked.Or(ref _taken, 1 << mine) & (1 << mine)) == 0 ? mine : 1 - mine;
    }
}
