using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Cnn.Dsl.Tests.Diagnostics;

namespace Cnn.Dsl.Tests.Packaging;

/// <summary>The CnnDsl package works on its own: packed, restored into a fresh project, it compiles a network and trains it.</summary>
[Collection(RepositoryBuilds.Name)]
public sealed class PackageTests : IDisposable
{
    private const string Version = "0.1.0";

    private readonly string _work = Path.Combine(Path.GetTempPath(), "cnndsl-pack-" + Guid.NewGuid().ToString("N"));

    /// <summary>Conv 4·1·3·3 + 4, Dense 2·64 + 2.</summary>
    private const int TinyParameters = 40 + 130;

    [Fact]
    [Trait("Category", "Packaging")]
    public void Packed_package_alone_compiles_and_trains_a_network()
    {
        var feed = Directory.CreateDirectory(Path.Combine(_work, "feed")).FullName;
        var packages = Directory.CreateDirectory(Path.Combine(_work, "packages")).FullName;
        var consumer = Directory.CreateDirectory(Path.Combine(_work, "consumer")).FullName;
        var noReuse = new[] { "-nodeReuse:false", "-p:UseSharedCompilation=false" };

        var project = Path.Combine(RepositoryRoot.Path, "Cnn.Package", "Cnn.Package.csproj");
        var pack = DotnetCli.Run(RepositoryRoot.Path, packages, ["pack", project, "-c", "Release", "-o", feed, .. noReuse]);
        Assert.True(pack.ExitCode == 0, pack.Output);
        Assert.True(File.Exists(Path.Combine(feed, $"CnnDsl.{Version}.nupkg")), pack.Output);

        ConsumerProject.Write(consumer, feed, packages, Version);
        var build = DotnetCli.Run(consumer, packages, ["build", "-c", "Release", .. noReuse]);
        Assert.True(build.ExitCode == 0, build.Output);

        var run = DotnetCli.Run(consumer, packages, [Path.Combine(consumer, "bin", "Release", "net10.0", "Consumer.dll")]);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(TinyParameters.ToString(CultureInfo.InvariantCulture), Value(run.Output, "parameters"));
        var first = double.Parse(Value(run.Output, "first"), CultureInfo.InvariantCulture);
        var last = double.Parse(Value(run.Output, "last"), CultureInfo.InvariantCulture);
        Assert.True(last < first, $"loss did not decrease: {first} -> {last}");
    }

    public void Dispose()
    {
        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }
    }

    private static string Value(string output, string key) =>
        output.Split('\n').Select(static line => line.Trim()).FirstOrDefault(line => line.StartsWith(key + "=", StringComparison.Ordinal))?[(key.Length + 1)..]
        ?? throw new Xunit.Sdk.XunitException($"no '{key}=' line in:\n{output}");
}
