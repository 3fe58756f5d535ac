using System;
using System.Diagnostics;
using Cnn.Benchmarks.Measurement;

namespace Cnn.Benchmarks.Kernels;

/// <summary>Times single-threaded kernel calls by the calling thread's CPU time (wall clock where that clock is missing).</summary>
internal static class KernelTimer
{
    /// <summary>Median µs of one call over <paramref name="samples"/> calls.</summary>
    /// <param name="samples">Timed calls.</param>
    /// <param name="call">The call.</param>
    /// <returns>Microseconds.</returns>
    public static double Median(int samples, Action call)
    {
        var times = new double[samples];
        for (var i = 0; i < samples; i++)
        {
            var start = Now();
            call();
            times[i] = Now() - start;
        }
        return Statistics.Median(times);
    }

    private static double Now() => ThreadCpuClock.IsAvailable ? ThreadCpuClock.NowMicroseconds() : Stopwatch.GetTimestamp() * 1e6 / Stopwatch.Frequency;
}
