using System;

namespace Cnn.Runtime.Optim.Schedules;

/// <summary>
/// Cosine annealing from the base rate down to η_min over <see cref="TMax"/> epochs, then back up
/// (a period of 2·T_max), as torch.optim.lr_scheduler.CosineAnnealingLR in its recursive form:
/// lr_t = η_min + (lr_{t−1} − η_min)·(1 + cos(πt/T)) / (1 + cos(π(t−1)/T)).
/// </summary>
public sealed class CosineAnnealingLR : EpochSchedule
{
    /// <summary>Attaches the schedule to <paramref name="optimizer"/>.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="tMax">Epochs of one half period (&gt; 0).</param>
    /// <param name="etaMin">The lowest learning rate.</param>
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0)
        : base(optimizer)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tMax);
        TMax = tMax;
        EtaMin = etaMin;
        Step();
    }

    /// <summary>Epochs of one half period.</summary>
    public int TMax { get; }

    /// <summary>The lowest learning rate.</summary>
    public double EtaMin { get; }

    /// <inheritdoc/>
    protected override double Next(double current)
    {
        if (Epoch == 0)
        {
            return current;
        }
        // Python's modulo (never negative): the step leaving the trough, where the ratio below is 0/0.
        var period = 2 * TMax;
        if (((Epoch - 1 - TMax) % period + period) % period == 0)
        {
            return current + (BaseLearningRate - EtaMin) * (1 - Math.Cos(Math.PI / TMax)) / 2;
        }
        return (1 + Math.Cos(Math.PI * Epoch / TMax)) / (1 + Math.Cos(Math.PI * (Epoch - 1) / TMax)) * (current - EtaMin) + EtaMin;
    }
}
