using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using Cnn.Runtime.Data;
using Cnn.Runtime.Optim;
using Cnn.Runtime.Optim.Schedules;
using Cnn.Runtime.Training;

namespace Cnn.Dsl.Tests.Training;

public sealed class TrainerResumeTests
{
    private const int Workers = 2;
    private static readonly Dataset Train = SyntheticData.Bands(100, seed: 1);
    private static readonly Dataset Validation = SyntheticData.Bands(30, seed: 2);

    private static TrainingOptions Options(string directory, int epochs, bool resume = false) => new()
    {
        Epochs = epochs,
        BatchSize = 16,
        Loader = new DataLoaderOptions { Seed = 5 },
        CheckpointDirectory = directory,
        Resume = resume,
    };

    /// <summary>A fresh network, Adam and a step schedule: every piece of state a resume must restore.</summary>
    private static (TinyClassifier Network, Trainer Trainer) Create()
    {
        var network = new TinyClassifier(seed: 9, workers: Workers);
        var optimizer = new Adam(network.Layout, 0.01);
        return (network, new Trainer(network, optimizer, new StepLR(optimizer, stepSize: 1, gamma: 0.7)));
    }

    private static void AssertSameState(TinyClassifier expected, TinyClassifier actual)
    {
        Assert.Equal(expected.Parameters.ToArray(), actual.Parameters.ToArray());
        Assert.Equal(expected.Buffers.ToArray(), actual.Buffers.ToArray());
        Assert.Equal(expected.BatchesTracked.ToArray(), actual.BatchesTracked.ToArray());
        Assert.Equal(expected.TrainingSteps, actual.TrainingSteps);
    }

    [Fact]
    public void One_epoch_then_resuming_two_more_gives_the_weights_of_three_straight_epochs()
    {
        using var folder = new TempFolder();
        var (straight, straightTrainer) = Create();
        var straightHistory = straightTrainer.Fit(Train, Validation, Options(folder.Sub("straight"), 3));

        var (first, firstTrainer) = Create();
        firstTrainer.Fit(Train, Validation, Options(folder.Sub("split"), 1));
        first.Dispose();
        var (resumed, resumedTrainer) = Create();
        var history = resumedTrainer.Fit(Train, Validation, Options(folder.Sub("split"), 3, resume: true));

        AssertSameState(straight, resumed);
        Assert.EndsWith("epoch-0001", history.ResumedFrom, StringComparison.Ordinal);
        Assert.Equal(3, history.Epochs.Count);
        Assert.Equal(straightHistory.Series["lr"], history.Series["lr"]);
        Assert.Equal(straightHistory.Series["val_loss"][1..], history.Series["val_loss"][1..]);
        Assert.Equal(straightHistory.Epochs[0].Train.Loss, history.Epochs[0].Train.Loss, 12);
        straight.Dispose();
        resumed.Dispose();
    }

    [Fact]
    public void Cancelling_mid_epoch_saves_a_checkpoint_that_resumes_bit_for_bit()
    {
        using var folder = new TempFolder();
        var (straight, straightTrainer) = Create();
        straightTrainer.Fit(Train, Validation, Options(folder.Sub("straight"), 3));

        using var cancellation = new CancellationTokenSource();
        var stopper = new CallbackProbe { OnBatch = p => { if (p.Epoch == 2 && p.Batch == 3) cancellation.Cancel(); } };
        var (interrupted, interruptedTrainer) = Create();
        var cancelled = interruptedTrainer.Fit(Train, Validation, Options(folder.Sub("split"), 3) with { Callbacks = [stopper] }, cancellation.Token);

        Assert.True(cancelled.Cancelled);
        Assert.Single(cancelled.Epochs);
        Assert.EndsWith("epoch-0001-batch-000004", cancelled.CheckpointPath, StringComparison.Ordinal);
        Assert.Equal(cancelled.CheckpointPath, Trainer.LatestCheckpoint(folder.Sub("split")));
        interrupted.Dispose();

        var probe = new CallbackProbe();
        var (resumed, resumedTrainer) = Create();
        var history = resumedTrainer.Fit(Train, Validation, Options(folder.Sub("split"), 3, resume: true) with { Callbacks = [probe] });

        Assert.Equal([2, 3], probe.StartedEpochs);
        Assert.Equal([4, 0], probe.FirstBatches);
        Assert.Equal(100, history.Epochs[1].Train.Samples);
        AssertSameState(straight, resumed);
        straight.Dispose();
        resumed.Dispose();
    }

    [Fact]
    public void Early_stopping_ends_after_patience_epochs_without_improvement_and_restores_the_best_weights()
    {
        // Validation labels are noise: the validation loss gets worse as the network learns the training set.
        var validation = SyntheticData.Shuffled(SyntheticData.Bands(60, seed: 3), seed: 4);
        using var network = new TinyClassifier(seed: 9);
        var trainer = new Trainer(network, new SGD(network.Layout, 0.1, momentum: 0.9));
        var snapshots = new List<float[]>();
        var probe = new CallbackProbe { OnEpoch = _ => snapshots.Add(network.Parameters.ToArray()) };
        var options = new TrainingOptions
        {
            Epochs = 40,
            BatchSize = 16,
            EarlyStopping = new EarlyStoppingOptions { Patience = 2 },
            Callbacks = [probe],
        };

        var history = trainer.Fit(Train, validation, options);

        Assert.True(history.StoppedEarly);
        var best = history.Best!.Epoch;
        Assert.Equal(best + 2, history.Epochs.Count);
        Assert.Equal(best, history.RestoredEpoch);
        Assert.Equal(snapshots[best - 1], network.Parameters.ToArray());
    }

    [Fact]
    public void A_failed_checkpoint_leaves_the_previous_one_to_resume_from()
    {
        using var folder = new TempFolder();
        var directory = folder.Sub("checkpoints");
        Directory.CreateDirectory(directory);
        // A file where the second checkpoint's folder must go: its commit fails at the rename.
        File.WriteAllText(Path.Combine(directory, "epoch-0002"), "in the way");
        var (network, trainer) = Create();
        float[]? afterFirstEpoch = null;
        var probe = new CallbackProbe { OnEpoch = r => afterFirstEpoch ??= network.Parameters.ToArray() };

        Assert.ThrowsAny<IOException>(() => trainer.Fit(Train, Validation, Options(directory, 3) with { Callbacks = [probe] }));

        var latest = Trainer.LatestCheckpoint(directory);
        Assert.EndsWith("epoch-0001", latest, StringComparison.Ordinal);
        Assert.Empty(Directory.GetDirectories(directory, ".*"));
        var (reloaded, reloadedTrainer) = Create();
        reloadedTrainer.LoadCheckpointWeights(directory);
        Assert.Equal(afterFirstEpoch, reloaded.Parameters.ToArray());
        network.Dispose();
        reloaded.Dispose();
    }
}
