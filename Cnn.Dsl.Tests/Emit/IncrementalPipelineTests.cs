using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Cnn.Dsl.Tests.Infrastructure;
using Cnn.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Cnn.Dsl.Tests.Emit;

/// <summary>
/// The generator's pipeline caches: its models are plain values (no symbols, syntax, locations or
/// compilations), so an edit that does not touch a network leaves every step's output cached.
/// </summary>
public class IncrementalPipelineTests
{
    private const string Network = """
        using Cnn.Dsl;
        namespace Nets;
        [Block] [Conv(Arg.A, 3, pad: 1, bias: false), BatchNorm, Relu] public partial class Unit;
        [Network(3, 16, 16)]
        [Conv(8, 3, pad: 1), Residual<Unit>(8), Concat<Unit, Unit>(4), GlobalAvgPool, Dense(10)]
        public partial class Net;
        """;

    private static readonly string[] AllSteps =
    {
        TrackingNames.Parse, TrackingNames.Complete, TrackingNames.Infer, TrackingNames.Valid, TrackingNames.Emit,
    };

    [Fact]
    public void Every_step_is_tracked_and_produces_the_network()
    {
        var run = GeneratorHarness.Run(Network);

        foreach (var name in AllSteps)
        {
            var outputs = run.Steps(name).SelectMany(step => step.Outputs).ToList();
            Assert.True(outputs.Count == 1, $"step {name} has {outputs.Count} outputs");
        }
    }

    [Fact]
    public void Unrelated_edits_leave_every_step_cached_or_unchanged()
    {
        var harness = GeneratorHarness.Create();
        var compilation = TestCompilation.Create(Network);
        var first = harness.Run(compilation);
        var again = harness.Run(compilation.Clone());
        var withNewFile = harness.Run(compilation.AddSyntaxTrees(
            CSharpSyntaxTree.ParseText("namespace Other; public class Unrelated { public int Value => 42; }", TestCompilation.ParseOptions, "Unrelated.cs")));
        var edited = ((CSharpCompilation)withNewFile.Input).SyntaxTrees.Single(t => t.FilePath == "Unrelated.cs");
        var withEditedFile = harness.Run(withNewFile.Input.ReplaceSyntaxTree(edited,
            CSharpSyntaxTree.ParseText("namespace Other; public class Unrelated { public int Value => 43; }", TestCompilation.ParseOptions, "Unrelated.cs")));

        Assert.Single(first.Sources);
        foreach (var run in new[] { again, withNewFile, withEditedFile })
        {
            Assert.Equal(first.SingleSource, run.SingleSource);
            foreach (var name in AllSteps)
            {
                var reasons = run.Steps(name).SelectMany(step => step.Outputs).Select(output => output.Reason).ToList();
                Assert.NotEmpty(reasons);
                Assert.All(reasons, reason => Assert.True(
                    reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"step {name} output was {reason}"));
            }
        }
    }

    [Fact]
    public void Editing_the_network_reruns_emit()
    {
        var harness = GeneratorHarness.Create();
        var compilation = TestCompilation.Create(Network);
        harness.Run(compilation);
        var tree = compilation.SyntaxTrees.Single();
        var run = harness.Run(compilation.ReplaceSyntaxTree(tree,
            CSharpSyntaxTree.ParseText(Network.Replace("Dense(10)", "Dense(12)"), TestCompilation.ParseOptions, tree.FilePath)));

        Assert.Contains("public const int OutputChannels = 12;", run.SingleSource);
        Assert.Contains(run.Steps(TrackingNames.Emit).SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void Step_outputs_hold_no_symbols_syntax_locations_or_compilations()
    {
        var run = GeneratorHarness.Run(Network);

        foreach (var name in AllSteps)
        {
            foreach (var output in run.Steps(name).SelectMany(step => step.Outputs))
            {
                AssertPlainValue(output.Value, name, new HashSet<object>(ReferenceEqualityComparer.Instance));
            }
        }
    }

    private static readonly Type[] Forbidden = { typeof(ISymbol), typeof(SyntaxNode), typeof(Location), typeof(Compilation), typeof(SemanticModel), typeof(SyntaxTree) };

    /// <summary>Walks every field of a model, recursively (collections included), and fails on any Roslyn object.</summary>
    private static void AssertPlainValue(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum)
        {
            return;
        }
        var type = value.GetType();
        Assert.False(Forbidden.Any(f => f.IsAssignableFrom(type)), $"{path} holds a {type.Name}");
        if (!type.IsValueType && !seen.Add(value))
        {
            return;
        }
        if (value is IEnumerable items)
        {
            var i = 0;
            foreach (var item in items)
            {
                AssertPlainValue(item, $"{path}[{i++}]", seen);
            }
        }
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                Assert.False(Forbidden.Any(f => f.IsAssignableFrom(field.FieldType)), $"{path}.{field.Name} is declared as {field.FieldType.Name}");
                AssertPlainValue(field.GetValue(value), path + "." + field.Name, seen);
            }
        }
    }
}
