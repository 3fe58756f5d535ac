using System;
using System.Collections.Immutable;
using System.Threading;
using Cnn.Generators.Emit;
using Cnn.Generators.Models;
using Cnn.Generators.Parsing;
using Cnn.Generators.Shapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Cnn.Generators;

/// <summary>
/// Completes every <c>[Network]</c> partial class: parse the attributes, infer shapes, and emit
/// the code for networks without errors. It reports nothing (<see cref="Diagnostics.NetworkAnalyzer"/>
/// reports the problems, from the same parser and inference) and never throws: a network it
/// cannot handle gets no code, and the analyzer says why.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                DslNames.NetworkAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (attributeContext, cancellationToken) => Parse(attributeContext, cancellationToken))
            .WithTrackingName(TrackingNames.Parse);

        // SelectMany with zero or one result filters and unwraps in one step, so every node is tracked.
        var complete = parsed
            .SelectMany(static (spec, _) => spec is { Incomplete: false } ? ImmutableArray.Create(spec) : ImmutableArray<NetworkSpec>.Empty)
            .WithTrackingName(TrackingNames.Complete);

        var inferred = complete
            .SelectMany(static (spec, cancellationToken) => Infer(spec, cancellationToken))
            .WithTrackingName(TrackingNames.Infer);

        var valid = inferred
            .Where(static model => !model.Network.HasErrors)
            .WithTrackingName(TrackingNames.Valid);

        var files = valid
            .SelectMany(static (model, cancellationToken) => Emit(model, cancellationToken))
            .WithTrackingName(TrackingNames.Emit);

        context.RegisterSourceOutput(files, static (output, file) => output.AddSource(file.HintName, file.Text));
    }

    /// <summary>
    /// The network's spec, parsed once per class: from the declaration carrying its first
    /// <c>[Network]</c> attribute (a duplicated attribute on another partial declaration, a
    /// compile error, would otherwise emit the same file twice).
    /// </summary>
    private static NetworkSpec? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type)
        {
            return null;
        }
        foreach (var attribute in type.GetAttributes())
        {
            if (DslNames.IsNetworkAttribute(attribute))
            {
                var declaration = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).Parent?.Parent;
                if (declaration != context.TargetNode)
                {
                    return null;
                }
                break;
            }
        }
        return Guard(() => NetworkParser.Parse(type, cancellationToken), cancellationToken);
    }

    private static ImmutableArray<InferredModel> Infer(NetworkSpec spec, CancellationToken cancellationToken) =>
        OneOrNone(Guard(() => new InferredModel(spec, ShapeInference.Infer(spec)), cancellationToken));

    private static ImmutableArray<GeneratedFile> Emit(InferredModel model, CancellationToken cancellationToken) =>
        OneOrNone(Guard(() => new GeneratedFile(model.Spec.Type.HintName, NetworkEmitter.Emit(model.Spec, model.Network)), cancellationToken));

    private static ImmutableArray<T> OneOrNone<T>(T? item)
        where T : class => item is null ? ImmutableArray<T>.Empty : ImmutableArray.Create(item);

    /// <summary>
    /// Runs a step so that a bug in it costs one network its code rather than failing the whole
    /// generator (which would drop every network's code); cancellation still propagates.
    /// </summary>
    private static T? Guard<T>(Func<T> step, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return step();
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
