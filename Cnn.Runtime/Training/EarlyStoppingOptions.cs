using System;

namespace Cnn.Runtime.Training;

/// <summary>
/// Keras' <c>EarlyStopping</c> on the validation loss (the training loss when there is no
/// validation set): training stops once <see cref="Patience"/> epochs in a row failed to lower the
/// best loss by more than <see cref="MinDelta"/>.
/// </summary>
public sealed record EarlyStoppingOptions
{
    /// <summary>Epochs without improvement tolerated; the next one stops training.</summary>
    public int Patience { get; init; } = 3;

    /// <summary>The decrease that counts as an improvement.</summary>
    public double MinDelta { get; init; }

    /// <summary>At the end of training, put back the weights of the epoch with the best loss.</summary>
    public bool RestoreBestWeights { get; init; } = true;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Patience);
        if (!(MinDelta >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(MinDelta), MinDelta, "The improvement margin must be non-negative.");
        }
    }
}
