using System;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Cnn.Runtime.Data;
using Cnn.Runtime.Optim;
using Cnn.Runtime.Optim.Schedules;
using Cnn.Runtime.Training;
using FashionBnExample;

var epochs = new Option<int>("--epochs") { Description = "Epochs to train (the learning rate is cosine-annealed to 0 over them)", DefaultValueFactory = _ => 10 };
var batchSize = new Option<int>("--batch-size") { Description = "Samples per training step", DefaultValueFactory = _ => 64 };
var learningRate = new Option<double>("--lr") { Description = "Initial learning rate of Adam", DefaultValueFactory = _ => 1e-3 };
var data = new Option<string?>("--data") { Description = "Folder with the Fashion-MNIST IDX files (default: Debian's dataset-fashion-mnist if installed, else the repository's copy)", HelpName = "DIR" };
var workers = new Option<int>("--workers") { Description = "Threads sharing each batch", DefaultValueFactory = _ => Environment.ProcessorCount };
var seed = new Option<int>("--seed") { Description = "Seed of the initial weights, the shuffling and dropout", DefaultValueFactory = _ => 0 };
var save = new Option<string?>("--save") { Description = "Save the trained weights to this safetensors file", HelpName = "PATH" };

var command = new RootCommand("Trains a two-stage convolutional network with BatchNorm on Fashion-MNIST and reports its test accuracy.")
{
    epochs, batchSize, learningRate, data, workers, seed, save,
};
command.SetAction(result =>
{
    int epochCount = result.GetValue(epochs), batch = result.GetValue(batchSize), threads = result.GetValue(workers);
    if (epochCount < 1 || batch < 1 || threads < 1)
    {
        Console.Error.WriteLine("--epochs, --batch-size and --workers must be at least 1.");
        return 2;
    }
    var clock = Stopwatch.StartNew();
    Console.WriteLine(FashionBn.Summary);
    var split = FashionMnist.Load(result.GetValue(data));
    Console.WriteLine($"Data: {split.Description}");

    using var network = new FashionBn(result.GetValue(seed), threads);
    var optimizer = new Adam(network.Layout, result.GetValue(learningRate));
    var trainer = new Trainer(network, optimizer, new CosineAnnealingLR(optimizer, tMax: epochCount));
    var options = new TrainingOptions
    {
        Epochs = epochCount,
        BatchSize = batch,
        Loader = new DataLoaderOptions { Seed = (ulong)result.GetValue(seed), Normalization = FashionMnist.Normalization },
        ClassNames = FashionMnist.ClassNames,
        Callbacks = [ConsoleProgress.Create()],
    };
    using var cancellation = new ConsoleCancellation(Console.Out);
    // No validation split: the schedule is fixed, so every training image is used and the test set is only read once, at the end.
    var history = trainer.Fit(split.Train, validation: null, options, cancellation.Token);
    if (history.Cancelled)
    {
        return 130;
    }
    if (result.GetValue(save) is { } path)
    {
        network.Save(path);
        Console.WriteLine($"Weights saved to {path}");
    }
    var test = trainer.Evaluate(split.Test, normalization: FashionMnist.Normalization, classNames: FashionMnist.ClassNames);
    Console.WriteLine(test.Confusion);
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"Test accuracy: {test.Accuracy * 100:0.00}% (loss {test.Loss:0.0000}) on {test.Samples:N0} images after {history.Epochs.Count} epochs; wall time {clock.Elapsed.TotalSeconds:0.0} s"));
    return 0;
});
return command.Parse(args).Invoke();
