using System;
using System.Globalization;
using System.IO;
using System.Threading;
using Cnn.Runtime.Data;
using Cnn.Runtime.Data.Augmentations;
using Cnn.Runtime.Network;
using Cnn.Runtime.Optim;
using Cnn.Runtime.Optim.Schedules;
using Cnn.Runtime.Training;

namespace CifarExample;

/// <summary>Trains the chosen network on CIFAR-10 with the standard augmentation and measures it on the test batch.</summary>
public static class CifarTraining
{
    /// <summary>Loads the data, trains, optionally saves, and returns the test metrics (also written to <paramref name="output"/>).</summary>
    /// <param name="settings">The run's choices; <see cref="CifarSettings.Problem"/> must be null.</param>
    /// <param name="output">Where the summary, progress and result go.</param>
    /// <param name="progress">The progress display (for example <see cref="ConsoleProgress.Create"/>).</param>
    /// <param name="cancellation">Stops training after the current batch.</param>
    public static MetricsSnapshot Run(CifarSettings settings, TextWriter output, ITrainingCallback progress, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        var split = Cifar10.Load(settings.DataDirectory);
        output.WriteLine($"Data: {split.Description}");
        using var network = Create(settings, output);
        var optimizer = new SGD(network.Layout, settings.LearningRate, momentum: 0.9, nesterov: true, weightDecay: 5e-4);
        var trainer = new Trainer(network, optimizer, new CosineAnnealingLR(optimizer, tMax: settings.Epochs));
        var options = new TrainingOptions
        {
            Epochs = settings.Epochs,
            BatchSize = settings.BatchSize,
            Loader = new DataLoaderOptions
            {
                Seed = (ulong)settings.Seed,
                Normalization = Cifar10.Normalization,
                // The augmentation of He et al.: a random 32×32 crop of the image padded by 4, and a horizontal flip half the time.
                Augmentations = [new RandomCrop(padding: 4), new RandomHorizontalFlip()],
            },
            ClassNames = Cifar10.ClassNames,
            Callbacks = [progress],
        };
        var history = trainer.Fit(split.Train, validation: null, options, cancellation);
        if (settings.SavePath is not null)
        {
            network.Save(settings.SavePath);
            output.WriteLine($"Weights saved to {settings.SavePath}");
        }
        var test = trainer.Evaluate(split.Test, normalization: Cifar10.Normalization, classNames: Cifar10.ClassNames);
        output.WriteLine(test.Confusion);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{settings.Model}: test accuracy {test.Accuracy * 100:0.00}% (loss {test.Loss:0.0000}) on {test.Samples:N0} images after {history.Epochs.Count} epochs"));
        return test;
    }

    private static NetworkBase Create(CifarSettings settings, TextWriter output)
    {
        if (settings.Model == "vgg")
        {
            output.WriteLine(CifarVgg.Summary);
            return new CifarVgg(settings.Seed, settings.Workers);
        }
        output.WriteLine(CifarResNet.Summary);
        return new CifarResNet(settings.Seed, settings.Workers);
    }
}
