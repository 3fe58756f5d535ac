using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Cnn.Dsl.Tests.Infrastructure;

namespace Cnn.Dsl.Tests.Emit;

/// <summary>Compiles C# sources against the DSL and runtime and loads the result, so tests can read what emitted code evaluates to.</summary>
internal static class CompiledSource
{
    /// <summary>The loaded assembly; fails the test with the compiler's errors if it does not compile.</summary>
    public static Assembly Load(params string[] sources)
    {
        var compilation = TestCompilation.Create(sources);
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error)));
        return Assembly.Load(image.ToArray());
    }

    /// <summary>A public static member's value (constant, field or property) of a type in <paramref name="assembly"/>.</summary>
    public static object? Static(Assembly assembly, string type, string member)
    {
        var t = assembly.GetType(type) ?? throw new InvalidOperationException($"no type {type}");
        return t.GetField(member, BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
            ?? t.GetProperty(member, BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
            ?? throw new InvalidOperationException($"no static member {type}.{member}");
    }
}
