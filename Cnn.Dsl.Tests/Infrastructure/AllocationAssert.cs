using System;
using System.Collections.Generic;
using System.Linq;

namespace Cnn.Dsl.Tests.Infrastructure;

/// <summary>
/// Asserts that code allocates nothing on the calling thread, over windows that no garbage collection paused.
/// </summary>
/// <remarks>
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> counts the unused rest of the thread's allocation context (up to
/// 8 KB) as allocated when a background GC retires that context, though the thread allocated nothing. Such a GC is set
/// off by any allocation in the process (another test's arrays, a new network's arenas) and ends at any time after.
/// Measured on the suite's batch-1 prediction test: 5–7 KB in about 1 window in 10 under load, each time with a GC
/// pause inside the window, none with background GC off. So a window that a GC paused says nothing, and is measured
/// again, with half the passes: while the rest of the suite allocates hard, twelve windows of 50 passes (~170 ms each) were
/// once all paused (2026-12-03, a clean clone's `.ci/run`).
/// </remarks>
internal static class AllocationAssert
{
    private const int CleanWindows = 2;
    private const int MaxWindows = 24;

    /// <summary>
    /// Runs <paramref name="pass"/> <paramref name="warmUpPasses"/> times, then in windows of
    /// <paramref name="passesPerWindow"/> passes (halved, down to one, after each window a GC paused) until
    /// <see cref="CleanWindows"/> windows that no GC paused have been measured, and requires each of them to allocate
    /// nothing on the calling thread.
    /// </summary>
    /// <param name="pass">One pass (a training step, a prediction…).</param>
    /// <param name="passesPerWindow">Passes per measured window.</param>
    /// <param name="warmUpPasses">Passes before the first window: past the runtime's 30-call tiering threshold by default.</param>
    public static void SteadyStateAllocatesNothing(Action pass, int passesPerWindow = 50, int warmUpPasses = 50)
    {
        for (var i = 0; i < warmUpPasses; i++)
        {
            pass();
        }
        var windows = new List<Window>();
        while (windows.Count < MaxWindows && windows.Count(w => !w.PausedForGc) < CleanWindows)
        {
            var window = Window.Open();
            for (var i = 0; i < passesPerWindow; i++)
            {
                pass();
            }
            windows.Add(window.Close());
            if (windows[^1].PausedForGc)
            {
                passesPerWindow = Math.Max(1, passesPerWindow / 2);
            }
        }
        NothingAllocated(windows);
    }

    /// <summary>
    /// Requires every window that no GC paused to have allocated nothing, and at least one such window.
    /// </summary>
    /// <param name="windows">Closed windows.</param>
    public static void NothingAllocated(IReadOnlyCollection<Window> windows)
    {
        var report = string.Join(", ", windows);
        Assert.True(windows.Any(w => !w.PausedForGc), $"a GC paused every window: {report}");
        Assert.True(windows.All(w => w.PausedForGc || w.Bytes == 0), $"allocated in a window no GC paused: {report}");
    }

    /// <summary>One measured stretch of the calling thread's work.</summary>
    /// <param name="Bytes">Bytes the calling thread allocated (once closed).</param>
    /// <param name="PausedForGc">Whether a GC paused the process meanwhile, which makes <paramref name="Bytes"/> unreliable.</param>
    /// <param name="PauseAtOpen">Total GC pause time when the window opened.</param>
    internal readonly record struct Window(long Bytes, bool PausedForGc, TimeSpan PauseAtOpen)
    {
        /// <summary>Starts measuring.</summary>
        /// <returns>The open window.</returns>
        public static Window Open() => new(GC.GetAllocatedBytesForCurrentThread(), false, GC.GetTotalPauseDuration());

        /// <summary>Stops measuring.</summary>
        /// <returns>The closed window: bytes allocated since <see cref="Open"/>, and whether a GC paused meanwhile.</returns>
        public Window Close() => this with
        {
            Bytes = GC.GetAllocatedBytesForCurrentThread() - Bytes,
            PausedForGc = GC.GetTotalPauseDuration() != PauseAtOpen,
        };

        /// <inheritdoc/>
        public override string ToString() => PausedForGc ? $"{Bytes} B (GC pause)" : $"{Bytes} B";
    }
}
