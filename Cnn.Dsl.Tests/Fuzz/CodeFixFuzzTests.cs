using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Cnn.Dsl.Tests.CodeFixes;
using Cnn.Generators.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Xunit.Abstractions;

namespace Cnn.Dsl.Tests.Fuzz;

/// <summary>
/// The code fixes on random, mostly malformed networks: every action they offer applies without
/// throwing and leaves source that parses no worse than before.
/// </summary>
public class CodeFixFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 7_340_033;
    private const int Cases = 120;

    private static readonly CodeFixProvider[] Providers = [new InsertFlattenCodeFix(), new MakePartialCodeFix(), new KeepRowsPaddingCodeFix()];

    [Fact]
    public async Task Code_fixes_on_random_networks_apply_cleanly()
    {
        var sources = new FuzzSources(Seed);
        var failures = new List<string>();
        var applied = 0;
        for (var index = 0; index < Cases; index++)
        {
            var source = WithFixableMistakes(sources.Next(index), index);
            try
            {
                applied += await ApplyEveryFixAsync(source);
            }
            catch (Exception exception)
            {
                failures.Add($"case {index} (seed {Seed}):\n{source}\n{exception}");
            }
        }
        output.WriteLine($"{Cases} cases: {applied} fixes applied");

        Assert.True(failures.Count == 0, $"{failures.Count} of {Cases} cases failed; the first:\n" + string.Join("\n\n", failures.Take(3)));
        Assert.True(applied >= 20, $"only {applied} fixes were applied");
    }

    /// <summary>Random networks stop inferring at their first error; these mistakes give the fixes more to do.</summary>
    private static string WithFixableMistakes(string source, int index) =>
        (index % 4) switch
        {
            0 => source.Replace("[Flatten, Dense(10)]\n", "[Dense(10)]\n", StringComparison.Ordinal),
            1 => source.Replace("public partial class Net", "public class Net", StringComparison.Ordinal),
            2 => source.Replace("stride: 1", "stride: 3", StringComparison.Ordinal).Replace("Conv(1, 3)", "Conv(1, 3, stride: 3)", StringComparison.Ordinal),
            _ => source,
        };

    private static async Task<int> ApplyEveryFixAsync(string source)
    {
        var project = CodeFixRun.Project(source);
        var syntaxErrors = await SyntaxErrorsAsync(project);
        var applied = 0;
        foreach (var diagnostic in await CodeFixRun.DiagnosticsAsync(project))
        {
            foreach (var provider in Providers.Where(p => p.FixableDiagnosticIds.Contains(diagnostic.Id)))
            {
                foreach (var action in await CodeFixRun.ActionsAsync(provider, project, diagnostic))
                {
                    var fixedProject = await CodeFixRun.ApplyAsync(action, project);
                    Assert.True(await SyntaxErrorsAsync(fixedProject) <= syntaxErrors, $"{action.Title} broke the syntax:\n{await CodeFixRun.TextAsync(fixedProject)}");
                    applied++;
                }
            }
        }
        return applied;
    }

    private static async Task<int> SyntaxErrorsAsync(Project project)
    {
        var count = 0;
        foreach (var document in project.Documents)
        {
            var tree = await document.GetSyntaxTreeAsync();
            count += tree!.GetDiagnostics().Count(d => d.Severity == DiagnosticSeverity.Error);
        }
        return count;
    }
}
