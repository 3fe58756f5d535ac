using System;

namespace Cnn.Runtime.Training;

/// <summary>
/// The sample-weighted mean of per-batch mean losses over an epoch (a short last batch counts for
/// its size, so the result equals the mean over all samples), accumulated in double.
/// </summary>
public sealed class RunningLoss
{
    private double _sum;

    /// <summary>Samples seen.</summary>
    public long Samples { get; private set; }

    /// <summary>The mean loss per sample so far (NaN before any batch).</summary>
    public double Mean => Samples == 0 ? double.NaN : _sum / Samples;

    /// <summary>The last batch's mean loss (NaN before any batch).</summary>
    public double Last { get; private set; } = double.NaN;

    /// <summary>Adds a batch of <paramref name="samples"/> samples whose mean loss is <paramref name="batchMeanLoss"/>.</summary>
    public void Add(double batchMeanLoss, int samples)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        _sum += batchMeanLoss * samples;
        Samples += samples;
        Last = batchMeanLoss;
    }

    /// <summary>Starts over (a new epoch).</summary>
    public void Reset()
    {
        _sum = 0;
        Samples = 0;
        Last = double.NaN;
    }
}
