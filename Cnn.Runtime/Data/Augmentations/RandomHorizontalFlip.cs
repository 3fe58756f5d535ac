using System;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Data.Augmentations;

/// <summary>Mirrors the sample left to right with probability <see cref="Probability"/> (torchvision's <c>RandomHorizontalFlip</c>).</summary>
public sealed class RandomHorizontalFlip : Augmentation
{
    /// <summary>Creates the flip.</summary>
    /// <param name="probability">Chance of flipping a sample, in [0, 1].</param>
    public RandomHorizontalFlip(float probability = 0.5f)
    {
        if (!(probability >= 0 && probability <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "the probability must be in [0, 1]");
        }
        Probability = probability;
    }

    /// <summary>Chance of flipping a sample.</summary>
    public float Probability { get; }

    /// <inheritdoc/>
    public override void Apply(Span<float> sample, TensorShape shape, ref SampleRandom random, Span<float> scratch)
    {
        if (random.NextBool(Probability))
        {
            Flip(sample, shape);
        }
    }

    /// <summary>Reverses every row of every channel of <paramref name="sample"/> in place.</summary>
    public static void Flip(Span<float> sample, TensorShape shape)
    {
        for (var row = 0; row < shape.C * shape.H; row++)
        {
            sample.Slice(row * shape.W, shape.W).Reverse();
        }
    }
}
