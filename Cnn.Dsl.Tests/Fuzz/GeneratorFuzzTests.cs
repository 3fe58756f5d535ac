using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Cnn.Dsl.Tests.Diagnostics;
using Cnn.Dsl.Tests.Infrastructure;
using Cnn.Generators;
using Cnn.Generators.Emit;
using Cnn.Generators.Parsing;
using Cnn.Generators.Shapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit.Abstractions;

namespace Cnn.Dsl.Tests.Fuzz;

/// <summary>
/// Random and malformed attribute sets through the generator driver and the analyzer, as the
/// compiler runs them: neither may fail (CS8785, AD0001), the parse → infer → emit steps may not
/// throw even outside the generator's guard, whatever is emitted compiles, and a network with
/// no errors gets its code.
/// </summary>
public class GeneratorFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 20261201;
    private const int Cases = 300;

    [Fact]
    public void Random_and_malformed_networks_never_break_the_generator_or_the_analyzer()
    {
        var sources = new FuzzSources(Seed);
        var failures = new List<string>();
        var emitted = 0;
        var clean = 0;
        var watch = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var index = 0; index < Cases; index++)
        {
            var source = sources.Next(index);
            try
            {
                var (generated, valid) = Check(source);
                emitted += generated;
                clean += valid ? 1 : 0;
            }
            catch (Exception exception)
            {
                failures.Add($"case {index} (seed {Seed}):\n{source}\n{exception}");
            }
        }
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        output.WriteLine($"{Cases} cases in {watch.Elapsed.TotalSeconds:F1} s ({cpu.TotalSeconds:F1} s CPU): {emitted} files emitted, {clean} cases without any error");

        Assert.True(failures.Count == 0, $"{failures.Count} of {Cases} cases failed; the first:\n" + string.Join("\n\n", failures.Take(3)));
        // The random mix must also reach the emitter, or the fuzzing proves little about it.
        Assert.True(emitted >= 10, $"only {emitted} networks were emitted");
    }

    /// <summary>Runs one case; returns how many files the generator emitted and whether the case had no error at all.</summary>
    private static (int Emitted, bool Clean) Check(string source)
    {
        var compilation = TestCompilation.Create(source);

        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: TestCompilation.ParseOptions);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var withGenerated, out var generatorDiagnostics);
        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        Assert.DoesNotContain(generatorDiagnostics, d => d.Id == "CS8785");
        foreach (var file in result.GeneratedSources)
        {
            var errors = withGenerated.GetSemanticModel(file.SyntaxTree).GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.True(errors.Count == 0, $"{file.HintName} does not compile:\n" + string.Join("\n", errors.Take(5)));
        }

        var analyzerErrors = AnalyzerRun.All(compilation).Count(d => d.Severity == DiagnosticSeverity.Error);

        var networks = Networks(compilation).ToList();
        foreach (var network in networks)
        {
            // The generator guards its steps; run them bare so a throw cannot hide behind the guard.
            var spec = NetworkParser.Parse(network, CancellationToken.None);
            var inferred = ShapeInference.Infer(spec);
            if (!spec.Incomplete && !inferred.HasErrors)
            {
                Assert.NotEmpty(NetworkEmitter.Emit(spec, inferred));
            }
        }

        var clean = analyzerErrors == 0 && TestCompilation.Errors(compilation).Count == 0;
        if (clean)
        {
            Assert.Equal(networks.Count, result.GeneratedSources.Length);
        }
        return (result.GeneratedSources.Length, clean);
    }

    private static IEnumerable<INamedTypeSymbol> Networks(Compilation compilation) =>
        compilation.GetSymbolsWithName(_ => true, SymbolFilter.Type)
            .OfType<INamedTypeSymbol>()
            .Where(t => t.GetAttributes().Any(DslNames.IsNetworkAttribute));
}
