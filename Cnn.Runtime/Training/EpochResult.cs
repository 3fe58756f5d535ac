using System;
using System.Globalization;
using System.Text;

namespace Cnn.Runtime.Training;

/// <summary>What one epoch gave: Keras' per-epoch logs plus the confusion matrices.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="LearningRate">The learning rate the epoch trained with.</param>
/// <param name="Train">Metrics over the epoch's training batches (in training mode, as Keras reports them).</param>
/// <param name="Validation">Metrics on the validation set after the epoch, or null without one.</param>
/// <param name="Duration">Wall time of the epoch's training and validation (of its last part, for a resumed epoch).</param>
/// <param name="ImagesPerSecond">Training throughput over the epoch.</param>
public sealed record EpochResult(int Epoch, double LearningRate, MetricsSnapshot Train, MetricsSnapshot? Validation, TimeSpan Duration, double ImagesPerSecond)
{
    /// <summary>The loss early stopping and plateau schedules watch: validation loss, else training loss.</summary>
    public double MonitoredLoss => Validation?.Loss ?? Train.Loss;

    /// <summary><c>epoch 3: loss 0.4123, accuracy 85.12%, val_loss 0.4012, val_accuracy 86.00%, lr 0.01 (12.3 s, 1300 img/s)</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"epoch {Epoch}: loss {Train.Loss:0.0000}, accuracy {ConfusionMatrix.Percent(Train.Accuracy)}");
        if (Validation is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $", val_loss {Validation.Loss:0.0000}, val_accuracy {ConfusionMatrix.Percent(Validation.Accuracy)}");
        }
        text.Append(CultureInfo.InvariantCulture, $", lr {LearningRate:G4} ({Duration.TotalSeconds:0.0} s, {ImagesPerSecond:0} img/s)");
        return text.ToString();
    }
}
