using System.Globalization;
using System.IO;
using System.Linq;
using Cnn.Runtime.Data;

namespace Cnn.Runtime.Training;

public sealed partial class Trainer
{
    /// <summary>The newest complete checkpoint folder under <paramref name="directory"/>, or null.</summary>
    /// <param name="directory">A <see cref="TrainingOptions.CheckpointDirectory"/>.</param>
    public static string? LatestCheckpoint(string directory) => CheckpointStore.Latest(directory, TrainingCheckpoint.StateFile);

    /// <summary>
    /// Loads only the weights of a checkpoint folder (or of the newest one under a checkpoint
    /// directory) into the network, for inference or fine-tuning.
    /// </summary>
    /// <param name="path">A checkpoint folder, or a folder of them.</param>
    public void LoadCheckpointWeights(string path)
    {
        var folder = File.Exists(Path.Combine(path, TrainingCheckpoint.StateFile)) ? path : LatestCheckpoint(path)
            ?? throw new DirectoryNotFoundException($"No checkpoint under {path}.");
        Network.Load(Path.Combine(folder, TrainingCheckpoint.ModelFile));
    }

    private TrainingHistory Cancel(TrainingHistory history, TrainingOptions options, DataLoader loader, RunState run, EarlyStoppingTracker? early)
    {
        history.Cancelled = true;
        if (options.CheckpointDirectory is not null)
        {
            history.CheckpointPath = SaveCheckpoint(options, loader, history, early, run, TrainingCheckpoint.Record(_trainMetrics!));
        }
        foreach (var callback in options.Callbacks)
        {
            callback.TrainingEnded(history);
        }
        return history;
    }

    /// <summary>Commits a checkpoint of the run's position and prunes this run's older ones.</summary>
    private string SaveCheckpoint(TrainingOptions options, DataLoader loader, TrainingHistory history, EarlyStoppingTracker? early, RunState run, MetricsRecord? partial)
    {
        var name = partial is null
            ? string.Create(CultureInfo.InvariantCulture, $"epoch-{run.EpochsCompleted:D4}")
            : string.Create(CultureInfo.InvariantCulture, $"epoch-{run.EpochsCompleted:D4}-batch-{run.BatchesDone:D6}");
        var hasBestWeights = early is { Options.RestoreBestWeights: true, HasBest: true } && _bestParameters.Length > 0;
        var state = new CheckpointState
        {
            EpochsCompleted = run.EpochsCompleted,
            BatchesDone = run.BatchesDone,
            TrainingSteps = Network.TrainingSteps,
            Workers = Network.Workers,
            BatchSize = loader.BatchSize,
            TrainSamples = loader.Dataset.Count,
            LoaderSeed = loader.Options.Seed,
            Optimizer = Optimizer.GetType().Name,
            Schedule = Schedule?.State.Select(s => new NamedValue(s.Name, s.Value)).ToList() ?? [],
            EarlyStopping = early?.Save(hasBestWeights),
            PartialEpoch = partial,
            History = history.Epochs.Select(TrainingCheckpoint.Record).ToList(),
        };
        var folder = CheckpointStore.Commit(options.CheckpointDirectory!, name, directory =>
        {
            Network.Save(Path.Combine(directory, TrainingCheckpoint.ModelFile));
            TrainingCheckpoint.WriteOptimizer(Path.Combine(directory, TrainingCheckpoint.OptimizerFile), Optimizer);
            if (hasBestWeights)
            {
                TrainingCheckpoint.SaveWeights(Path.Combine(directory, TrainingCheckpoint.BestModelFile), Network, _bestParameters, _bestBuffers, _bestCounters);
            }
            TrainingCheckpoint.WriteState(Path.Combine(directory, TrainingCheckpoint.StateFile), state);
        });
        if (!run.Checkpoints.Contains(folder))
        {
            run.Checkpoints.Enqueue(folder);
        }
        while (run.Checkpoints.Count > options.KeepCheckpoints)
        {
            CheckpointStore.Delete(run.Checkpoints.Dequeue());
        }
        return folder;
    }

    /// <summary>Puts the network, optimizer, schedule, early stopping, data position and history back as the checkpoint has them.</summary>
    private void Restore(string folder, DataLoader loader, TrainingOptions options, TrainingHistory history, EarlyStoppingTracker? early, RunState run)
    {
        var state = TrainingCheckpoint.ReadState(Path.Combine(folder, TrainingCheckpoint.StateFile));
        if (state.BatchSize != loader.BatchSize || state.TrainSamples != loader.Dataset.Count || state.LoaderSeed != loader.Options.Seed)
        {
            throw new InvalidDataException(
                $"{folder} was written by a run over {state.TrainSamples} samples in batches of {state.BatchSize} with loader seed {state.LoaderSeed}; " +
                $"this run has {loader.Dataset.Count} samples, batches of {loader.BatchSize} and seed {loader.Options.Seed}, so its data position would not carry over.");
        }
        if (state.BatchesDone > loader.BatchCount)
        {
            throw new InvalidDataException($"{folder} is {state.BatchesDone} batches into an epoch of {loader.BatchCount}.");
        }
        Network.Load(Path.Combine(folder, TrainingCheckpoint.ModelFile));
        Network.TrainingSteps = state.TrainingSteps;
        TrainingCheckpoint.ReadOptimizer(Path.Combine(folder, TrainingCheckpoint.OptimizerFile), Optimizer);
        if (Schedule is not null)
        {
            Schedule.LoadState(state.Schedule.Select(s => (s.Name, s.Value)).ToArray());
        }
        if (early is not null && state.EarlyStopping is { } earlyState)
        {
            early.Load(earlyState);
            if (earlyState.HasBestWeights)
            {
                var current = (Network.Parameters.ToArray(), Network.Buffers.ToArray(), Network.BatchesTracked.ToArray());
                Network.Load(Path.Combine(folder, TrainingCheckpoint.BestModelFile));
                CopyWeights(out _bestParameters, out _bestBuffers, out _bestCounters);
                RestoreWeights(current.Item1, current.Item2, current.Item3);
            }
        }
        foreach (var record in state.History)
        {
            history.Add(TrainingCheckpoint.Restore(record, run.Classes, run.ClassNames));
        }
        if (state.PartialEpoch is { } partial)
        {
            TrainingCheckpoint.Restore(partial, _trainMetrics!);
        }
        run.EpochsCompleted = state.EpochsCompleted;
        run.BatchesDone = state.BatchesDone;
        run.Checkpoints.Enqueue(folder);
        history.ResumedFrom = folder;
    }
}
