using System;
using System.CommandLine;
using System.Globalization;
using System.Linq;
using Cnn.Runtime.Data;
using Cnn.Runtime.Optim;
using Cnn.Runtime.Training;
using ToolsExample;

var names = KnownModels.All.Keys.ToArray();
Option<string> ModelOption()
{
    var option = new Option<string>("--model") { Description = $"Network: {string.Join(" or ", names)}", DefaultValueFactory = _ => "lenet5" };
    option.AcceptOnlyFromAmong(names);
    return option;
}

var summaryModel = ModelOption();
var summary = new Command("summary", "Prints a model's layer table: output shapes, parameters, mult-adds, receptive field, memory.") { summaryModel };
summary.SetAction(result => Console.WriteLine(KnownModels.All[result.GetValue(summaryModel)!].Summary));

var predictModel = ModelOption();
var weights = new Option<string>("--weights") { Description = "Trained weights (safetensors state_dict) of the model", HelpName = "PATH", Required = true };
var images = new Option<string>("--images") { Description = "IDX images file (raw or .gz), 28×28 Fashion-MNIST layout", HelpName = "IDX", Required = true };
var labels = new Option<string>("--labels") { Description = "IDX labels file matching --images", HelpName = "IDX", Required = true };
var workers = new Option<int>("--workers") { Description = "Threads sharing each batch", DefaultValueFactory = _ => Environment.ProcessorCount };
var predict = new Command("predict", "Loads weights, classifies every image of an IDX file and prints the accuracy and confusion matrix.")
{
    predictModel, weights, images, labels, workers,
};
predict.SetAction(result =>
{
    var data = IdxReader.ReadDataset(result.GetValue(images)!, result.GetValue(labels)!, classCount: 10);
    using var network = KnownModels.All[result.GetValue(predictModel)!].Create(Math.Max(1, result.GetValue(workers)));
    network.Load(result.GetValue(weights)!);
    // Evaluate lives on Trainer, which needs an optimizer; this one never steps.
    var evaluator = new Trainer(network, new SGD(network.Layout, learningRate: 0.01));
    var metrics = evaluator.Evaluate(data, normalization: FashionMnist.Normalization, classNames: FashionMnist.ClassNames);
    Console.WriteLine(metrics.Confusion);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Accuracy: {metrics.Accuracy * 100:0.00}% on {metrics.Samples:N0} images"));
});

var root = new RootCommand("CnnDsl model tools.") { summary, predict };
return root.Parse(args).Invoke();
