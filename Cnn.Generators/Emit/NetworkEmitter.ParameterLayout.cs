using System.Linq;

namespace Cnn.Generators.Emit;

internal static partial class NetworkEmitter
{
    private const string ParameterInfo = "global::Cnn.Runtime.Model.ParameterInfo";
    private const string RuntimeParameterRole = "global::Cnn.Runtime.Model.ParameterRole";

    /// <summary>The <c>ParameterLayout</c> property: every tensor's state_dict name, shape and arena offset, in state_dict order.</summary>
    private static void WriteParameterLayout(CodeWriter writer, EmitContext context)
    {
        writer.Doc("summary",
            "Every parameter and buffer in PyTorch's state_dict order, with its state_dict name, PyTorch shape and offset:",
            "learned tensors in the parameter arena (gradients at the same offsets in the gradient arena), running",
            "statistics in the buffer arena. BatchNorm's num_batches_tracked counters are not listed: they are one",
            "long per BatchNorm layer, in the order of the BatchNorm layers here.");
        writer.Line($"public static global::System.Collections.Generic.IReadOnlyList<{ParameterInfo}> ParameterLayout {{ get; }} = global::System.Array.AsReadOnly(new {ParameterInfo}[]");
        writer.Open();
        foreach (var slot in context.Parameters.Slots)
        {
            var shape = string.Join(", ", slot.Shape.Select(Literals.Int));
            writer.Line($"new {ParameterInfo}({Literals.String(slot.Name)}, {Literals.String(slot.Layer)}, new int[] {{ {shape} }}, {Literals.Int(slot.Offset)}, {RuntimeParameterRole}.{slot.Role}),");
        }
        writer.Close(");");
    }
}
