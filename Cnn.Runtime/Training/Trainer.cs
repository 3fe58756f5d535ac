using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using Cnn.Runtime.Data;
using Cnn.Runtime.Network;
using Cnn.Runtime.Optim;
using Cnn.Runtime.Optim.Schedules;

namespace Cnn.Runtime.Training;

/// <summary>
/// Trains a generated classifier with softmax cross-entropy, as Keras' <c>fit</c>: epochs of
/// shuffled batches, an optimizer step per batch, an optional schedule stepped per epoch (a
/// <see cref="ReduceLROnPlateau"/> is fed the validation loss), validation metrics, early stopping,
/// a checkpoint per epoch and resumption from one. A run depends only on the network's seed and
/// worker count, the loader seed and the options: a resumed run ends with the same weights, bit for
/// bit, as one never interrupted.
/// </summary>
/// <remarks>
/// <para>Layers frozen on the network (<see cref="NetworkBase.Freeze"/>) stay fixed; a callback may
/// freeze or unfreeze between batches or epochs (fine-tuning in stages), effective at the next step.</para>
/// <para>After the first batch the loop allocates nothing per step: batches are filled into one buffer,
/// the network and optimizer work in their arenas, metrics count in place.</para>
/// </remarks>
public sealed partial class Trainer
{
    private Metrics? _trainMetrics;
    private Metrics? _evaluationMetrics;
    private float[] _bestParameters = [];
    private float[] _bestBuffers = [];
    private long[] _bestCounters = [];

    /// <summary>A trainer for <paramref name="network"/> with <paramref name="optimizer"/> and an optional per-epoch schedule of it.</summary>
    /// <param name="network">The network; its weights are trained in place.</param>
    /// <param name="optimizer">An optimizer built over <paramref name="network"/>'s <see cref="NetworkBase.Layout"/>, so it follows the network's freezing.</param>
    /// <param name="schedule">A learning-rate schedule attached to <paramref name="optimizer"/>, or null.</param>
    public Trainer(NetworkBase network, Optimizer optimizer, ILearningRateSchedule? schedule = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (schedule is not null && !ReferenceEquals(schedule.Optimizer, optimizer))
        {
            throw new ArgumentException("The schedule is attached to another optimizer.", nameof(schedule));
        }
        if (!ReferenceEquals(optimizer.Layout, network.Layout))
        {
            throw new ArgumentException("The optimizer must be built over this network's Layout (new SGD(network.Layout, …)): that is how it skips the layers the network freezes.", nameof(optimizer));
        }
        Network = network;
        Optimizer = optimizer;
        Schedule = schedule;
    }

    /// <summary>The network trained.</summary>
    public NetworkBase Network { get; }

    /// <summary>The optimizer.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The schedule, or null.</summary>
    public ILearningRateSchedule? Schedule { get; }

