using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml.Linq;

namespace Cnn.Dsl.Tests.Packaging;

/// <summary>Writes a console project that uses CnnDsl the way a user does: one PackageReference, nothing from the repository.</summary>
internal static class ConsumerProject
{
    /// <summary>Writes the project, its nuget.config and its program into <paramref name="folder"/>.</summary>
    /// <param name="folder">The empty project folder.</param>
    /// <param name="feed">The folder holding the freshly packed CnnDsl package.</param>
    /// <param name="packagesFolder">A global packages folder no earlier CnnDsl was ever restored into.</param>
    /// <param name="version">The package version to reference.</param>
    public static void Write(string folder, string feed, string packagesFolder, string version)
    {
        File.WriteAllText(Path.Combine(folder, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="CnnDsl" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        NuGetConfig(feed, packagesFolder).Save(Path.Combine(folder, "nuget.config"));
        File.WriteAllText(Path.Combine(folder, "Program.cs"), Program);
    }

    /// <summary>The local feed first, then the machine's own sources for the package's dependencies.</summary>
    private static XDocument NuGetConfig(string feed, string packagesFolder)
    {
        var sources = new List<XElement> { new XElement("clear"), Source("cnndsl-local", feed) };
        sources.AddRange(MachineSources());
        return new XDocument(new XElement(
            "configuration",
            new XElement("config", new XElement("add", new XAttribute("key", "globalPackagesFolder"), new XAttribute("value", packagesFolder))),
            new XElement("packageSources", sources)));
    }

    private static IEnumerable<XElement> MachineSources()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var path = new[] { "NuGet.Config", "NuGet.config", "nuget.config" }
            .Select(name => Path.Combine(home, ".nuget", "NuGet", name))
            .FirstOrDefault(File.Exists);
        if (path is null)
        {
            return Array.Empty<XElement>();
        }
        return XDocument.Load(path).Root?.Element("packageSources")?.Elements("add")
            .Select(static add => Source((string?)add.Attribute("key") ?? "", (string?)add.Attribute("value") ?? ""))
            .Where(static source => source.Attribute("value")!.Value.Length > 0)
            ?? Enumerable.Empty<XElement>();
    }

    private static XElement Source(string key, string value) =>
        new("add", new XAttribute("key", key), new XAttribute("value", value));

    /// <summary>
    /// A network using every part the package ships: the attributes (Cnn.Dsl), the generated passes
    /// (the analyzer), the runtime and its optimizer. It learns a fixed batch whose label is which
    /// half of the image is brighter, so a few SGD steps must lower the loss.
    /// </summary>
    private const string Program = """
        using System;
        using System.Globalization;
        using System.Linq;
        using Cnn.Dsl;
        using Cnn.Runtime.Optim;

        const int Batch = 8;
        using var net = new Tiny(seed: 1);
        var input = new float[Batch * 64];
        var labels = new int[Batch];
        for (var n = 0; n < Batch; n++)
        {
            labels[n] = n % 2;
            for (var i = 0; i < 64; i++)
            {
                var brightHalf = (i % 8 < 4) == (labels[n] == 0);
                input[n * 64 + i] = (brightHalf ? 1f : 0f) + 0.05f * ((n * 7 + i * 3) % 5);
            }
        }
        var sgd = new SGD(net.Layout, 0.1);
        var first = net.ForwardBackward(input, labels, Batch);
        var last = first;
        for (var step = 0; step < 20; step++)
        {
            sgd.Step(net.Parameters, net.Gradients);
            last = net.ForwardBackward(input, labels, Batch);
        }
        var parameters = net.Layout.Where(static p => !p.IsBuffer).Sum(static p => p.Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"parameters={parameters}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first={first:R}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"last={last:R}"));

        [Network(1, 8, 8)]
        [Conv(4, 3, pad: 1), Relu, MaxPool(2)]
        [Flatten, Dense(2)]
        public partial class Tiny;
        """;
}
