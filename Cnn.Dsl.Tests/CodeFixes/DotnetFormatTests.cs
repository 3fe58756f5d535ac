using System;
using System.Collections;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Cnn.Dsl.Tests.Diagnostics;

namespace Cnn.Dsl.Tests.CodeFixes;

/// <summary>
/// The code fixes through the SDK's own client, as a user runs them: a project on disk that
/// references the attribute language and our generator and code-fix assemblies as analyzers,
/// fixed by <c>dotnet format analyzers</c>, then built by <c>dotnet build</c> with the generator.
/// </summary>
[Collection(RepositoryBuilds.Name)]
public class DotnetFormatTests
{
    private const string Broken = """
        using Cnn.Dsl;

        namespace User;

        [Network(1, 28, 28)]
        [Conv(6, 5, pad: 2), Relu, MaxPool(2)]
        [Conv(16, 5), Relu, MaxPool(2)]
        [Dense(120), Relu, Dense(84), Relu, Dense(10)]
        public partial class LeNet5;

        [Network(3, 32, 32)]
        [Conv(8, 3, pad: 1), Relu, MaxPool(2), Dense(10)]
        public partial class Tiny;

        """;

    private const string Fixed = """
        using Cnn.Dsl;

        namespace User;

        [Network(1, 28, 28)]
        [Conv(6, 5, pad: 2), Relu, MaxPool(2)]
        [Conv(16, 5), Relu, MaxPool(2)]
        [Flatten, Dense(120), Relu, Dense(84), Relu, Dense(10)]
        public partial class LeNet5;

        [Network(3, 32, 32)]
        [Conv(8, 3, pad: 1), Relu, MaxPool(2), Flatten, Dense(10)]
        public partial class Tiny;

        """;

    [Fact]
    public void Dotnet_format_inserts_Flatten_and_the_fixed_project_builds_with_the_generator()
    {
        var repo = RepositoryRoot.Path;
        var project = Directory.CreateTempSubdirectory("cnndsl-format-");
        try
        {
            WriteUserProject(project.FullName, repo);
            var network = Path.Combine(project.FullName, "Network.cs");

            var format = Dotnet(project.FullName, "format", "analyzers", "User.csproj", "--diagnostics", "CNN0002", "--severity", "error", "-v", "normal");
            Assert.True(format.ExitCode == 0, "dotnet format failed:\n" + format.Output);
            Assert.Equal(Fixed, File.ReadAllText(network));

            var build = Dotnet(project.FullName, "build", "User.csproj", "--no-restore", "-nodeReuse:false", "-p:UseSharedCompilation=false");
            Assert.True(build.ExitCode == 0, "dotnet build failed:\n" + build.Output);
            Assert.DoesNotContain("CNN0", build.Output, StringComparison.Ordinal);
            var generated = Directory.GetFiles(Path.Combine(project.FullName, "obj"), "*.g.cs", SearchOption.AllDirectories)
                .Select(Path.GetFileName)
                .Order(StringComparer.Ordinal);
            Assert.Equal(new[] { "User.LeNet5.g.cs", "User.Tiny.g.cs" }, generated);
        }
        finally
        {
            project.Delete(recursive: true);
        }
    }

    /// <summary>
    /// A user project referencing our projects. SetConfiguration=Release makes both dotnet format's
    /// workspace (which loads Debug) and the build use the Release outputs the solution build
    /// already made, instead of building Debug copies; the empty Directory.Build files keep any
    /// settings above the temp folder out.
    /// </summary>
    private static void WriteUserProject(string folder, string repo)
    {
        string Reference(string path, bool analyzer) =>
            $"""    <ProjectReference Include="{Path.Combine(repo, path)}" SetConfiguration="Configuration=Release"{(analyzer ? " OutputItemType=\"Analyzer\" ReferenceOutputAssembly=\"false\"" : "")} />""";
        File.WriteAllText(Path.Combine(folder, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(folder, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(folder, "User.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
              </PropertyGroup>
              <ItemGroup>
            {Reference("Cnn.Dsl/Cnn.Dsl.csproj", analyzer: false)}
            {Reference("Cnn.Runtime/Cnn.Runtime.csproj", analyzer: false)}
            {Reference("Cnn.Generators/Cnn.Generators.csproj", analyzer: true)}
            {Reference("Cnn.Generators.CodeFixes/Cnn.Generators.CodeFixes.csproj", analyzer: true)}
              </ItemGroup>
            </Project>

            """);
        File.WriteAllText(Path.Combine(folder, "Network.cs"), Broken);
    }

    /// <summary>
    /// Runs the dotnet CLI that runs these tests, without the MSBuild and test-host variables
    /// <c>dotnet test</c> puts in our environment, and with no build servers left behind.
    /// </summary>
    private static (int ExitCode, string Output) Dotnet(string folder, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
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
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish in 5 minutes:\n{output}");
        }
        process.WaitForExit();
        return (process.ExitCode, output.ToString());
    }
}
