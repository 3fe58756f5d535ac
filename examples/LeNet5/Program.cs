using System;
using System.CommandLine;
using LeNet5Example;

var epochs = new Option<int?>("--epochs") { Description = $"Epochs to train (default: enough for about {TrainingSettings.DefaultSamplePasses:N0} sample passes: 75 epochs on the embedded split, usually cut short by early stopping, 10 on the full Fashion-MNIST)" };
var batchSize = new Option<int>("--batch-size") { Description = "Samples per training step", DefaultValueFactory = _ => 64 };
var learningRate = new Option<double>("--lr") { Description = "Initial learning rate of SGD with Nesterov momentum 0.9 (cosine-annealed to 0)", DefaultValueFactory = _ => 0.05 };
var data = new Option<string?>("--data") { Description = "Folder with the Fashion-MNIST IDX files (default: Debian's dataset-fashion-mnist if installed, else the repository's data/fashion-mnist)", HelpName = "DIR" };
var workers = new Option<int>("--workers") { Description = "Threads sharing each batch; results depend on the seed and this number only", DefaultValueFactory = _ => Environment.ProcessorCount };
var seed = new Option<int>("--seed") { Description = "Seed of the initial weights, the shuffling and dropout", DefaultValueFactory = _ => 0 };
var save = new Option<string?>("--save") { Description = "Save the trained weights to this safetensors file (PyTorch state_dict names)", HelpName = "PATH" };
var checkpoints = new Option<string?>("--checkpoints") { Description = "Checkpoint every epoch into this folder (Ctrl+C saves one too)", HelpName = "DIR" };
var resume = new Option<bool>("--resume") { Description = "Continue from the newest checkpoint in --checkpoints" };

var command = new RootCommand("Trains LeNet-5, written in the CnnDsl attribute language, on Fashion-MNIST and reports its test accuracy.")
{
    epochs, batchSize, learningRate, data, workers, seed, save, checkpoints, resume,
};
command.SetAction(result =>
{
    var settings = new TrainingSettings(
        result.GetValue(epochs),
        result.GetValue(batchSize),
        result.GetValue(learningRate),
        result.GetValue(data),
        result.GetValue(workers),
        result.GetValue(seed),
        result.GetValue(save),
        result.GetValue(checkpoints),
        result.GetValue(resume));
    if (settings.Problem() is { } problem)
    {
        Console.Error.WriteLine(problem);
        return 2;
    }
    return FashionMnistRun.Run(settings);
});
return command.Parse(args).Invoke();
