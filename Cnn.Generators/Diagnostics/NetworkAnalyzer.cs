using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Cnn.Generators.Models;
using Cnn.Generators.Parsing;
using Cnn.Generators.Shapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Cnn.Generators.Diagnostics;

/// <summary>
/// Reports every problem of a network in the IDE and on the command line. It runs the
/// generator's own parser and shape inference, so what it reports is exactly why the generator
/// emitted nothing, at real locations (and <c>#pragma warning disable</c> works).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NetworkAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The key under which a problem's <see cref="Problem.FixData"/> reaches the code fixes.</summary>
    public const string FixDataKey = "CnnFix";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => Descriptors.All;

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(AnalyzeType, SymbolKind.NamedType);
    }

    private static void AnalyzeType(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var attributes = type.GetAttributes();
        if (attributes.Any(DslNames.IsNetworkAttribute))
        {
            var spec = NetworkParser.Parse(type, context.CancellationToken);
            Report(context, new LocationResolver(type), Problems(spec).Where(p => !IsBlockOwn(p.At)));
        }
        else if (attributes.Any(DslNames.IsBlockAttribute))
        {
            Report(context, new LocationResolver(type), BlockDeclarationProblems(type));
        }
        else if (attributes.FirstOrDefault(DslNames.IsLayerAttribute) is { } layer)
        {
            var location = layer.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation() ?? type.Locations.FirstOrDefault();
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.ById[DiagnosticIds.MissingNetwork],
                location,
                $"'{type.Name}' has layer attributes but neither [Network(c, h, w)] nor [Block]: add [Network] with the input shape, or [Block] to reuse the layers"));
        }
    }

    /// <summary>Everything wrong with a parsed network; once it binds, shape inference's problems, which include the parser's.</summary>
    private static EquatableArray<Problem> Problems(NetworkSpec spec) =>
        spec.Incomplete ? spec.Problems : ShapeInference.Infer(spec).Problems;

    /// <summary>
    /// A problem of a block's own declaration, reached through no use site (its layers split over
    /// declarations): every network using the block finds it, so the block reports it, once.
    /// </summary>
    private static bool IsBlockOwn(SpecLocation at) => at.BlockId.Length > 0 && at.UseSite is null;

    /// <summary>The problems of a block class's declaration itself, found whether or not a network uses it.</summary>
    private static IEnumerable<Problem> BlockDeclarationProblems(INamedTypeSymbol block)
    {
        var problems = new List<Problem>();
        var incomplete = false;
        NetworkParser.ParseLayers(block, DslNames.IdOf(block), problems, ref incomplete);
        return problems.Where(p => IsBlockOwn(p.At));
    }

    private static void Report(SymbolAnalysisContext context, LocationResolver resolver, IEnumerable<Problem> problems)
    {
        foreach (var problem in problems)
        {
            var (primary, additional) = resolver.Resolve(problem.At);
            var properties = problem.FixData is null
                ? ImmutableDictionary<string, string?>.Empty
                : ImmutableDictionary<string, string?>.Empty.Add(FixDataKey, problem.FixData);
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.ById[problem.Id], primary, additional, properties, problem.Message));
        }
    }
}
