using System;
using System.Collections.Generic;
using Cnn.Runtime.Data;

namespace Cnn.Runtime.Training;

/// <summary>How <see cref="Trainer.Fit(Dataset, Dataset?, TrainingOptions, System.Threading.CancellationToken)"/> trains: Keras' <c>fit</c> arguments plus checkpoints.</summary>
public sealed record TrainingOptions
{
    /// <summary>Epochs to train in all, counting those a resumed run already finished.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per training step.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Samples per evaluation pass over the validation set (no gradients, so it can be larger).</summary>
    public int EvaluationBatchSize { get; init; } = 256;

    /// <summary>
    /// Shuffling seed, augmentations and normalization of the training batches. The validation set
    /// gets the same normalization, in order and without augmentation.
    /// </summary>
    public DataLoaderOptions Loader { get; init; } = new();

    /// <summary>Clip the gradients' 2-norm (over every trained tensor) to this before each step, or null.</summary>
    public float? ClipGradientNorm { get; init; }

    /// <summary>Clamp each gradient into [−v, v] before each step, or null.</summary>
    public float? ClipGradientValue { get; init; }

    /// <summary>Stop when the validation loss stops improving, or null to train every epoch.</summary>
    public EarlyStoppingOptions? EarlyStopping { get; init; }

    /// <summary>
    /// Folder for a checkpoint after every epoch (and on cancellation), or null for none. Each is a
    /// subfolder written under a temporary name and renamed; the file <c>latest</c> names the newest.
    /// </summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Checkpoints kept in <see cref="CheckpointDirectory"/>: older ones are deleted (at least 1).</summary>
    public int KeepCheckpoints { get; init; } = 2;

    /// <summary>
    /// Continue from the newest checkpoint of <see cref="CheckpointDirectory"/> when there is one
    /// (weights, optimizer, schedule, early-stopping state, data position and history); a fresh
    /// start otherwise.
    /// </summary>
    public bool Resume { get; init; }

    /// <summary>Observers of the run: a progress display, loggers, anything that wants each batch and epoch.</summary>
    public IReadOnlyList<ITrainingCallback> Callbacks { get; init; } = [];

    /// <summary>Class names for the confusion matrices, or null for the label numbers.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Epochs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(EvaluationBatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(KeepCheckpoints);
        ArgumentNullException.ThrowIfNull(Loader);
        ArgumentNullException.ThrowIfNull(Callbacks);
        if (ClipGradientNorm is { } norm && !(norm > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(ClipGradientNorm), norm, "The largest gradient norm must be positive.");
        }
        if (ClipGradientValue is { } value && !(value > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(ClipGradientValue), value, "The clip value must be positive.");
        }
        if (Resume && CheckpointDirectory is null)
        {
            throw new ArgumentException("Resume needs a CheckpointDirectory to resume from.", nameof(Resume));
        }
        EarlyStopping?.Validate();
    }
}
