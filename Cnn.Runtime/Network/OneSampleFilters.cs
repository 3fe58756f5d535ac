using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

/// <summary>
/// Worker 0's Winograd-transformed filters of the convolutions one-sample inference computes by Winograd
/// (<see cref="Conv2d.OneSampleTakesWinograd"/>), kept between passes: transforming 32·32 filters on every call cost what Winograd
/// saved on one sample. Each layer's entry keeps a copy of the weights it was transformed from, and every pass compares the layer's
/// weights with it bit for bit (a few KB, read by the pass anyway) before using it: weights changed by an optimizer step, a load, or
/// a write through <see cref="NetworkBase.Parameters"/> at any time are transformed again, so the values are always those of the
/// current weights. Entries are made on a layer's first one-sample pass; later passes allocate nothing.
/// </summary>
internal sealed class OneSampleFilters
{
    private readonly Dictionary<int, Entry> _entries = [];

    /// <summary>The transform of the layer's current weights.</summary>
    /// <param name="weightOffset">The layer's weight offset (one entry per layer).</param>
    /// <param name="g">The convolution (<see cref="Conv2d.OneSampleTakesWinograd"/>).</param>
    /// <param name="weights">Its weights now.</param>
    /// <returns>Their transform, valid until the next call for this layer.</returns>
    internal ReadOnlySpan<float> For(int weightOffset, in ConvGeometry g, ReadOnlySpan<float> weights)
    {
        weights = weights[..g.WeightLength];
        if (!_entries.TryGetValue(weightOffset, out var entry))
        {
            entry = new Entry(new float[g.WeightLength], new float[Conv2d.TransformedFilterLength(g)]);
            _entries.Add(weightOffset, entry);
        }
        else if (MemoryMarshal.Cast<float, int>(weights).SequenceEqual(MemoryMarshal.Cast<float, int>(entry.Weights)))
        {
            return entry.Filters;
        }
        weights.CopyTo(entry.Weights);
        Conv2d.TransformFilters(g, weights, entry.Filters);
        return entry.Filters;
    }

    /// <summary>A layer's weights as last transformed, and their transform.</summary>
    private sealed record Entry(float[] Weights, float[] Filters);
}
