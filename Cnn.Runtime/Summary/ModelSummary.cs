using System.Collections.Generic;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Summary;

/// <summary>
/// What a generated network is, computed at compile time: every layer's output shape, parameters,
/// multiply-adds, receptive field and activation size, and the totals. <see cref="ToString"/>
/// prints it as a Keras-like table (the same table the generated XML docs show on hover).
/// </summary>
/// <param name="Network">The network class's name.</param>
/// <param name="Input">The per-sample input shape.</param>
/// <param name="Output">The per-sample output shape.</param>
/// <param name="Layers">Every layer in order; a composition is followed by its inner layers (one level deeper).</param>
/// <param name="TotalParameters">Learned values (PyTorch's count).</param>
/// <param name="TotalBufferValues">Running-statistics values (BatchNorm's running mean and variance), not learned.</param>
/// <param name="TotalMultiplyAdds">Multiply-adds per sample of a forward pass.</param>
/// <param name="TotalActivationBytes">
/// Bytes per sample of every tensor a forward pass produces: each layer's output, and each
/// Residual's sum and Concat's concatenation; Repeat and Use produce no tensor of their own.
/// </param>
public sealed record ModelSummary(
    string Network,
    TensorShape Input,
    TensorShape Output,
    IReadOnlyList<LayerSummary> Layers,
    long TotalParameters,
    long TotalBufferValues,
    long TotalMultiplyAdds,
    long TotalActivationBytes)
{
    /// <summary>The summary as a Keras-like table, lines separated by <c>\n</c>.</summary>
    public override string ToString()
    {
        var rows = new List<SummaryTable.Row>(Layers.Count);
        foreach (var layer in Layers)
        {
            rows.Add(new SummaryTable.Row(
                layer.Name,
                layer.Kind,
                layer.Output.ToString(),
                layer.Parameters,
                layer.MultiplyAdds,
                layer.ReceptiveField,
                layer.ActivationBytes,
                layer.Depth));
        }
        var totals = new SummaryTable.Totals(TotalParameters, TotalBufferValues, TotalMultiplyAdds, TotalActivationBytes);
        return SummaryTable.Format(Network, Input.ToString(), rows, totals);
    }
}
