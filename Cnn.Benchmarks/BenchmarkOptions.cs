using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Cnn.Benchmarks;

/// <summary>The command line: which models, how many workers, how many repetitions, and what else to run.</summary>
/// <param name="Models">Model names, in the order to run them.</param>
/// <param name="Threads">Worker threads per network (PyTorch's <c>torch.set_num_threads</c> on the reference side).</param>
/// <param name="Repeat">Repetitions of every measurement; the report gives medians.</param>
/// <param name="Torch">Also run the PyTorch reference script and print ratios.</param>
/// <param name="Profile">Also time every layer's kernels with the model's geometries.</param>
/// <param name="Python">The Python interpreter that can import torch.</param>
/// <param name="TorchScript">An explicit path to torch_reference.py, or null to look for it next to the repository.</param>
/// <param name="Kernels">Measure the FMA peak and the GEMM, convolution and dense kernels on one core instead of the models.</param>
/// <param name="KernelFilter">With <paramref name="Kernels"/>: run only the cases whose name contains this (empty: all).</param>
/// <param name="Scaling">Instead of the models' figures: training with <paramref name="Threads"/> workers against one, in alternated bursts.</param>
internal sealed record BenchmarkOptions(
    IReadOnlyList<string> Models,
    int Threads,
    int Repeat,
    bool Torch,
    bool Profile,
    string Python,
    string? TorchScript,
    bool Kernels = false,
    string KernelFilter = "",
    bool Scaling = false)
{
    /// <summary>What <c>--help</c> prints.</summary>
    public const string Usage = """
        Usage: dotnet run -c Release --project Cnn.Benchmarks -- [options]
          --models a,b,...   models to run (lenet5,bn2conv,simplecnn,resnet8; default all)
          --threads N        worker threads, ours and PyTorch's (default 2)
          --repeat N         repetitions; medians are reported (default 3)
          --torch            also run PyTorch's torch_reference.py and print ratios (alias --compare)
          --profile          time each layer's forward and backward kernels
          --python PATH      interpreter with torch (default /usr/bin/python3)
          --torch-script P   torch_reference.py (default: shared/bench/ next to the repository)
          --kernels          instead: one core's FMA peak, then GEMM, convolution and dense kernels
                             (kernel=NAME op=OP gflops=G peak_pct=P, batch-1 dense: us=T weight_gbps=B;
                             thread CPU time, medians of 2·repeat+1)
          --kernel-filter S  with --kernels: only the cases whose name contains S (e.g. dense)
          --scaling          instead: training with --threads workers against one worker, as 8·repeat+1
                             pairs of alternated 16-step bursts in one process (median ratio of the pairs)
        Prints: model=NAME params=N train_ips=X infer_b1_us=Y infer_b256_ips=Z
        """;

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> with a message for the user.</summary>
    /// <param name="args">The arguments after <c>--</c>.</param>
    /// <param name="knownModels">The model names that exist.</param>
    /// <returns>The options.</returns>
    public static BenchmarkOptions Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> knownModels)
    {
        var options = new BenchmarkOptions([.. knownModels], 2, 3, false, false, "/usr/bin/python3", null);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            options = arg switch
            {
                "--models" => options with { Models = ParseModels(Value(args, ref i), knownModels) },
                "--threads" => options with { Threads = Positive(Value(args, ref i), arg) },
                "--repeat" => options with { Repeat = Positive(Value(args, ref i), arg) },
                "--torch" or "--compare" => options with { Torch = true },
                "--profile" => options with { Profile = true },
                "--kernels" => options with { Kernels = true },
                "--kernel-filter" => options with { KernelFilter = Value(args, ref i) },
                "--scaling" => options with { Scaling = true },
                "--python" => options with { Python = Value(args, ref i) },
                "--torch-script" => options with { TorchScript = Value(args, ref i), Torch = true },
                _ => throw new ArgumentException($"Unknown option '{arg}'."),
            };
        }
        return options;
    }

    private static string Value(IReadOnlyList<string> args, ref int i)
    {
        if (i + 1 >= args.Count)
        {
            throw new ArgumentException($"{args[i]} needs a value.");
        }
        i++;
        return args[i];
    }

    private static int Positive(string text, string option) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{option} needs a positive whole number, got '{text}'.");

    private static List<string> ParseModels(string text, IReadOnlyCollection<string> knownModels)
    {
        var models = new List<string>();
        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!knownModels.Contains(name, StringComparer.Ordinal))
            {
                throw new ArgumentException($"Unknown model '{name}'; the models are {string.Join(", ", knownModels)}.");
            }
            models.Add(name);
        }
        return models.Count > 0 ? models : throw new ArgumentException("--models needs at least one model.");
    }
}
