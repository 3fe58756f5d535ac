using Cnn.Generators.Models;

namespace Cnn.Generators.Emit;

/// <summary>What every section writer of <see cref="NetworkEmitter"/> reads: the spec, the shapes, and what is derived from them once.</summary>
internal sealed class EmitContext
{
    public EmitContext(NetworkSpec spec, InferredNetwork network)
    {
        Spec = spec;
        Network = network;
        Parameters = ParameterPlan.Of(network);
        SummaryText = NetworkEmitter.SummaryTableText(spec, network, Parameters);
    }

    public NetworkSpec Spec { get; }

    public InferredNetwork Network { get; }

    /// <summary>Where every parameter and buffer lives.</summary>
    public ParameterPlan Parameters { get; }

    /// <summary>The summary table exactly as <c>ModelSummary.ToString()</c> prints it.</summary>
    public string SummaryText { get; }
}
