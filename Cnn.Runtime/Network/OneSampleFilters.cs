using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

/// <summary>
/// Worker 0's filters in the form a one-sample kernel reads them, kept between passes: Winograd-transformed for the convolutions
/// one-sample inference computes by Winograd (<see cref="Conv2d.OneSampleTakesWinograd"/>; transforming 32·32 filters on every call
/// cost what Winograd saved on one sample), F(2×2, 3×3) or F(4×4, 3×3) (<see cref="SharedWinograd.TakesF4"/>), and packed by blocks of 16 filters for <see cref="FilterLanePool"/>. Each layer's entry
/// keeps a copy of the weights it was transformed from, and every pass compares the layer's weights with it bit for bit (a few KB, read by the pass anyway) before using it: weights changed by an optimizer step, a load, or
/// a write through <see cref="NetworkBase.Parameters"/> at any time are transformed again, so the values are always those of the
/// current weights. Entries are made on a layer's first one-sample pass; later passes allocate nothing.
/// </summary>
internal sealed class OneSampleFilters
{
    private readonly Dictionary<int, Entry> _entries = [];

    /// <summary>The transform of the layer's current weights.</summary>
    /// <param name="weightOffset">The layer's weight offset (one entry per layer, and a layer takes one form).</param>
    /// <param name="g">The convolution (<see cref="Conv2d.OneSampleTakesWinograd"/>, or <see cref="FilterLanePool.Supports"/> for the packed form).</param>
    /// <param name="weights">Its weights now.</param>
    /// <param name="form">The form its kernel reads.</param>
    /// <returns>Their transform, valid until the next call for this layer.</returns>
    internal ReadOnlySpan<float> For(int weightOffset, in ConvGeometry g, ReadOnlySpan<float> weights, KeptFilterForm form = KeptFilterForm.Winograd)
    {
        weights = weights[..g.WeightLength];
        if (!_entries.TryGetValue(weightOffset, out var entry))
        {
            var length = form switch
            {
                KeptFilterForm.Winograd => Conv2d.TransformedFilterLength(g),
                KeptFilterForm.WinogradF4 => WinogradF4.FilterLength(g),
                _ => FilterLanePool.PackedLength(g),
            };
            entry = new Entry(new float[g.WeightLength], new float[length]);
            _entries.Add(weightOffset, entry);
        }
        else if (MemoryMarshal.Cast<float, int>(weights).SequenceEqual(MemoryMarshal.Cast<float, int>(entry.Weights)))
        {
            return entry.Filters;
        }
        weights.CopyTo(entry.Weights);
        switch (form)
        {
            case KeptFilterForm.Winograd:
                Conv2d.TransformFilters(g, weights, entry.Filters);
                break;
            case KeptFilterForm.WinogradF4:
                WinogradF4.TransformFilters(g, weights, entry.Filters);
                break;
            default:
                FilterLanePool.Pack(g, weights, entry.Filters);
                break;
        }
        return entry.Filters;
    }

    /// <summary>A layer's weights as last transformed, and their transform.</summary>
    private sealed record Entry(float[] Weights, float[] Filters);
}

/// <summary>The forms <see cref="OneSampleFilters"/> keeps a layer's filters in.</summary>
internal enum KeptFilterForm
{
    /// <summary>Winograd-transformed (<see cref="Conv2d.TransformFilters"/>).</summary>
    Winograd,

    /// <summary>Winograd F(4×4, 3×3)-transformed (<see cref="WinogradF4.TransformFilters"/>).</summary>
    WinogradF4,

    /// <summary>Packed by blocks of 16 filters (<see cref="FilterLanePool.Pack"/>).</summary>
    FilterLanes,
}
