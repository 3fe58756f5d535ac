using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;

namespace Cnn.Dsl.Tests.Packaging;

/// <summary>Runs a child <c>dotnet</c> command isolated from the test host's own build.</summary>
internal static class DotnetCli
{
    /// <summary>A build on the loaded machine takes minutes; longer than this means it hangs.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    /// <summary>Runs <c>dotnet arguments…</c> in <paramref name="folder"/>.</summary>
    /// <param name="folder">Working directory.</param>
    /// <param name="packagesFolder">NuGet's global packages folder for this run.</param>
    /// <param name="arguments">The command line after <c>dotnet</c>.</param>
    /// <returns>The exit code and the combined standard output and error.</returns>
    public static (int ExitCode, string Output) Run(string folder, string packagesFolder, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // dotnet test points these at its own MSBuild and test host; a child build must find its own.
        var inherited = start.Environment.Keys
            .Where(static name => name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("DOTNET_HOST_PATH", StringComparison.OrdinalIgnoreCase))
            .ToList();
        foreach (var name in inherited)
        {
            start.Environment.Remove(name);
        }
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["NUGET_PACKAGES"] = packagesFolder;

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, $"dotnet {string.Join(' ', arguments)} timed out after {Timeout}\n{output.Result}{error.Result}");
        }
        Task.WaitAll(output, error);
        return (process.ExitCode, output.Result + error.Result);
    }
}
