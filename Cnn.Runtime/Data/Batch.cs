using System;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Data;

/// <summary>
/// Preallocated storage for one batch, filled in place by <see cref="DataLoader.Fill"/> and
/// reused from batch to batch. The buffers have room for <see cref="Capacity"/> samples; the
/// first <see cref="Count"/> are valid (fewer in an epoch's last, partial batch).
/// </summary>
public sealed class Batch
{
    internal Batch(int capacity, TensorShape sampleShape)
    {
        Capacity = capacity;
        SampleShape = sampleShape;
        ImageBuffer = new float[(long)capacity * sampleShape.Elements];
        LabelBuffer = new int[capacity];
        IndexBuffer = new int[capacity];
        Scratch = new float[sampleShape.Elements];
    }

    /// <summary>Most samples this batch can hold (the loader's batch size).</summary>
    public int Capacity { get; }

    /// <summary>Valid samples.</summary>
    public int Count { get; internal set; }

    /// <summary>C×H×W of one sample.</summary>
    public TensorShape SampleShape { get; }

    /// <summary>The epoch this batch was filled for.</summary>
    public int Epoch { get; internal set; }

    /// <summary>Its position in that epoch.</summary>
    public int Index { get; internal set; }

    /// <summary>The valid images, <see cref="Count"/>×C×H×W, augmented and normalized.</summary>
    public Span<float> Images => ImageBuffer.AsSpan(0, Count * SampleShape.Elements);

    /// <summary>The valid labels.</summary>
    public ReadOnlySpan<int> Labels => LabelBuffer.AsSpan(0, Count);

    /// <summary>Each sample's index in the dataset.</summary>
    public ReadOnlySpan<int> Indices => IndexBuffer.AsSpan(0, Count);

    /// <summary>The whole image buffer, for code that hands array segments to worker threads; only the first <see cref="Count"/> samples are valid.</summary>
    public float[] ImageBuffer { get; }

    /// <summary>The whole label buffer; only the first <see cref="Count"/> are valid.</summary>
    public int[] LabelBuffer { get; }

    internal int[] IndexBuffer { get; }

    // One sample of working space for augmentations, so batches filled in parallel never share it.
    internal float[] Scratch { get; }
}
