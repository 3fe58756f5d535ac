using System;
using System.Runtime.InteropServices;

namespace Cnn.Benchmarks.Measurement;

/// <summary>
/// CPU time consumed by the calling thread (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>). On a machine
/// shared by many busy processes, wall-clock time of a single-threaded kernel mostly measures how
/// long the scheduler kept it off the CPU; its thread CPU time does not.
/// </summary>
internal static partial class ThreadCpuClock
{
    private const int ThreadCpuTimeId = 3;

    /// <summary>Whether the clock works here (Linux).</summary>
    public static bool IsAvailable { get; } = OperatingSystem.IsLinux() && TryRead(out _);

    /// <summary>The thread's CPU time so far, µs.</summary>
    /// <returns>Microseconds.</returns>
    public static double NowMicroseconds() =>
        TryRead(out var microseconds) ? microseconds : throw new PlatformNotSupportedException("CLOCK_THREAD_CPUTIME_ID is not available.");

    private static bool TryRead(out double microseconds)
    {
        microseconds = 0;
        try
        {
            if (ClockGetTime(ThreadCpuTimeId, out var time) != 0)
            {
                return false;
            }
            microseconds = (time.Seconds * 1e6) + (time.Nanoseconds / 1e3);
            return true;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clockId, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
