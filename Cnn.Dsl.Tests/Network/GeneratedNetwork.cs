using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading;
using Cnn.Dsl.Tests.Infrastructure;
using Cnn.Generators.Emit;
using Cnn.Generators.Parsing;
using Cnn.Generators.Shapes;
using Cnn.Runtime.Network;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Cnn.Dsl.Tests.Network;

/// <summary>
/// Networks written in the DSL as source text, run through the generator's own stages (parser,
/// shape inference, emitter) and compiled in memory, so tests can build any network the language
/// expresses. Every <c>[Network]</c> class of a source is emitted and compiled together, once per source.
/// </summary>
internal static class GeneratedNetwork
{
    private static readonly ConcurrentDictionary<string, Lazy<Assembly>> Compiled = new();

    /// <summary>A new instance of network <paramref name="typeName"/> (full metadata name) declared in <paramref name="source"/>.</summary>
    public static NetworkBase Create(string source, string typeName, int seed = 0, int workers = 1)
    {
        var assembly = Compiled.GetOrAdd(source, _ => new Lazy<Assembly>(() => Compile(source))).Value;
        var type = assembly.GetType(typeName) ?? throw new InvalidOperationException($"no type {typeName}");
        return (NetworkBase)Activator.CreateInstance(type, seed, workers)!;
    }

    /// <summary>The DSL source of the golden networks (read from the source tree, next to this file's folder).</summary>
    public static string GoldenSource => File.ReadAllText(Path.Combine(TestsFolder(), "Golden", "GoldenNetworks.cs"));

    private static string TestsFolder([CallerFilePath] string thisFile = "") => Path.GetDirectoryName(Path.GetDirectoryName(thisFile))!;

    /// <summary>The emitted source of one network.</summary>
    public static string Emit(string source, string typeName)
    {
        var compilation = TestCompilation.Create(WithUsing(source));
        return EmitOne(compilation, TestCompilation.Type(compilation, typeName));
    }

    private static string WithUsing(string source) => source.Contains("using Cnn.Dsl;") ? source : "using Cnn.Dsl;\n" + source;

    private static string EmitOne(Compilation compilation, INamedTypeSymbol type)
    {
        var spec = NetworkParser.Parse(type, CancellationToken.None);
        var network = ShapeInference.Infer(spec);
        Assert.False(network.HasErrors, string.Join("\n", network.Problems.Select(p => p.Id + ": " + p.Message)));
        return NetworkEmitter.Emit(spec, network);
    }

    private static Assembly Compile(string source)
    {
        var user = TestCompilation.Create(WithUsing(source));
        var networks = user.SyntaxTrees
            .SelectMany(tree => tree.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>()
                .Where(c => c.AttributeLists.SelectMany(l => l.Attributes).Any(a => a.Name.ToString() is "Network" or "NetworkAttribute"))
                .Select(c => (INamedTypeSymbol)user.GetSemanticModel(tree).GetDeclaredSymbol(c)!))
            .ToList();
        var emitted = networks.Select(type => EmitOne(user, type)).ToArray();
        var compilation = TestCompilation.Create(new[] { WithUsing(source) }.Concat(emitted).ToArray());
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return Assembly.Load(image.ToArray());
    }
}
