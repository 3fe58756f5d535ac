using System;

namespace Cnn.Runtime.Optim.Schedules;

/// <summary>Multiplies the learning rate by γ every <see cref="StepSize"/> epochs, as torch.optim.lr_scheduler.StepLR.</summary>
public sealed class StepLR : EpochSchedule
{
    /// <summary>Attaches the schedule to <paramref name="optimizer"/>.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="stepSize">Epochs between decays (&gt; 0).</param>
    /// <param name="gamma">The decay factor; PyTorch's default is 0.1.</param>
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1)
        : base(optimizer)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
        StepSize = stepSize;
        Gamma = gamma;
        Step();
    }

    /// <summary>Epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>The decay factor.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected override double Next(double current) =>
        Epoch == 0 || Epoch % StepSize != 0 ? current : current * Gamma;
}
