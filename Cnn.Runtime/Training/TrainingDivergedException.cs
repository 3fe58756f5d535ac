using System;

namespace Cnn.Runtime.Training;

/// <summary>
/// A training step produced a NaN or an infinity (loss, gradient or updated parameter). The message
/// gives the epoch and batch, then the inner exception's account naming the first layer at fault.
/// </summary>
public sealed class TrainingDivergedException : ArithmeticException
{
    /// <summary>Wraps the detector's report with the position in the run.</summary>
    /// <param name="epoch">1-based epoch.</param>
    /// <param name="batch">0-based batch in the epoch.</param>
    /// <param name="layer">The first layer at fault.</param>
    /// <param name="inner">What the network or the parameter scan reported.</param>
    public TrainingDivergedException(int epoch, int batch, string layer, Exception inner)
        : base($"Training diverged in epoch {epoch}, batch {batch}, at layer {layer}: {inner?.Message}", inner)
    {
        Epoch = epoch;
        Batch = batch;
        Layer = layer;
    }

    /// <summary>1-based epoch.</summary>
    public int Epoch { get; }

    /// <summary>0-based batch in the epoch.</summary>
    public int Batch { get; }

    /// <summary>The first layer that produced a non-finite value.</summary>
    public string Layer { get; }
}
