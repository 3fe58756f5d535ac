using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Cnn.Benchmarks;
using Cnn.Benchmarks.Measurement;
using Cnn.Benchmarks.Profiling;
using Cnn.Benchmarks.Torch;

BenchmarkOptions options;
try
{
    if (args.Contains("--help") || args.Contains("-h"))
    {
        Console.WriteLine(BenchmarkOptions.Usage);
        return 0;
    }
    options = BenchmarkOptions.Parse(args, [.. ModelCatalog.All.Keys]);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchmarkOptions.Usage);
    return 2;
}

Console.WriteLine($"# CnnDsl benchmarks: threads={options.Threads} repeat={options.Repeat} cores={Environment.ProcessorCount} load average {LoadAverage()} at {DateTime.UtcNow:HH:mm} UTC");
if (options.Kernels)
{
    Cnn.Benchmarks.Kernels.KernelBenchmark.Run(samples: 2 * options.Repeat + 1, options.KernelFilter, Console.Out);
    Console.WriteLine($"# load average {LoadAverage()} at {DateTime.UtcNow:HH:mm} UTC");
    return 0;
}
if (options.Scaling)
{
    foreach (var name in options.Models)
    {
        Console.WriteLine(WorkerScaling.Measure(ModelCatalog.All[name], options.Threads, pairs: (8 * options.Repeat) + 1));
    }
    Console.WriteLine($"# load average {LoadAverage()} at {DateTime.UtcNow:HH:mm} UTC");
    return 0;
}
TorchReference? torch = null;
if (options.Torch)
{
    torch = TorchReference.TryLocate(options.Python, options.TorchScript, out var problem);
    Console.WriteLine(torch is null ? $"# {problem}" : $"# PyTorch {torch.Version}: {torch.Script}");
}

// Repetitions alternate ours and PyTorch's, so both sides see the same neighbours' load.
var ours = new Dictionary<string, List<ModelFigures>>(StringComparer.Ordinal);
var theirs = new Dictionary<string, List<ModelFigures>>(StringComparer.Ordinal);
for (var rep = 1; rep <= options.Repeat; rep++)
{
    foreach (var name in options.Models)
    {
        var figures = ThroughputMeter.Measure(ModelCatalog.All[name], options.Threads);
        Collect(ours, figures);
        Console.Error.WriteLine($"run {rep}/{options.Repeat} CnnDsl  {figures}");
    }
    if (torch is not null)
    {
        try
        {
            foreach (var figures in torch.Run(options.Models, options.Threads).Values)
            {
                Collect(theirs, figures);
                Console.Error.WriteLine($"run {rep}/{options.Repeat} PyTorch {figures}");
            }
        }
        catch (InvalidOperationException e)
        {
            // Keep our figures: a broken reference must not cost the whole run.
            Console.WriteLine($"# PyTorch comparison stopped: {e.Message}");
            torch = null;
        }
    }
}

Console.WriteLine($"# CnnDsl, median of {options.Repeat}");
foreach (var name in options.Models)
{
    Console.WriteLine(ModelFigures.Median(ours[name]));
}
if (theirs.Count > 0)
{
    Console.WriteLine($"# PyTorch, median of {theirs.Values.Min(runs => runs.Count)}");
    foreach (var name in options.Models.Where(theirs.ContainsKey))
    {
        Console.WriteLine(ModelFigures.Median(theirs[name]));
    }
    Console.WriteLine("# ratios, above 1 means CnnDsl is faster: train = ours/PyTorch images/s, infer_b1 = PyTorch/ours latency, infer_b256 = ours/PyTorch images/s");
    foreach (var name in options.Models.Where(theirs.ContainsKey))
    {
        var (a, b) = (ModelFigures.Median(ours[name]), ModelFigures.Median(theirs[name]));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"model={name} train={a.TrainImagesPerSecond / b.TrainImagesPerSecond:F2} infer_b1={b.InferenceBatch1Microseconds / a.InferenceBatch1Microseconds:F2} infer_b256={a.InferenceBatch256ImagesPerSecond / b.InferenceBatch256ImagesPerSecond:F2}"));
    }
}
if (options.Profile)
{
    Console.WriteLine();
    foreach (var name in options.Models)
    {
        LayerProfiler.Run(ModelCatalog.All[name], options.Threads, samples: 2 * options.Repeat + 1, Console.Out);
    }
}
Console.WriteLine($"# load average {LoadAverage()} at {DateTime.UtcNow:HH:mm} UTC");
return 0;

static void Collect(Dictionary<string, List<ModelFigures>> runs, ModelFigures figures)
{
    if (!runs.TryGetValue(figures.Model, out var list))
    {
        runs[figures.Model] = list = [];
    }
    list.Add(figures);
}

// The machine is shared: the load average says how much the figures can be trusted.
static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
