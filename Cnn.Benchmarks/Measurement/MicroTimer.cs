using System;
using System.Diagnostics;

namespace Cnn.Benchmarks.Measurement;

/// <summary>Times short operations: batches of calls long enough for the clock, the median batch reported.</summary>
internal static class MicroTimer
{
    private const double TargetSampleMicroseconds = 500;

    /// <summary>Median wall-clock time of one call of <paramref name="action"/>, in µs.</summary>
    /// <param name="action">The operation (called once to warm up first).</param>
    /// <param name="samples">Timed batches of calls.</param>
    /// <returns>µs per call.</returns>
    public static double MedianMicroseconds(Action action, int samples) => Median(action, samples, static () => Stopwatch.GetTimestamp() * 1e6 / Stopwatch.Frequency);

    /// <summary>
    /// Median CPU time of one call on this thread, in µs: what a single-threaded kernel costs,
    /// without the time other processes held the core (wall-clock where the clock is unavailable).
    /// </summary>
    /// <param name="action">The single-threaded operation.</param>
    /// <param name="samples">Timed batches of calls.</param>
    /// <returns>µs per call.</returns>
    public static double MedianCpuMicroseconds(Action action, int samples) =>
        ThreadCpuClock.IsAvailable ? Median(action, samples, ThreadCpuClock.NowMicroseconds) : MedianMicroseconds(action, samples);

    private static double Median(Action action, int samples, Func<double> now)
    {
        action();
        var start = now();
        action();
        var once = Math.Max(now() - start, 0.05);
        var calls = (int)Math.Clamp(Math.Ceiling(TargetSampleMicroseconds / once), 1, 10_000);
        var perCall = new double[samples];
        for (var s = 0; s < samples; s++)
        {
            start = now();
            for (var i = 0; i < calls; i++)
            {
                action();
            }
            perCall[s] = (now() - start) / calls;
        }
        return Statistics.Median(perCall);
    }
}
