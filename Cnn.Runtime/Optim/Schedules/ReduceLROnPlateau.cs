using System;
using System.Collections.Generic;

namespace Cnn.Runtime.Optim.Schedules;

/// <summary>
/// Multiplies the learning rate by <see cref="Factor"/> (not below <see cref="MinLearningRate"/>)
/// once the monitored metric has failed to improve for more than <see cref="Patience"/> epochs,
/// then waits <see cref="Cooldown"/> epochs before counting again, as
/// torch.optim.lr_scheduler.ReduceLROnPlateau.
/// </summary>
public sealed class ReduceLROnPlateau : ILearningRateSchedule
{
    /// <summary>Attaches the schedule to <paramref name="optimizer"/>; the learning rate is left as it is.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="mode">Whether the metric should go down or up.</param>
    /// <param name="factor">The reduction factor, in [0, 1).</param>
    /// <param name="patience">Epochs without improvement tolerated before reducing (≥ 0).</param>
    /// <param name="threshold">The margin that counts as an improvement.</param>
    /// <param name="thresholdMode">Whether <paramref name="threshold"/> is relative or absolute.</param>
    /// <param name="cooldown">Epochs to wait after a reduction before counting bad epochs again (≥ 0).</param>
    /// <param name="minLearningRate">The floor.</param>
    /// <param name="epsilon">Reductions smaller than this are skipped.</param>
    public ReduceLROnPlateau(
        Optimizer optimizer,
        PlateauMode mode = PlateauMode.Min,
        double factor = 0.1,
        int patience = 10,
        double threshold = 1e-4,
        ThresholdMode thresholdMode = ThresholdMode.Relative,
        int cooldown = 0,
        double minLearningRate = 0,
        double epsilon = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (!(factor >= 0 && factor < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The factor must lie in [0, 1).");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        ArgumentOutOfRangeException.ThrowIfNegative(cooldown);
        Optimizer = optimizer;
        Mode = mode;
        Factor = factor;
        Patience = patience;
        Threshold = threshold;
        ThresholdMode = thresholdMode;
        Cooldown = cooldown;
        MinLearningRate = minLearningRate;
        Epsilon = epsilon;
        Best = mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
    }

    /// <inheritdoc/>
    public Optimizer Optimizer { get; }

    /// <summary>Whether the metric should go down or up.</summary>
    public PlateauMode Mode { get; }

    /// <summary>The reduction factor.</summary>
    public double Factor { get; }

    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; }

    /// <summary>The improvement margin.</summary>
    public double Threshold { get; }

    /// <summary>Whether the margin is relative or absolute.</summary>
    public ThresholdMode ThresholdMode { get; }

    /// <summary>Epochs of rest after a reduction.</summary>
    public int Cooldown { get; }

    /// <summary>The floor.</summary>
    public double MinLearningRate { get; }

    /// <summary>The smallest reduction applied.</summary>
    public double Epsilon { get; }

    /// <summary>The best metric so far.</summary>
    public double Best { get; private set; }

    /// <summary>Consecutive epochs without improvement, outside cooldown.</summary>
    public int BadEpochs { get; private set; }

    /// <summary>Epochs of cooldown left.</summary>
    public int CooldownLeft { get; private set; }

    /// <inheritdoc/>
    public int Epoch { get; private set; }

    /// <inheritdoc/>
    public IReadOnlyList<(string Name, double Value)> State =>
        [("last_epoch", Epoch), ("best", Best), ("num_bad_epochs", BadEpochs), ("cooldown_counter", CooldownLeft)];

    /// <summary>Records an epoch's metric and reduces the learning rate if it has plateaued.</summary>
    public void Step(double metric)
    {
        Epoch++;
        if (IsBetter(metric))
        {
            Best = metric;
            BadEpochs = 0;
        }
        else
        {
            BadEpochs++;
        }
        if (CooldownLeft > 0)
        {
            CooldownLeft--;
            BadEpochs = 0;
        }
        if (BadEpochs > Patience)
        {
            var current = Optimizer.LearningRate;
            var reduced = Math.Max(current * Factor, MinLearningRate);
            if (current - reduced > Epsilon)
            {
                Optimizer.LearningRate = reduced;
            }
            CooldownLeft = Cooldown;
            BadEpochs = 0;
        }
    }

    /// <inheritdoc/>
    public void EpochEnded(double monitoredMetric) => Step(monitoredMetric);

    /// <inheritdoc/>
    public void LoadState(IReadOnlyList<(string Name, double Value)> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        string[] names = ["last_epoch", "best", "num_bad_epochs", "cooldown_counter"];
        if (state.Count != names.Length)
        {
            throw new ArgumentException($"ReduceLROnPlateau keeps {string.Join(", ", names)}; the saved state has {state.Count} values.", nameof(state));
        }
        for (var i = 0; i < names.Length; i++)
        {
            if (state[i].Name != names[i] || (i != 1 && (state[i].Value < 0 || state[i].Value != Math.Floor(state[i].Value))))
            {
                throw new ArgumentException($"ReduceLROnPlateau's state entry {i} must be a whole, non-negative '{names[i]}'; got '{state[i].Name}' = {state[i].Value}.", nameof(state));
            }
        }
        Epoch = (int)state[0].Value;
        Best = state[1].Value;
        BadEpochs = (int)state[2].Value;
        CooldownLeft = (int)state[3].Value;
    }

    private bool IsBetter(double metric) => (Mode, ThresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Relative) => metric < Best * (1 - Threshold),
        (PlateauMode.Min, _) => metric < Best - Threshold,
        (_, ThresholdMode.Relative) => metric > Best * (Threshold + 1),
        _ => metric > Best + Threshold,
    };
}
