using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using Cnn.Dsl.Tests.Infrastructure;
using Cnn.Generators.Emit;
using Cnn.Generators.Parsing;
using Cnn.Generators.Shapes;
using Cnn.Runtime.Network;
using Microsoft.CodeAnalysis;

namespace Cnn.Dsl.Tests.Network;

/// <summary>
/// Networks written in the DSL as source text, run through the generator's own stages (parser,
/// shape inference, emitter) and compiled in memory, so tests can build any network the language
/// expresses without declaring each one in the test assembly. Compilations are cached per source.
/// </summary>
internal static class GeneratedNetwork
{
    private static readonly ConcurrentDictionary<string, Lazy<Type>> Compiled = new();

    /// <summary>A new instance of network <paramref name="typeName"/> declared (with its blocks) in <paramref name="source"/>.</summary>
    public static NetworkBase Create(string source, string typeName, int seed = 0, int workers = 1)
    {
        var type = Compiled.GetOrAdd(source + "\n//" + typeName, _ => new Lazy<Type>(() => Compile(source, typeName))).Value;
        return (NetworkBase)Activator.CreateInstance(type, seed, workers)!;
    }

    /// <summary>The emitted source of a network (for reading and snapshot-free checks).</summary>
    public static string Emit(string source, string typeName)
    {
        var compilation = TestCompilation.Create(Usings + source);
        var spec = NetworkParser.Parse(TestCompilation.Type(compilation, typeName), CancellationToken.None);
        var network = ShapeInference.Infer(spec);
        Assert.False(network.HasErrors, string.Join("\n", network.Problems.Select(p => p.Id + ": " + p.Message)));
        return NetworkEmitter.Emit(spec, network);
    }

    private const string Usings = "using Cnn.Dsl;\n";

    private static Type Compile(string source, string typeName)
    {
        var emitted = Emit(source, typeName);
        var compilation = TestCompilation.Create(Usings + source, emitted);
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)) + "\n" + emitted);
        return Assembly.Load(image.ToArray()).GetType(typeName) ?? throw new InvalidOperationException($"no type {typeName}");
    }
}
