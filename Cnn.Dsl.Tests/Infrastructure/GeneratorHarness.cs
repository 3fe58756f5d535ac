using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Cnn.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Cnn.Dsl.Tests.Infrastructure;

/// <summary>
/// Runs <see cref="NetworkGenerator"/> the way the compiler does, over a <see cref="TestCompilation"/>,
/// with step tracking on, and keeps the driver so a test can run it again on an edited compilation.
/// </summary>
internal sealed class GeneratorHarness
{
    private GeneratorDriver _driver;

    private GeneratorHarness(GeneratorDriver driver) => _driver = driver;

    /// <summary>A fresh driver holding <see cref="NetworkGenerator"/>.</summary>
    public static GeneratorHarness Create() =>
        new(CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() },
            parseOptions: TestCompilation.ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true)));

    /// <summary>Creates a compilation of <paramref name="sources"/> and runs the generator once over it.</summary>
    public static GeneratorRun Run(params string[] sources) => Create().Run(TestCompilation.Create(sources));

    /// <summary>Runs the generator over <paramref name="compilation"/>, incrementally after earlier runs of this harness.</summary>
    public GeneratorRun Run(Compilation compilation)
    {
        _driver = _driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        return new GeneratorRun(compilation, output, generatorDiagnostics, _driver.GetRunResult(), _driver.GetTimingInfo().ElapsedTime);
    }
}

/// <summary>What one generator run produced.</summary>
/// <param name="Input">The compilation the generator ran over.</param>
/// <param name="Output">The compilation with the generated files added.</param>
/// <param name="GeneratorDiagnostics">Diagnostics the generator itself reported (it reports none; an exception would show here as CS8785).</param>
/// <param name="Result">The driver's run result, with tracked steps.</param>
/// <param name="Elapsed">The time the driver spent in generators in this run.</param>
internal sealed record GeneratorRun(Compilation Input, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics, GeneratorDriverRunResult Result, System.TimeSpan Elapsed)
{
    private GeneratorRunResult Generator => Result.Results.Single();

    /// <summary>Generated files by hint name.</summary>
    public IReadOnlyDictionary<string, string> Sources =>
        Generator.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());

    /// <summary>The only generated file's text (fails if there is not exactly one).</summary>
    public string SingleSource => Assert.Single(Generator.GeneratedSources).SourceText.ToString();

    /// <summary>Compiler errors of the output compilation (user code plus generated code).</summary>
    public IReadOnlyList<string> Errors => TestCompilation.Errors(Output);

    /// <summary>The tracked outputs of one named step (<see cref="TrackingNames"/>), empty when the step did not run.</summary>
    public ImmutableArray<IncrementalGeneratorRunStep> Steps(string trackingName) =>
        Generator.TrackedSteps.TryGetValue(trackingName, out var steps) ? steps : ImmutableArray<IncrementalGeneratorRunStep>.Empty;

    /// <summary>Every tracked step by name.</summary>
    public IReadOnlyDictionary<string, ImmutableArray<IncrementalGeneratorRunStep>> TrackedSteps => Generator.TrackedSteps;

    /// <summary>The exception the generator threw, if any.</summary>
    public System.Exception? Exception => Generator.Exception;
}
