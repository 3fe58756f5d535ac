using System;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Data.Augmentations;

/// <summary>
/// A random transform of one C×H×W sample, applied in place in the batch buffer on values in
/// [0, 1] (before normalization). Its randomness comes only from the <see cref="SampleRandom"/>
/// it is handed, keyed by (seed, epoch, sample index): the result never depends on threads.
/// Implementations keep no per-call state, so one instance can serve concurrent batches.
/// </summary>
public abstract class Augmentation
{
    /// <summary>Throws when this augmentation cannot apply to samples of <paramref name="shape"/>; called once, when a loader is built.</summary>
    public virtual void Validate(TensorShape shape)
    {
    }

    /// <summary>Transforms <paramref name="sample"/> in place.</summary>
    /// <param name="sample">The C×H×W values of one sample.</param>
    /// <param name="shape">Its shape.</param>
    /// <param name="random">This sample's random sequence; draw from it, never from elsewhere.</param>
    /// <param name="scratch">Space of at least C·H·W floats whose contents may be overwritten.</param>
    public abstract void Apply(Span<float> sample, TensorShape shape, ref SampleRandom random, Span<float> scratch);
}
