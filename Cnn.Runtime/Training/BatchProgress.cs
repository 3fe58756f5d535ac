namespace Cnn.Runtime.Training;

/// <summary>Where an epoch stands after a training step (a value passed by reference: nothing is allocated per step).</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Batch">0-based index of the step's batch in the epoch.</param>
/// <param name="Batches">Batches in the epoch.</param>
/// <param name="SamplesDone">Training samples of the epoch processed so far.</param>
/// <param name="Samples">Training samples in the epoch.</param>
/// <param name="Loss">The step's mean loss.</param>
/// <param name="RunningLoss">Mean loss over the epoch so far.</param>
/// <param name="RunningAccuracy">Accuracy over the epoch so far.</param>
public readonly record struct BatchProgress(int Epoch, int Batch, int Batches, int SamplesDone, int Samples, double Loss, double RunningLoss, double RunningAccuracy);