    /// <summary>
    /// Holds out <paramref name="validationFraction"/> of each class of <paramref name="train"/>
    /// (the last samples of each class, as Keras' <c>validation_split</c> takes the last ones) and
    /// trains on the rest; see <see cref="Fit(Dataset, Dataset?, TrainingOptions, CancellationToken)"/>.
    /// </summary>
    public TrainingHistory Fit(Dataset train, double validationFraction, TrainingOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (!(validationFraction > 0 && validationFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be in (0, 1).");
        }
        var (rest, validation) = train.SplitPerClass(validationFraction);
        return Fit(rest, validation, options, cancellation);
    }

    /// <summary>
    /// Trains for <see cref="TrainingOptions.Epochs"/> epochs (fewer if early stopping ends the run),
    /// evaluating on <paramref name="validation"/> after each. Cancelling <paramref name="cancellation"/>
    /// stops after the current batch and, with checkpoints on, saves the position so that a run with
    /// <see cref="TrainingOptions.Resume"/> continues from it.
    /// </summary>
    /// <param name="train">Training samples.</param>
    /// <param name="validation">Validation samples, or null.</param>
    /// <param name="options">Epochs, batch size, data, clipping, early stopping, checkpoints, callbacks.</param>
    /// <param name="cancellation">Stops the run between batches.</param>
    /// <returns>The per-epoch record; a resumed run's includes the epochs before the checkpoint.</returns>
    /// <exception cref="TrainingDivergedException">A loss, gradient or parameter became NaN or infinite.</exception>
    public TrainingHistory Fit(Dataset train, Dataset? validation, TrainingOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        try
        {
            return Run(train, validation, options, cancellation);
        }
        catch (Exception error)
        {
            foreach (var callback in options.Callbacks)
            {
                callback.TrainingFailed(error);
            }
            throw;
        }
    }

    private TrainingHistory Run(Dataset train, Dataset? validation, TrainingOptions options, CancellationToken cancellation)
    {
        CheckDataset(train, nameof(train));
        if (validation is not null)
        {
            CheckDataset(validation, nameof(validation));
        }
        var classes = Network.OutputShape.Elements;
        var loader = new DataLoader(train, options.BatchSize, options.Loader);
        var validationLoader = validation is null ? null : EvaluationLoader(validation, options.EvaluationBatchSize, options.Loader.Normalization);
        var run = new RunState(classes, options.ClassNames);
        _trainMetrics = new Metrics(classes, options.ClassNames);
        var history = new TrainingHistory();
        var early = options.EarlyStopping is null ? null : new EarlyStoppingTracker(options.EarlyStopping);
        if (options.Resume && LatestCheckpoint(options.CheckpointDirectory!) is { } checkpoint)
        {
            Restore(checkpoint, loader, options, history, early, run);
            history.StoppedEarly = early?.ShouldStop == true;
        }
        var batch = loader.CreateBatch();
        var stopwatch = new Stopwatch();
        while (run.EpochsCompleted < options.Epochs && !history.StoppedEarly)
        {
            var epoch = run.EpochsCompleted + 1;
            if (run.BatchesDone == 0)
            {
                _trainMetrics.Reset();
            }
            var learningRate = Optimizer.LearningRate;
            foreach (var callback in options.Callbacks)
            {
                callback.EpochStarted(epoch, options.Epochs, loader.BatchCount, train.Count, run.BatchesDone);
            }
            stopwatch.Restart();
            var trainedSamples = 0;
            while (run.BatchesDone < loader.BatchCount)
            {
                if (cancellation.IsCancellationRequested)
                {
                    return Cancel(history, options, loader, run, early);
                }
                loader.Fill(epoch - 1, run.BatchesDone, batch);
                var loss = Step(batch, epoch, run.BatchesDone, options);
                trainedSamples += batch.Count;
                run.BatchesDone++;
                var progress = new BatchProgress(
                    epoch,
                    run.BatchesDone - 1,
                    loader.BatchCount,
                    (int)_trainMetrics.Loss.Samples,
                    train.Count,
                    loss,
                    _trainMetrics.Loss.Mean,
                    _trainMetrics.Accuracy);
                // Indexed, not foreach: an interface enumerator would allocate every step.
                for (var c = 0; c < options.Callbacks.Count; c++)
                {
                    options.Callbacks[c].BatchEnded(progress);
                }
            }
            if (cancellation.IsCancellationRequested)
            {
                return Cancel(history, options, loader, run, early);
            }
            var trainingTime = stopwatch.Elapsed;
            MetricsSnapshot? validationMetrics = null;
            if (validationLoader is not null)
            {
                foreach (var callback in options.Callbacks)
                {
                    callback.ValidationStarted(epoch, validationLoader.Dataset.Count);
                }
                validationMetrics = new MetricsSnapshot(Evaluate(validationLoader));
            }
            var result = new EpochResult(
                epoch,
                learningRate,
                new MetricsSnapshot(_trainMetrics),
                validationMetrics,
                stopwatch.Elapsed,
                trainingTime > TimeSpan.Zero ? trainedSamples / trainingTime.TotalSeconds : 0);
            history.Add(result);
            run.EpochsCompleted = epoch;
            run.BatchesDone = 0;
            Schedule?.EpochEnded(result.MonitoredLoss);
            if (early is not null && early.Observe(result))
            {
                CopyWeights(out _bestParameters, out _bestBuffers, out _bestCounters);
            }
            history.StoppedEarly = early?.ShouldStop == true && epoch < options.Epochs;
            if (options.CheckpointDirectory is not null)
            {
                history.CheckpointPath = SaveCheckpoint(options, loader, history, early, run, partial: null);
            }
            foreach (var callback in options.Callbacks)
            {
                callback.EpochEnded(result);
            }
        }
        if (early is { Options.RestoreBestWeights: true, HasBest: true } && early.BestEpoch != run.EpochsCompleted)
        {
            RestoreWeights(_bestParameters, _bestBuffers, _bestCounters);
            history.RestoredEpoch = early.BestEpoch;
        }
        foreach (var callback in options.Callbacks)
        {
            callback.TrainingEnded(history);
        }
        return history;
    }

    /// <summary>
    /// One training step on <paramref name="batch"/>: forward, metrics, loss, backward, clipping, update.
    /// A NaN or infinity is caught where it appears, naming the first layer at fault: the loss (the
    /// first layer, in forward order, whose output is not finite), the gradients (the first layer in
    /// backward order) or the update (the first tensor the optimizer made non-finite).
    /// </summary>
    private double Step(Batch batch, int epoch, int batchIndex, TrainingOptions options)
    {
        var layout = Network.Layout;
        float loss;
        try
        {
            var logits = Network.Forward(batch.Images, batch.Count, training: true);
            _trainMetrics!.Confusion.AddBatch(logits, batch.Labels);
            loss = Network.Loss(batch.Labels);
            Network.Backward();
        }
        catch (NonFiniteValueException e)
        {
            throw new TrainingDivergedException(epoch, batchIndex, e.Layer, e);
        }
        _trainMetrics.Loss.Add(loss, batch.Count);
        if (options.ClipGradientValue is { } value)
        {
            GradientClipping.ClipByValue(Network.Gradients, layout, value);
        }
        if (options.ClipGradientNorm is { } norm)
        {
            GradientClipping.ClipByNorm(Network.Gradients, layout, norm);
        }
        try
        {
            // The update kernels check the new parameters as they write them: with the gradient
            // check in Backward and the loss check in Loss, one pass over memory per step.
            Network.Step(Optimizer);
        }
        catch (NonFiniteException e)
        {
            throw new TrainingDivergedException(epoch, batchIndex, e.Layer, e);
        }
        return loss;
    }

    private void CheckDataset(Dataset data, string name)
    {
        if (data.SampleShape != Network.InputShape)
        {
            throw new ArgumentException($"The samples are {data.SampleShape}; the network takes {Network.InputShape}.", name);
        }
        if (data.ClassCount > Network.OutputShape.Elements)
        {
            throw new ArgumentException($"The data has {data.ClassCount} classes; the network outputs {Network.OutputShape.Elements} values per sample.", name);
        }
        if (data.Count == 0)
        {
            throw new ArgumentException("The dataset is empty.", name);
        }
    }

    private void CopyWeights(out float[] parameters, out float[] buffers, out long[] counters)
    {
        parameters = Network.Parameters.ToArray();
        buffers = Network.Buffers.ToArray();
        counters = Network.BatchesTracked.ToArray();
    }

    private void RestoreWeights(float[] parameters, float[] buffers, long[] counters)
    {
        parameters.CopyTo(Network.Parameters);
        buffers.CopyTo(Network.Buffers);
        counters.CopyTo(Network.BatchesTracked);
    }

    /// <summary>Where a run stands: the position in the data, and the metrics' class naming for restored history.</summary>
    private sealed class RunState(int classes, IReadOnlyList<string>? classNames)
    {
        public int Classes { get; } = classes;

        public IReadOnlyList<string>? ClassNames { get; } = classNames;

        public int EpochsCompleted { get; set; }

        public int BatchesDone { get; set; }

        /// <summary>Checkpoint folders this run wrote (or resumed from), oldest first, for pruning.</summary>
        public Queue<string> Checkpoints { get; } = new();
    }
}
