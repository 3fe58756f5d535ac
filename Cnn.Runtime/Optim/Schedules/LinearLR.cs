using System;

namespace Cnn.Runtime.Optim.Schedules;

/// <summary>
/// Linear warmup (or decay): scales the learning rate from <see cref="StartFactor"/>·lr to
/// <see cref="EndFactor"/>·lr over <see cref="TotalIterations"/> epochs, then holds it, as
/// torch.optim.lr_scheduler.LinearLR. Chain it before another schedule with <see cref="ChainedSchedule"/>.
/// </summary>
public sealed class LinearLR : EpochSchedule
{
    /// <summary>Attaches the schedule to <paramref name="optimizer"/>.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="startFactor">The factor at epoch 0, in (0, 1].</param>
    /// <param name="endFactor">The factor from <paramref name="totalIterations"/> on, in [0, 1].</param>
    /// <param name="totalIterations">Epochs to go from one to the other (&gt; 0).</param>
    public LinearLR(Optimizer optimizer, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIterations = 5)
        : base(optimizer)
    {
        if (!(startFactor > 0 && startFactor <= 1) || !(endFactor >= 0 && endFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(startFactor), $"The start factor ({startFactor}) must lie in (0, 1] and the end factor ({endFactor}) in [0, 1].");
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalIterations);
        StartFactor = startFactor;
        EndFactor = endFactor;
        TotalIterations = totalIterations;
        Step();
    }

    /// <summary>The factor at epoch 0.</summary>
    public double StartFactor { get; }

    /// <summary>The factor once warmed up.</summary>
    public double EndFactor { get; }

    /// <summary>Epochs of the ramp.</summary>
    public int TotalIterations { get; }

    /// <inheritdoc/>
    protected override double Next(double current)
    {
        if (Epoch == 0)
        {
            return current * StartFactor;
        }
        if (Epoch > TotalIterations)
        {
            return current;
        }
        return current * (1 + (EndFactor - StartFactor) / (TotalIterations * StartFactor + (Epoch - 1) * (EndFactor - StartFactor)));
    }
}
