using System;
using System.CommandLine;
using CifarExample;
using Cnn.Runtime.Training;

var model = new Option<string>("--model") { Description = "Network: vgg or resnet", DefaultValueFactory = _ => "resnet" };
model.AcceptOnlyFromAmong(CifarSettings.Models);
var data = new Option<string>("--data") { Description = "Folder of the CIFAR-10 binary batches (data_batch_1.bin … test_batch.bin)", HelpName = "DIR", Required = true };
var epochs = new Option<int>("--epochs") { Description = "Epochs to train (cosine-annealed learning rate)", DefaultValueFactory = _ => 30 };
var batchSize = new Option<int>("--batch-size") { Description = "Samples per training step", DefaultValueFactory = _ => 128 };
var learningRate = new Option<double>("--lr") { Description = "Initial learning rate of SGD with Nesterov momentum 0.9", DefaultValueFactory = _ => 0.05 };
var workers = new Option<int>("--workers") { Description = "Threads sharing each batch", DefaultValueFactory = _ => Environment.ProcessorCount };
var seed = new Option<int>("--seed") { Description = "Seed of the weights, shuffling, augmentation and dropout", DefaultValueFactory = _ => 0 };
var save = new Option<string?>("--save") { Description = "Save the trained weights to this safetensors file", HelpName = "PATH" };

var command = new RootCommand("Trains a VGG-style or ResNet-style network on CIFAR-10 with random-crop and flip augmentation.")
{
    model, data, epochs, batchSize, learningRate, workers, seed, save,
};
command.SetAction(result =>
{
    var settings = new CifarSettings(
        result.GetValue(model)!, result.GetValue(data)!, result.GetValue(epochs), result.GetValue(batchSize),
        result.GetValue(learningRate), result.GetValue(workers), result.GetValue(seed), result.GetValue(save));
    if (settings.Problem() is { } problem)
    {
        Console.Error.WriteLine(problem);
        return 2;
    }
    using var cancellation = new ConsoleCancellation(Console.Out);
    CifarTraining.Run(settings, Console.Out, ConsoleProgress.Create(), cancellation.Token);
    return 0;
});
return command.Parse(args).Invoke();
