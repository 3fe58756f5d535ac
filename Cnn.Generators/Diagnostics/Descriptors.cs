using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Cnn.Generators.Diagnostics;

/// <summary>
/// One descriptor per id. Messages are finished by the parser or shape inference (they know
/// the layer, index, shapes and rule), so every format is just <c>{0}</c>.
/// </summary>
internal static class Descriptors
{
    private const string Shapes = "CnnDsl.Shapes";
    private const string Declarations = "CnnDsl.Declarations";

    public static readonly DiagnosticDescriptor NonPositiveOutput = new(
        DiagnosticIds.NonPositiveOutput, "Layer output has no rows or columns", "{0}", Shapes, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NeedsFlatten = new(
        DiagnosticIds.NeedsFlatten, "Layer needs a vector: insert Flatten", "{0}", Shapes, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NeedsSpatial = new(
        DiagnosticIds.NeedsSpatial, "Layer needs channels × height × width", "{0}", Shapes, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidArgument = new(
        DiagnosticIds.InvalidArgument, "Layer argument out of range", "{0}", Shapes, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ResidualMismatch = new(
        DiagnosticIds.ResidualMismatch, "Residual sides disagree in shape", "{0}", Shapes, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ConcatMismatch = new(
        DiagnosticIds.ConcatMismatch, "Concat branches disagree in size", "{0}", Shapes, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor BlockCycle = new(
        DiagnosticIds.BlockCycle, "Block uses itself", "{0}", Declarations, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NotPartial = new(
        DiagnosticIds.NotPartial, "Network class must be partial", "{0}", Declarations, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor MissingNetwork = new(
        DiagnosticIds.MissingNetwork, "Layers without [Network] or [Block]", "{0}", Declarations, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SplitDeclarations = new(
        DiagnosticIds.SplitDeclarations, "Layer attributes on several declarations", "{0}", Declarations, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DropsInput = new(
        DiagnosticIds.DropsInput, "Stride or pooling drops input rows or columns", "{0}", Shapes, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SoftmaxBeforeLoss = new(
        DiagnosticIds.SoftmaxBeforeLoss, "Softmax before the loss", "{0}", Shapes, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NotABlock = new(
        DiagnosticIds.NotABlock, "Composition of a class that is not a [Block]", "{0}", Declarations, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor MissingBlockArgument = new(
        DiagnosticIds.MissingBlockArgument, "Block placeholder without a value", "{0}", Declarations, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidDeclaration = new(
        DiagnosticIds.InvalidDeclaration, "Invalid network declaration", "{0}", Declarations, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateName = new(
        DiagnosticIds.DuplicateName, "Two layers with the same name", "{0}", Declarations, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static ImmutableArray<DiagnosticDescriptor> All { get; } = ImmutableArray.Create(
        NonPositiveOutput, NeedsFlatten, NeedsSpatial, InvalidArgument, ResidualMismatch, ConcatMismatch, BlockCycle, NotPartial, MissingNetwork, SplitDeclarations, DropsInput, SoftmaxBeforeLoss, NotABlock, MissingBlockArgument, InvalidDeclaration, DuplicateName);

    public static ImmutableDictionary<string, DiagnosticDescriptor> ById { get; } = All.ToImmutableDictionary(d => d.Id);
}
