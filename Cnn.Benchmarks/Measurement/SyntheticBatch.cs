using System;

namespace Cnn.Benchmarks.Measurement;

/// <summary>Inputs and labels like torch_reference.py's <c>torch.randn</c> and <c>torch.randint(0, 10)</c>: the values do not affect the timing, only their sizes do.</summary>
internal static class SyntheticBatch
{
    /// <summary>Standard normal values (Box–Muller).</summary>
    /// <param name="length">How many.</param>
    /// <param name="random">The source.</param>
    /// <returns>The values.</returns>
    public static float[] Gaussian(int length, Random random)
    {
        var values = new float[length];
        for (var i = 0; i < length; i += 2)
        {
            var radius = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()));
            var angle = 2 * Math.PI * random.NextDouble();
            values[i] = (float)(radius * Math.Cos(angle));
            if (i + 1 < length)
            {
                values[i + 1] = (float)(radius * Math.Sin(angle));
            }
        }
        return values;
    }

    /// <summary>Class labels uniform in [0, classes).</summary>
    /// <param name="length">How many.</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="random">The source.</param>
    /// <returns>The labels.</returns>
    public static int[] Labels(int length, int classes, Random random)
    {
        var labels = new int[length];
        for (var i = 0; i < length; i++)
        {
            labels[i] = random.Next(classes);
        }
        return labels;
    }
}
