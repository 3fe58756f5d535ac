using System;
using System.Collections.Generic;

namespace Cnn.Runtime.Optim.Schedules;

/// <summary>
/// A schedule computing each epoch's learning rate from the last one (PyTorch's chainable
/// <c>get_lr</c> forms, so schedules compose by <see cref="ChainedSchedule"/>). Attaching it records
/// the optimizer's <see cref="Optimizer.InitialLearningRate"/> and takes PyTorch's initial step to epoch 0.
/// </summary>
public abstract class EpochSchedule : ILearningRateSchedule
{
    /// <summary>Attaches the schedule; derived constructors call <see cref="Step"/> once their settings are in place.</summary>
    protected EpochSchedule(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        optimizer.InitialLearningRate ??= optimizer.LearningRate;
        BaseLearningRate = optimizer.InitialLearningRate.Value;
    }

    /// <inheritdoc/>
    public Optimizer Optimizer { get; }

    /// <summary>PyTorch's <c>base_lr</c>: the optimizer's initial learning rate.</summary>
    public double BaseLearningRate { get; }

    /// <inheritdoc/>
    public int Epoch { get; private set; } = -1;

    /// <inheritdoc/>
    public IReadOnlyList<(string Name, double Value)> State => [("last_epoch", Epoch)];

    /// <summary>Advances one epoch and sets the optimizer's learning rate for it.</summary>
    public void Step()
    {
        Epoch++;
        Optimizer.LearningRate = Next(Optimizer.LearningRate);
    }

    /// <inheritdoc/>
    public void EpochEnded(double monitoredMetric) => Step();

    /// <inheritdoc/>
    public void LoadState(IReadOnlyList<(string Name, double Value)> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Count != 1 || state[0].Name != "last_epoch" || state[0].Value < 0 || state[0].Value != Math.Floor(state[0].Value))
        {
            throw new ArgumentException("An epoch schedule's state is one whole, non-negative 'last_epoch'.", nameof(state));
        }
        Epoch = (int)state[0].Value;
    }

    /// <summary>The learning rate for <see cref="Epoch"/> (already advanced), from the rate in force.</summary>
    protected abstract double Next(double current);
}
