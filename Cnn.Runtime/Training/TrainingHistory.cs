using System;
using System.Collections.Generic;
using System.Linq;

namespace Cnn.Runtime.Training;

/// <summary>
/// A run's record, as Keras' <c>History</c>: one <see cref="EpochResult"/> per finished epoch (a
/// resumed run includes the epochs before the checkpoint), the per-epoch series by Keras' names
/// through <see cref="Series"/>, and how the run ended.
/// </summary>
public sealed class TrainingHistory
{
    private readonly List<EpochResult> _epochs = [];

    /// <summary>Every finished epoch, in order.</summary>
    public IReadOnlyList<EpochResult> Epochs => _epochs;

    /// <summary>
    /// Keras' <c>history.history</c>: <c>loss</c>, <c>accuracy</c>, <c>lr</c> and, with a validation
    /// set, <c>val_loss</c> and <c>val_accuracy</c>, each one value per epoch.
    /// </summary>
    public IReadOnlyDictionary<string, double[]> Series
    {
        get
        {
            var series = new Dictionary<string, double[]>(StringComparer.Ordinal)
            {
                ["loss"] = _epochs.Select(e => e.Train.Loss).ToArray(),
                ["accuracy"] = _epochs.Select(e => e.Train.Accuracy).ToArray(),
                ["lr"] = _epochs.Select(e => e.LearningRate).ToArray(),
            };
            if (_epochs.Count > 0 && _epochs.All(e => e.Validation is not null))
            {
                series["val_loss"] = _epochs.Select(e => e.Validation!.Loss).ToArray();
                series["val_accuracy"] = _epochs.Select(e => e.Validation!.Accuracy).ToArray();
            }
            return series;
        }
    }

    /// <summary>The last finished epoch, or null.</summary>
    public EpochResult? Last => _epochs.Count == 0 ? null : _epochs[^1];

    /// <summary>The epoch with the lowest monitored loss (validation loss, else training loss), or null.</summary>
    public EpochResult? Best => _epochs.Count == 0 ? null : _epochs.MinBy(e => e.MonitoredLoss);

    /// <summary>Early stopping ended the run before the last epoch.</summary>
    public bool StoppedEarly { get; internal set; }

    /// <summary>The weights were put back to those of this epoch (early stopping's restore), or null.</summary>
    public int? RestoredEpoch { get; internal set; }

    /// <summary>Cancellation stopped the run; the position is in <see cref="CheckpointPath"/> when checkpoints are on.</summary>
    public bool Cancelled { get; internal set; }

    /// <summary>The run continued from this checkpoint, or null for a fresh start.</summary>
    public string? ResumedFrom { get; internal set; }

    /// <summary>The last checkpoint written, or null.</summary>
    public string? CheckpointPath { get; internal set; }

    internal void Add(EpochResult result) => _epochs.Add(result);
}
