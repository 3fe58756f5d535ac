using System.Collections.Generic;
using System.Linq;
using Cnn.Generators.Models;

namespace Cnn.Generators.Emit;

internal static partial class NetworkEmitter
{
    private const string ModelSummary = "global::Cnn.Runtime.Summary.ModelSummary";
    private const string LayerSummary = "global::Cnn.Runtime.Summary.LayerSummary";
    private const string TensorShape = "global::Cnn.Runtime.Model.TensorShape";

    /// <summary>The <c>Summary</c> property: the same rows and totals the table shows, as runtime values.</summary>
    private static void WriteSummary(CodeWriter writer, EmitContext context)
    {
        var network = context.Network;
        var lines = new List<string> { "Layer by layer: output shape, parameters, multiply-adds, receptive field and activation size, as <c>ToString()</c> prints them:" };
        lines.AddRange(CodeBlock(context.SummaryText));
        writer.Doc("summary", lines.ToArray());
        writer.Line($"public static {ModelSummary} Summary {{ get; }} = new {ModelSummary}(");
        writer.Indent();
        writer.Line(Literals.String(context.Spec.Type.Name) + ",");
        writer.Line(ShapeLiteral(network.Input) + ",");
        writer.Line(ShapeLiteral(network.Output) + ",");
        writer.Line($"global::System.Array.AsReadOnly(new {LayerSummary}[]");
        writer.Open();
        foreach (var row in Rows(context.Spec, network))
        {
            writer.Line($"new {LayerSummary}({Literals.String(row.Name)}, {Literals.String(row.Kind)}, {ShapeLiteral(row.Layer.Out)}, " +
                $"{Literals.Long(row.Layer.Parameters)}, {Literals.Long(row.Layer.MultiplyAdds)}, {Literals.Int(row.Layer.ReceptiveField)}, " +
                $"{Literals.Long(row.Layer.ActivationBytes)}, {Literals.Int(row.Depth)}),");
        }
        writer.Close("),");
        var totals = Totals(network, context.Parameters);
        writer.Line($"{Literals.Long(totals.Parameters)}, {Literals.Long(totals.BufferValues)}, {Literals.Long(totals.MultiplyAdds)}, {Literals.Long(totals.ActivationBytes)});");
        writer.Unindent();
    }

    /// <summary>The summary table, computed with the same formatter the runtime's <c>ModelSummary.ToString()</c> uses.</summary>
    internal static string SummaryTableText(NetworkSpec spec, InferredNetwork network, ParameterPlan parameters)
    {
        var rows = Rows(spec, network)
            .Select(row => new SummaryTable.Row(row.Name, row.Kind, row.Layer.Out.ToString(), row.Layer.Parameters,
                row.Layer.MultiplyAdds, row.Layer.ReceptiveField, row.Layer.ActivationBytes, row.Depth))
            .ToList();
        return SummaryTable.Format(spec.Type.Name, network.Input.ToString(), rows, Totals(network, parameters));
    }

    private static IEnumerable<(LayerNode Layer, string Name, string Kind, int Depth)> Rows(NetworkSpec spec, InferredNetwork network) =>
        LayerWalk.All(network.Layers).Select(entry => (entry.Layer, entry.Layer.Path, KindText(spec, entry.Layer), entry.Depth));

    private static SummaryTable.Totals Totals(InferredNetwork network, ParameterPlan parameters)
    {
        long multiplyAdds = 0;
        long parameterCount = 0;
        foreach (var layer in network.Layers)
        {
            multiplyAdds += layer.MultiplyAdds;
            parameterCount += layer.Parameters;
        }
        var activations = LayerWalk.All(network.Layers)
            .Where(entry => LayerWalk.ProducesTensor(entry.Layer))
            .Sum(entry => entry.Layer.ActivationBytes);
        return new SummaryTable.Totals(parameterCount, parameters.BufferCount, multiplyAdds, activations);
    }

    /// <summary>The kind as the user wrote it: <c>Conv</c>, or a composition with its blocks' names (<c>Residual&lt;Basic, Projection&gt;</c>).</summary>
    private static string KindText(NetworkSpec spec, LayerNode layer)
    {
        if (layer.Spec.Blocks.Count == 0)
        {
            return layer.Kind.ToString();
        }
        var blocks = layer.Spec.Blocks.Select(id => spec.FindBlock(id)?.Name ?? id);
        return layer.Kind + "<" + string.Join(", ", blocks) + ">";
    }

    private static string ShapeLiteral(Shape shape) =>
        $"new {TensorShape}({Literals.Int(shape.C)}, {Literals.Int(shape.H)}, {Literals.Int(shape.W)}, {Literals.Bool(shape.IsVector)})";
}
