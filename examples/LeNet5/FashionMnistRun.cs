using System;
using System.Diagnostics;
using System.Globalization;
using Cnn.Runtime.Data;
using Cnn.Runtime.Optim;
using Cnn.Runtime.Optim.Schedules;
using Cnn.Runtime.Training;

namespace LeNet5Example;

/// <summary>Loads Fashion-MNIST, trains LeNet-5 with a progress bar and reports the test accuracy.</summary>
internal static class FashionMnistRun
{
    /// <summary>Share of each class of the training set held out to validate each epoch (and to stop early on).</summary>
    private const double ValidationFraction = 0.1;

    public static int Run(TrainingSettings settings)
    {
        var clock = Stopwatch.StartNew();
        Console.WriteLine(LeNet5.Summary);
        Console.WriteLine();
        var split = FashionMnist.Load(settings.DataDirectory);
        Console.WriteLine($"Data: {split.Description}");
        var (train, validation) = split.Train.SplitPerClass(ValidationFraction);
        var epochs = settings.EpochsFor(train.Count);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Training on {train.Count:N0} images, validating on {validation.Count:N0}: {epochs} epochs, batch {settings.BatchSize}, lr {settings.LearningRate}, {settings.Workers} workers, seed {settings.Seed}"));

        using var network = new LeNet5(settings.Seed, settings.Workers);
        var optimizer = new SGD(network.Layout, settings.LearningRate, momentum: 0.9, nesterov: true);
        var schedule = new CosineAnnealingLR(optimizer, tMax: epochs);
        var trainer = new Trainer(network, optimizer, schedule);
        var options = new TrainingOptions
        {
            Epochs = epochs,
            BatchSize = settings.BatchSize,
            Loader = new DataLoaderOptions { Seed = (ulong)settings.Seed, Normalization = FashionMnist.Normalization },
            EarlyStopping = new EarlyStoppingOptions { Patience = 3, RestoreBestWeights = true },
            CheckpointDirectory = settings.CheckpointDirectory,
            Resume = settings.Resume,
            ClassNames = FashionMnist.ClassNames,
            Callbacks = [ConsoleProgress.Create()],
        };

        using var cancellation = new ConsoleCancellation(Console.Out);
        var history = trainer.Fit(train, validation, options, cancellation.Token);
        if (history.Cancelled)
        {
            return 130;
        }
        if (settings.SavePath is not null)
        {
            network.Save(settings.SavePath);
            Console.WriteLine($"Weights saved to {settings.SavePath}");
        }

        var test = trainer.Evaluate(split.Test, normalization: FashionMnist.Normalization, classNames: FashionMnist.ClassNames);
        Console.WriteLine();
        Console.WriteLine(test.Confusion);
        Console.WriteLine();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Test accuracy: {test.Accuracy * 100:0.00}% (loss {test.Loss:0.0000}) on {test.Samples:N0} images after {history.Epochs.Count} epochs; wall time {clock.Elapsed.TotalSeconds:0.0} s"));
        return 0;
    }
}
