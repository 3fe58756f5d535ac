using System.Collections.Generic;

namespace Cnn.Generators.Emit;

internal static partial class NetworkEmitter
{
    /// <summary>Shapes, sizes and arena lengths as compile-time constants.</summary>
    private static void WriteConstants(CodeWriter writer, EmitContext context)
    {
        var input = context.Network.Input;
        var output = context.Network.Output;
        var plan = context.Parameters;
        var constants = new List<(string Doc, string Declaration)>
        {
            ($"Channels of one input sample ({input}).", Int("InputChannels", input.C)),
            ($"Height of one input sample ({input}).", Int("InputHeight", input.H)),
            ($"Width of one input sample ({input}).", Int("InputWidth", input.W)),
            (output.IsVector ? $"Values of one output sample ({output}), a vector." : $"Channels of one output sample ({output}).", Int("OutputChannels", output.C)),
            ($"Height of one output sample ({output}; 1 for a vector).", Int("OutputHeight", output.H)),
            ($"Width of one output sample ({output}; 1 for a vector).", Int("OutputWidth", output.W)),
            ("Whether the output is a vector (after Flatten or Dense) rather than a C×H×W map.",
                $"public const bool OutputIsVector = {Literals.Bool(output.IsVector)};"),
            ("Learned values, counted as PyTorch counts them (BatchNorm's γ and β, not its running statistics).",
                Size("ParameterCount", plan.ParameterCount)),
            ("Running-statistics values (BatchNorm's running mean and variance): state, not learned.",
                Size("BufferCount", plan.BufferCount)),
            ($"Floats in the parameter arena (and in the gradient arena): every parameter, each starting on a multiple of {ParameterPlan.Alignment} floats.",
                Size("ParameterArenaLength", plan.ParameterArenaLength)),
            ($"Floats in the buffer arena: every running statistic, each starting on a multiple of {ParameterPlan.Alignment} floats.",
                Size("BufferArenaLength", plan.BufferArenaLength)),
            ("BatchNorm layers, which is also the number of num_batches_tracked counters.",
                Int("BatchNormCount", plan.BatchNorms.Count)),
        };
        for (var i = 0; i < constants.Count; i++)
        {
            if (i > 0)
            {
                writer.Line();
            }
            writer.Doc("summary", Literals.Xml(constants[i].Doc));
            writer.Line(constants[i].Declaration);
        }
    }

    private static string Int(string name, int value) => $"public const int {name} = {Literals.Int(value)};";

    /// <summary>An <c>int</c> constant when the value fits (every network that fits in memory), else a <c>long</c>.</summary>
    private static string Size(string name, long value) => value <= int.MaxValue
        ? Int(name, (int)value)
        : $"public const long {name} = {Literals.Long(value)};";
}
