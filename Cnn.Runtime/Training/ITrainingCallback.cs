namespace Cnn.Runtime.Training;

/// <summary>
/// Observes a run (progress display, logging). Every method has an empty default, so an observer
/// implements only what it needs. Called on the training thread; <see cref="BatchEnded"/> runs
/// once per step, so it must be cheap and should not allocate.
/// </summary>
public interface ITrainingCallback
{
    /// <summary>An epoch starts (or resumes at <paramref name="firstBatch"/>).</summary>
    /// <param name="epoch">1-based epoch number.</param>
    /// <param name="epochs">Epochs of the whole run.</param>
    /// <param name="batches">Batches in the epoch.</param>
    /// <param name="samples">Training samples in the epoch.</param>
    /// <param name="firstBatch">The first batch this run trains (non-zero when resuming mid-epoch).</param>
    void EpochStarted(int epoch, int epochs, int batches, int samples, int firstBatch)
    {
    }

    /// <summary>A training step finished.</summary>
    /// <param name="progress">Where the epoch stands.</param>
    void BatchEnded(in BatchProgress progress)
    {
    }

    /// <summary>The validation pass of an epoch starts.</summary>
    /// <param name="epoch">1-based epoch number.</param>
    /// <param name="samples">Validation samples.</param>
    void ValidationStarted(int epoch, int samples)
    {
    }

    /// <summary>An epoch finished, validation included.</summary>
    /// <param name="result">Its metrics.</param>
    void EpochEnded(EpochResult result)
    {
    }

    /// <summary>The run ended (all epochs, early stop or cancellation).</summary>
    /// <param name="history">The whole record.</param>
    void TrainingEnded(TrainingHistory history)
    {
    }
}
