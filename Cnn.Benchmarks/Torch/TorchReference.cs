using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;
using Cnn.Benchmarks.Measurement;

namespace Cnn.Benchmarks.Torch;

/// <summary>
/// Runs the PyTorch reference script (torch_reference.py) as a child process and reads its
/// <c>model=… params=… train_ips=… infer_b1_us=… infer_b256_ips=…</c> lines.
/// </summary>
internal sealed partial class TorchReference
{
    private const string ScriptRelativePath = "shared/bench/torch_reference.py";

    private readonly string _python;

    private TorchReference(string python, string script, string version)
    {
        _python = python;
        Script = script;
        Version = version;
    }

    /// <summary>The script that is run.</summary>
    public string Script { get; }

    /// <summary>torch.__version__ of the interpreter.</summary>
    public string Version { get; }

    /// <summary>
    /// Finds the script and checks that <paramref name="python"/> imports torch. Without an explicit
    /// path the script is <c>../shared/bench/torch_reference.py</c> from the repository root, or
    /// <c>shared/bench/torch_reference.py</c> in a further ancestor (a git worktree sits deeper).
    /// </summary>
    /// <param name="python">The interpreter.</param>
    /// <param name="explicitScript">The script's path from the command line, or null.</param>
    /// <param name="problem">Why the reference cannot run, when it returns null.</param>
    /// <returns>The runnable reference, or null.</returns>
    public static TorchReference? TryLocate(string python, string? explicitScript, out string problem)
    {
        var script = explicitScript ?? FindScript();
        if (script is null || !File.Exists(script))
        {
            problem = explicitScript is null
                ? $"PyTorch comparison skipped: no {ScriptRelativePath} next to the repository root or any of its parents."
                : $"PyTorch comparison skipped: {explicitScript} does not exist.";
            return null;
        }
        var (exitCode, output, error) = RunProcess(python, ["-c", "import torch; print(torch.__version__)"]);
        if (exitCode != 0)
        {
            problem = $"PyTorch comparison skipped: {python} cannot import torch ({LastLine(error)}). Install it with: apt-get install -y python3-torch libopenblas0-pthread";
            return null;
        }
        problem = string.Empty;
        return new TorchReference(python, Path.GetFullPath(script), output.Trim());
    }

    /// <summary>Runs the script once for <paramref name="models"/>.</summary>
    /// <param name="models">Model names.</param>
    /// <param name="threads">torch.set_num_threads.</param>
    /// <returns>The figures by model name.</returns>
    public IReadOnlyDictionary<string, ModelFigures> Run(IReadOnlyList<string> models, int threads)
    {
        var (exitCode, output, error) = RunProcess(_python, [Script, "--threads", threads.ToString(CultureInfo.InvariantCulture), "--models", string.Join(',', models)]);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{Script} failed with exit code {exitCode}: {error.Trim()}");
        }
        var figures = new Dictionary<string, ModelFigures>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Parse(line) is { } parsed)
            {
                figures[parsed.Model] = parsed;
            }
        }
        return figures;
    }

    /// <summary>Reads one line of the reference's output.</summary>
    /// <param name="line">A line such as <c>model=lenet5 params=61706 train_ips=5000 infer_b1_us=80.1 infer_b256_ips=40000</c>.</param>
    /// <returns>The figures, or null when the line is something else.</returns>
    public static ModelFigures? Parse(string line)
    {
        var match = FiguresLine().Match(line);
        if (!match.Success)
        {
            return null;
        }
        double Number(int group) => double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);
        return new ModelFigures(match.Groups[1].Value, long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture), Number(3), Number(4), Number(5));
    }

    private static string? FindScript()
    {
        var root = RepositoryRoot.Find();
        if (root is null)
        {
            return null;
        }
        for (var directory = Directory.GetParent(root); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, ScriptRelativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static (int ExitCode, string Output, string Error) RunProcess(string fileName, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output, error.GetAwaiter().GetResult());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, string.Empty, e.Message);
        }
    }

    private static string LastLine(string text)
    {
        // A Python traceback ends with the exception, which says what went wrong.
        var lines = text.Trim().Split('\n');
        return lines[^1].Trim();
    }

    [GeneratedRegex(@"^model=(\S+) params=(\d+) train_ips=([0-9.]+) infer_b1_us=([0-9.]+) infer_b256_ips=([0-9.]+)$")]
    private static partial Regex FiguresLine();
}
