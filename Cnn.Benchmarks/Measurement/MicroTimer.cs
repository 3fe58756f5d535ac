using System;
using System.Diagnostics;

namespace Cnn.Benchmarks.Measurement;

/// <summary>Times short operations: batches of calls long enough for the clock, the median batch reported.</summary>
internal static class MicroTimer
{
    private const double TargetSampleMicroseconds = 500;

    /// <summary>Median time of one call of <paramref name="action"/>, in µs.</summary>
    /// <param name="action">The operation (called once to warm up first).</param>
    /// <param name="samples">Timed batches of calls.</param>
    /// <returns>µs per call.</returns>
    public static double MedianMicroseconds(Action action, int samples)
    {
        action();
        var clock = Stopwatch.StartNew();
        action();
        var once = Math.Max(clock.Elapsed.TotalMicroseconds, 0.05);
        var calls = (int)Math.Clamp(Math.Ceiling(TargetSampleMicroseconds / once), 1, 10_000);
        var perCall = new double[samples];
        for (var s = 0; s < samples; s++)
        {
            clock.Restart();
            for (var i = 0; i < calls; i++)
            {
                action();
            }
            perCall[s] = clock.Elapsed.TotalMicroseconds / calls;
        }
        return Statistics.Median(perCall);
    }
}
