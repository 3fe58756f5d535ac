using System.Collections.Generic;

namespace Cnn.Runtime.Optim.Schedules;

/// <summary>
/// Sets an optimizer's <see cref="Optimizer.LearningRate"/> epoch by epoch, as PyTorch's
/// <c>lr_scheduler</c> classes do: the trainer calls <see cref="EpochEnded"/> once after each epoch.
/// </summary>
public interface ILearningRateSchedule
{
    /// <summary>The optimizer whose learning rate this sets.</summary>
    Optimizer Optimizer { get; }

    /// <summary>PyTorch's <c>last_epoch</c>: the number of epochs ended (0 right after construction).</summary>
    int Epoch { get; }

    /// <summary>Ends an epoch and sets the learning rate for the next one.</summary>
    /// <param name="monitoredMetric">The monitored value (validation loss, say); schedules that watch none ignore it.</param>
    void EpochEnded(double monitoredMetric);

    /// <summary>The counters that decide the next rates, for a checkpoint (names are stable).</summary>
    IReadOnlyList<(string Name, double Value)> State { get; }

    /// <summary>Restores counters saved from <see cref="State"/> of a schedule configured the same way.</summary>
    void LoadState(IReadOnlyList<(string Name, double Value)> state);
}
