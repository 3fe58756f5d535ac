using System;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Data.Augmentations;

/// <summary>
/// Pads the sample by <see cref="Padding"/> on every side with <see cref="Fill"/>, then crops a
/// window of the original size at a uniformly random offset: the CIFAR-style
/// <c>RandomCrop(32, padding: 4)</c>. With padding 0 it is the identity.
/// </summary>
public sealed class RandomCrop : Augmentation
{
    /// <summary>Creates the crop.</summary>
    /// <param name="padding">Pixels added on each side; the window moves by up to this much each way.</param>
    /// <param name="fill">Value of the padding (0, black, as torchvision).</param>
    public RandomCrop(int padding, float fill = 0f)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        Padding = padding;
        Fill = fill;
    }

    /// <summary>Pixels added on each side.</summary>
    public int Padding { get; }

    /// <summary>Value of the padding.</summary>
    public float Fill { get; }

    /// <inheritdoc/>
    public override void Apply(Span<float> sample, TensorShape shape, ref SampleRandom random, Span<float> scratch)
    {
        var top = random.NextInt(2 * Padding + 1);
        var left = random.NextInt(2 * Padding + 1);
        if (top == Padding && left == Padding)
        {
            return;
        }
        var source = scratch[..sample.Length];
        sample.CopyTo(source);
        Crop(source, sample, shape, Padding, top, left, Fill);
    }

    /// <summary>
    /// Writes into <paramref name="destination"/> the H×W window at (<paramref name="top"/>,
    /// <paramref name="left"/>) of <paramref name="source"/> padded by <paramref name="padding"/>:
    /// <c>dst[c, y, x] = src[c, y + top − padding, x + left − padding]</c>, or <paramref name="fill"/> outside.
    /// </summary>
    public static void Crop(ReadOnlySpan<float> source, Span<float> destination, TensorShape shape, int padding, int top, int left, float fill)
    {
        int h = shape.H, w = shape.W;
        var dx = left - padding;
        // Columns of the output row that read inside the source row: x + dx in [0, w).
        var firstInside = Math.Clamp(-dx, 0, w);
        var endInside = Math.Clamp(w - dx, firstInside, w);
        for (var c = 0; c < shape.C; c++)
        {
            for (var y = 0; y < h; y++)
            {
                var row = destination.Slice((c * h + y) * w, w);
                var sy = y + top - padding;
                if (sy < 0 || sy >= h)
                {
                    row.Fill(fill);
                    continue;
                }
                row[..firstInside].Fill(fill);
                if (endInside > firstInside)
                {
                    source.Slice((c * h + sy) * w + firstInside + dx, endInside - firstInside).CopyTo(row[firstInside..endInside]);
                }
                row[endInside..].Fill(fill);
            }
        }
    }
}
