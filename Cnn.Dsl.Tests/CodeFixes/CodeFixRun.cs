using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Cnn.Dsl.Tests.Diagnostics;
using Cnn.Dsl.Tests.Infrastructure;
using Cnn.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;

namespace Cnn.Dsl.Tests.CodeFixes;

/// <summary>
/// Applies a code fix the way the IDE does: sources in an <see cref="AdhocWorkspace"/>, the
/// analyzer's diagnostics, the provider's registered actions, their changed solution.
/// </summary>
internal static class CodeFixRun
{
    /// <summary>A one-project solution with the sources as <c>Network.cs</c>, <c>File1.cs</c>…, referencing the attribute language.</summary>
    public static Project Project(params string[] sources)
    {
        var workspace = new AdhocWorkspace();
        var projectId = ProjectId.CreateNewId();
        var project = workspace.CurrentSolution
            .AddProject(ProjectInfo.Create(
                projectId,
                VersionStamp.Default,
                "UserProject",
                "UserProject",
                LanguageNames.CSharp,
                compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
                parseOptions: TestCompilation.ParseOptions,
                metadataReferences: TestCompilation.MetadataReferences))
            .GetProject(projectId)!;
        for (var i = 0; i < sources.Length; i++)
        {
            project = project.AddDocument(i == 0 ? "Network.cs" : $"File{i}.cs", sources[i], filePath: i == 0 ? "Network.cs" : $"File{i}.cs").Project;
        }
        return project;
    }

    /// <summary>The CNN diagnostics of a project, in source order.</summary>
    public static async Task<ImmutableArray<Diagnostic>> DiagnosticsAsync(Project project)
    {
        var compilation = await project.GetCompilationAsync(CancellationToken.None);
        return AnalyzerRun.All(compilation!).Where(d => d.Id.StartsWith("CNN", StringComparison.Ordinal)).ToImmutableArray();
    }

    /// <summary>Applies <paramref name="provider"/>'s fix to the first diagnostic with <paramref name="id"/>; returns the fixed project and the action's title.</summary>
    public static async Task<(Project Fixed, string Title)> FixFirstAsync(CodeFixProvider provider, string id, Project project)
    {
        var diagnostic = (await DiagnosticsAsync(project)).FirstOrDefault(d => d.Id == id);
        Assert.True(diagnostic is not null, $"no {id} to fix");
        var action = Assert.Single(await ActionsAsync(provider, project, diagnostic!));
        return (await ApplyAsync(action, project), action.Title);
    }

    /// <summary>The actions <paramref name="provider"/> registers for one diagnostic of <paramref name="project"/>.</summary>
    public static async Task<IReadOnlyList<CodeAction>> ActionsAsync(CodeFixProvider provider, Project project, Diagnostic diagnostic)
    {
        var document = project.GetDocument(diagnostic.Location.SourceTree)!;
        var actions = new List<CodeAction>();
        await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));
        return actions;
    }

    /// <summary>Fixes every diagnostic with <paramref name="id"/> in the solution at once, through the provider's FixAll.</summary>
    public static async Task<Project> FixAllAsync(CodeFixProvider provider, string id, string equivalenceKey, Project project)
    {
        var diagnostics = (await DiagnosticsAsync(project)).Where(d => d.Id == id).ToImmutableArray();
        Assert.NotEmpty(diagnostics);
        var fixAll = provider.GetFixAllProvider()!;
        var context = new FixAllContext(
            project.GetDocument(diagnostics[0].Location.SourceTree)!,
            provider,
            FixAllScope.Solution,
            equivalenceKey,
            new[] { id },
            new KnownDiagnostics(diagnostics),
            CancellationToken.None);
        var action = await fixAll.GetFixAsync(context);
        Assert.NotNull(action);
        return await ApplyAsync(action!, project);
    }

    /// <summary>The text of a project's document by name.</summary>
    public static async Task<string> TextAsync(Project project, string name = "Network.cs") =>
        (await project.Documents.Single(d => d.Name == name).GetTextAsync()).ToString();

    /// <summary>Compiler errors of a project (the generator does not run here, so a fixed network must compile on its own).</summary>
    public static async Task<IReadOnlyList<string>> ErrorsAsync(Project project) =>
        TestCompilation.Errors((await project.GetCompilationAsync())!);

    /// <summary>The project as <paramref name="action"/> changes it.</summary>
    public static async Task<Project> ApplyAsync(CodeAction action, Project project)
    {
        var operations = await action.GetOperationsAsync(CancellationToken.None);
        var apply = Assert.Single(operations.OfType<ApplyChangesOperation>());
        return apply.ChangedSolution.GetProject(project.Id)!;
    }

    private sealed class KnownDiagnostics(ImmutableArray<Diagnostic> diagnostics) : FixAllContext.DiagnosticProvider
    {
        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) =>
            Task.FromResult(diagnostics.Where(d => d.Location.SourceTree?.FilePath == document.FilePath));

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult(Enumerable.Empty<Diagnostic>());

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);
    }
}
