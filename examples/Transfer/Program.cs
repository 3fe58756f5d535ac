using System;
using System.CommandLine;
using System.Globalization;
using System.Linq;
using Cnn.Runtime.Data;
using Cnn.Runtime.Network;
using Cnn.Runtime.Optim;
using Cnn.Runtime.Training;
using TransferExample;

var weights = new Option<string?>("--weights") { Description = "Source weights (safetensors) to load instead of training the classes 0–4 network", HelpName = "PATH" };
var save = new Option<string>("--save") { Description = "Where to save the source network's weights", DefaultValueFactory = _ => "transfer-source.safetensors", HelpName = "PATH" };
var data = new Option<string?>("--data") { Description = "Folder with the Fashion-MNIST IDX files (default: Debian's package, else the repository's copy)", HelpName = "DIR" };
var epochs = new Option<int>("--epochs") { Description = "Epochs for each of the two trainings", DefaultValueFactory = _ => 2 };
var workers = new Option<int>("--workers") { Description = "Threads sharing each batch", DefaultValueFactory = _ => Environment.ProcessorCount };

var command = new RootCommand("Transfer learning: trains a LeNet-style net on Fashion-MNIST classes 0–4, then reuses its frozen convolutions under a new head for classes 5–9.")
{
    weights, save, data, epochs, workers,
};
command.SetAction(result =>
{
    int epochCount = result.GetValue(epochs), threads = result.GetValue(workers);
    if (epochCount < 1 || threads < 1)
    {
        Console.Error.WriteLine("--epochs and --workers must be at least 1.");
        return 2;
    }
    var split = FashionMnist.Load(result.GetValue(data));
    Console.WriteLine($"Data: {split.Description}");
    var options = new TrainingOptions
    {
        Epochs = epochCount,
        Loader = new DataLoaderOptions { Normalization = FashionMnist.Normalization },
        Callbacks = [ConsoleProgress.Create()],
    };

    using var source = new SourceNet(seed: 0, threads);
    var sourceTrainer = new Trainer(source, new Adam(source.Layout));
    var (firstTrain, firstTest) = (Classes(split.Train, 0), Classes(split.Test, 0));
    if (result.GetValue(weights) is { } path)
    {
        source.Load(path);
        Console.WriteLine($"Source weights loaded from {path}");
    }
    else
    {
        sourceTrainer.Fit(firstTrain, validation: null, options);
        source.Save(result.GetValue(save)!);
        Console.WriteLine($"Source weights saved to {result.GetValue(save)}");
    }
    Report("Source net, classes 0–4", sourceTrainer.Evaluate(firstTest, normalization: FashionMnist.Normalization));

    // Load needs the file's tensors to match the network exactly, and the heads differ; so the
    // convolution tensors are copied by name from the loaded source network.
    using var target = new TargetNet(seed: 1, threads);
    string[] transferred = ["conv1", "conv2"];
    foreach (var info in target.Layout.Where(p => transferred.Contains(p.Layer)))
    {
        source.Parameter(info.Name).CopyTo(target.Parameter(info.Name));
    }
    target.Freeze(transferred);
    var before = Snapshot(target, transferred);

    var targetTrainer = new Trainer(target, new Adam(target.Layout));
    var (secondTrain, secondTest) = (Classes(split.Train, 5), Classes(split.Test, 5));
    Report("New head on frozen convolutions, classes 5–9, before training", targetTrainer.Evaluate(secondTest, normalization: FashionMnist.Normalization));
    targetTrainer.Fit(secondTrain, validation: null, options);
    Report("New head on frozen convolutions, classes 5–9", targetTrainer.Evaluate(secondTest, normalization: FashionMnist.Normalization));

    var unchanged = before.SequenceEqual(Snapshot(target, transferred));
    Console.WriteLine(unchanged ? "Frozen convolution weights unchanged: yes" : "Frozen convolution weights CHANGED");
    return unchanged ? 0 : 1;
});
return command.Parse(args).Invoke();

// The five classes from `first` on, relabelled 0–4.
static Dataset Classes(Dataset data, int first)
{
    var indices = Enumerable.Range(0, data.Count).Where(i => data.Label(i) >= first && data.Label(i) < first + 5).ToArray();
    var subset = data.Subset(indices);
    var labels = subset.Labels.ToArray().Select(label => label - first).ToArray();
    return new Dataset(subset.Images.ToArray(), labels, subset.SampleShape, classCount: 5);
}

static float[] Snapshot(NetworkBase network, string[] layers) =>
    network.Layout.Where(p => layers.Contains(p.Layer)).SelectMany(p => network.Parameter(p.Name).ToArray()).ToArray();

static void Report(string what, MetricsSnapshot metrics) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: test accuracy {metrics.Accuracy * 100:0.00}% on {metrics.Samples:N0} images"));
