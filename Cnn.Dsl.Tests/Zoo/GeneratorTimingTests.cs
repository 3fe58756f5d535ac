using System;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Cnn.Dsl.Tests.Infrastructure;
using Cnn.Generators.Diagnostics;
using Cnn.Generators.Emit;
using Cnn.Generators.Parsing;
using Cnn.Generators.Shapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit.Abstractions;

namespace Cnn.Dsl.Tests.Zoo;

/// <summary>
/// How long the generator and the analyzer take on ResNet-50 (the largest zoo network: 4 stages
/// of blocks in blocks, 161 layers), warm, as the IDE pays it on each edit. Printed, not asserted:
/// timings on a shared machine are not a pass/fail signal.
/// </summary>
public class GeneratorTimingTests(ITestOutputHelper output)
{
    private const int Runs = 7;

    [Fact]
    public async System.Threading.Tasks.Task ResNet50_generation_and_analysis_time_is_reported()
    {
        var source = File.ReadAllText(ExamplePath("ResNet50.cs"));
        var generator = new double[Runs];
        var analyzer = new double[Runs];
        var wall = new double[Runs];

        for (var i = -2; i < Runs; i++)
        {
            // A fresh compilation and driver each time: the full work of a cold cache, with the JIT warm.
            var compilation = TestCompilation.Create(source);
            var clock = Stopwatch.StartNew();
            var run = GeneratorHarness.Create().Run(compilation);
            var analysis = compilation.WithAnalyzers(
                ImmutableArray.Create<DiagnosticAnalyzer>(new NetworkAnalyzer()),
                new CompilationWithAnalyzersOptions(AnalyzerOptions(), null, concurrentAnalysis: false, logAnalyzerExecutionTime: true));
            var diagnostics = await analysis.GetAnalyzerDiagnosticsAsync(CancellationToken.None);
            var telemetry = await analysis.GetAnalyzerTelemetryInfoAsync(analysis.Analyzers[0], CancellationToken.None);
            clock.Stop();

            Assert.Single(run.Sources);
            Assert.DoesNotContain(diagnostics, d => d.Severity == DiagnosticSeverity.Error);
            if (i >= 0)
            {
                generator[i] = run.Elapsed.TotalMilliseconds;
                analyzer[i] = telemetry.ExecutionTime.TotalMilliseconds;
                wall[i] = clock.Elapsed.TotalMilliseconds;
            }
        }

        output.WriteLine($"ResNet-50, median of {Runs} warm runs: generator {Median(generator):0.0} ms, " +
            $"analyzer {Median(analyzer):0.0} ms, wall (generator + analyzer, including binding) {Median(wall):0.0} ms");
    }

    [Fact]
    public void ResNet50_time_per_stage_is_reported()
    {
        var source = File.ReadAllText(ExamplePath("ResNet50.cs"));
        var parse = new double[Runs];
        var infer = new double[Runs];
        var emit = new double[Runs];
        var length = 0;

        for (var i = -2; i < Runs; i++)
        {
            var type = TestCompilation.Type(TestCompilation.Create(source), "Cnn.Examples.Models.ResNet50");
            var clock = Stopwatch.StartNew();
            var spec = NetworkParser.Parse(type, CancellationToken.None);
            var parsed = clock.Elapsed.TotalMilliseconds;
            var network = ShapeInference.Infer(spec);
            var inferred = clock.Elapsed.TotalMilliseconds;
            length = NetworkEmitter.Emit(spec, network).Length;
            var emitted = clock.Elapsed.TotalMilliseconds;

            Assert.False(network.HasErrors);
            if (i >= 0)
            {
                (parse[i], infer[i], emit[i]) = (parsed, inferred - parsed, emitted - inferred);
            }
        }

        output.WriteLine($"ResNet-50, median of {Runs} warm runs: parse (binding the attributes of a fresh compilation) {Median(parse):0.0} ms, " +
            $"infer {Median(infer):0.00} ms, emit {Median(emit):0.0} ms ({length:N0} characters)");
    }

    private static AnalyzerOptions AnalyzerOptions() => new(ImmutableArray<AdditionalText>.Empty);

    private static double Median(double[] values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted[sorted.Length / 2];
    }

    private static string ExamplePath(string file, [CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "examples", "Models", file);
}
