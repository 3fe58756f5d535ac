using System.Collections.Generic;
using Cnn.Generators.Diagnostics;
using Cnn.Generators.Models;
using static System.FormattableString;

namespace Cnn.Generators.Shapes;

/// <summary>
/// Shape inference, the heart of the generator: a pure, total function from a parsed network to
/// every layer's shapes, names and costs, or the problems that make it invalid. It never throws
/// and always ends, for any spec: garbage numbers, placeholders without values, missing or
/// cyclic blocks (expansion is capped at <see cref="InferenceContext.ExpansionBudget"/> layers
/// and <see cref="InferenceContext.MaxDepth"/> levels of nesting). The rules are PyTorch's.
/// </summary>
internal static class ShapeInference
{
    /// <summary>
    /// Infers <paramref name="spec"/>. <see cref="InferredNetwork.Problems"/> holds the parser's
    /// problems first, then inference's, each (id, location) once. After an error the shape is
    /// unknown: later layers still have their arguments, names and blocks checked, but get no
    /// <see cref="LayerNode"/>, so <see cref="InferredNetwork.Layers"/> then holds the layers
    /// inferred before it and <see cref="InferredNetwork.Output"/> is the default shape. An
    /// incomplete spec (an attribute that does not bind) is not inferred at all.
    /// </summary>
    public static InferredNetwork Infer(NetworkSpec spec)
    {
        var input = Shape.Map(spec.Channels, spec.Height, spec.Width);
        if (spec.Incomplete)
        {
            return new InferredNetwork(input, default, EquatableArray<LayerNode>.Empty, Distinct(spec.Problems, new List<Problem>()));
        }
        var context = new InferenceContext(spec);
        var start = CheckInput(spec, input, context) ? Flow.Start(input) : Flow.Start(input).Unknown;
        var layers = new List<LayerNode>();
        var end = SequenceInference.Run(spec.Layers, null, new Scope(""), start, layers, context);
        var problems = new List<Problem>(context.Problems);
        CheckTotal(spec, layers, problems);
        return new InferredNetwork(input, end.Shape ?? default, layers.ToEquatableArray(), Distinct(spec.Problems, problems));
    }

    /// <summary>The input must be positive in every dimension, given as numbers rather than placeholders, and fit an array.</summary>
    private static bool CheckInput(NetworkSpec spec, Shape input, InferenceContext context)
    {
        var valid = true;
        foreach (var (parameter, value) in new[] { ("channels", spec.Channels), ("height", spec.Height), ("width", spec.Width) })
        {
            var at = new SpecLocation("", spec.InputAttributeIndex, parameter);
            if (Placeholders.IsPlaceholder(value))
            {
                context.Report(DiagnosticIds.MissingBlockArgument, at,
                    $"Network input uses Arg.{Placeholders.Letter(Placeholders.IndexOf(value))} for {parameter}, but placeholders only have values inside a [Block]: write the value itself");
                valid = false;
            }
            else if (value < 1)
            {
                context.Report(DiagnosticIds.InvalidArgument, at, Invariant($"Network input {input}: {parameter} must be at least 1, not {value}"));
                valid = false;
            }
        }
        if (valid && input.Elements > int.MaxValue)
        {
            context.Report(DiagnosticIds.InvalidArgument, new SpecLocation("", spec.InputAttributeIndex),
                Invariant($"Network input {input} has {LayerText.Count(input.Elements)} values per sample, more than an array holds ({LayerText.Count(int.MaxValue)})"));
            valid = false;
        }
        return valid;
    }

    /// <summary>All parameters live in one float arena, so together they must fit one array.</summary>
    private static void CheckTotal(NetworkSpec spec, List<LayerNode> layers, List<Problem> problems)
    {
        long total = 0;
        foreach (var layer in layers)
        {
            total = SpatialArithmetic.Add(total, layer.Parameters);
        }
        if (total > int.MaxValue)
        {
            problems.Add(new Problem(DiagnosticIds.InvalidArgument, SpecLocation.Class(),
                Invariant($"Network {spec.Type.Name} has {LayerText.Count(total)} parameters, more than one array holds ({LayerText.Count(int.MaxValue)})")));
        }
    }

    private static EquatableArray<Problem> Distinct(EquatableArray<Problem> parsed, List<Problem> inferred)
    {
        var seen = new HashSet<(string, SpecLocation)>();
        var result = new List<Problem>();
        foreach (var problem in parsed)
        {
            if (seen.Add((problem.Id, problem.At)))
            {
                result.Add(problem);
            }
        }
        foreach (var problem in inferred)
        {
            if (seen.Add((problem.Id, problem.At)))
            {
                result.Add(problem);
            }
        }
        return result.ToEquatableArray();
    }
}
