namespace Cnn.Runtime.Training;

/// <summary>Early stopping's counters: the best monitored loss, its epoch, and the epochs since.</summary>
internal sealed class EarlyStoppingTracker(EarlyStoppingOptions options)
{
    public EarlyStoppingOptions Options { get; } = options;

    public double Best { get; private set; } = double.PositiveInfinity;

    /// <summary>1-based epoch of <see cref="Best"/>, 0 before any.</summary>
    public int BestEpoch { get; private set; }

    /// <summary>Epochs since the last improvement.</summary>
    public int Wait { get; private set; }

    public bool HasBest => BestEpoch > 0;

    public bool ShouldStop => Wait >= Options.Patience;

    /// <summary>Records an epoch; true when it is the new best (its weights should be kept).</summary>
    public bool Observe(EpochResult result)
    {
        if (result.MonitoredLoss < Best - Options.MinDelta)
        {
            Best = result.MonitoredLoss;
            BestEpoch = result.Epoch;
            Wait = 0;
            return Options.RestoreBestWeights;
        }
        Wait++;
        return false;
    }

    public EarlyStoppingState Save(bool hasBestWeights) => new(Best, BestEpoch, Wait, hasBestWeights);

    public void Load(EarlyStoppingState state)
    {
        Best = state.Best;
        BestEpoch = state.BestEpoch;
        Wait = state.Wait;
    }
}
