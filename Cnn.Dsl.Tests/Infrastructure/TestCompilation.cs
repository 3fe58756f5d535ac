using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using Cnn.Dsl;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Cnn.Dsl.Tests.Infrastructure;

/// <summary>Compilations of user code that references the attribute language and the runtime, as a user project would.</summary>
internal static class TestCompilation
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return platform
            .Append(typeof(NetworkAttribute).Assembly.Location)
            .Append(Path.Combine(AppContext.BaseDirectory, "Cnn.Runtime.dll"))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    });

    public static IReadOnlyList<MetadataReference> MetadataReferences => References.Value;

    /// <summary>A library compilation of the given sources; the first one is <c>Network.cs</c>, the rest <c>File1.cs</c>….</summary>
    public static CSharpCompilation Create(params string[] sources) =>
        CSharpCompilation.Create(
            "UserProject",
            sources.Select((text, i) => CSharpSyntaxTree.ParseText(text, ParseOptions, i == 0 ? "Network.cs" : $"File{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>The named class of a compilation (by metadata name).</summary>
    public static INamedTypeSymbol Type(Compilation compilation, string metadataName) =>
        compilation.GetTypeByMetadataName(metadataName) ?? throw new InvalidOperationException($"no type {metadataName}");

    /// <summary>Compiler errors of a compilation, as readable lines (empty when it compiles).</summary>
    public static IReadOnlyList<string> Errors(Compilation compilation) =>
        compilation.GetDiagnostics(CancellationToken.None)
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => d.ToString())
            .ToList();
}
