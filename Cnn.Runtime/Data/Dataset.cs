using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Data;

/// <summary>
/// Labelled images held in memory: <see cref="Count"/> samples of <see cref="SampleShape"/>
/// (C×H×W), stored N×C×H×W as float32 scaled to [0, 1] (PyTorch's <c>ToTensor</c>), and one
/// class label per sample in [0, <see cref="ClassCount"/>). Immutable once built.
/// </summary>
public sealed class Dataset
{
    private readonly float[] _images;
    private readonly int[] _labels;

    /// <summary>Wraps <paramref name="images"/> and <paramref name="labels"/> without copying; the caller hands them over.</summary>
    /// <param name="images">N×C×H×W values, expected in [0, 1] (augmentations clamp to that range).</param>
    /// <param name="labels">N class labels.</param>
    /// <param name="sampleShape">C×H×W of one sample.</param>
    /// <param name="classCount">Number of classes; 0 infers it as the largest label + 1.</param>
    public Dataset(float[] images, int[] labels, TensorShape sampleShape, int classCount = 0)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (sampleShape.C <= 0 || sampleShape.H <= 0 || sampleShape.W <= 0 || sampleShape.IsVector)
        {
            throw new ArgumentException($"sample shape {sampleShape} is not a C×H×W image shape", nameof(sampleShape));
        }
        if ((long)labels.Length * sampleShape.Elements != images.Length)
        {
            throw new ArgumentException($"{images.Length} image values are not {labels.Length} samples of {sampleShape}", nameof(images));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(classCount);

        var largest = labels.Length == 0 ? -1 : TensorPrimitives.Max<int>(labels);
        var smallest = labels.Length == 0 ? 0 : TensorPrimitives.Min<int>(labels);
        if (smallest < 0)
        {
            throw new ArgumentException($"label {smallest} at index {Array.IndexOf(labels, smallest)} is negative", nameof(labels));
        }
        if (classCount > 0 && largest >= classCount)
        {
            throw new ArgumentException($"label {largest} at index {Array.IndexOf(labels, largest)} is outside 0–{classCount - 1}", nameof(labels));
        }

        _images = images;
        _labels = labels;
        SampleShape = sampleShape;
        ClassCount = classCount > 0 ? classCount : largest + 1;
    }

    /// <summary>Builds a dataset from 8-bit pixels, dividing by 255 as PyTorch's <c>ToTensor</c> does.</summary>
    public static Dataset FromBytes(ReadOnlySpan<byte> pixels, int[] labels, TensorShape sampleShape, int classCount = 0)
    {
        var images = new float[pixels.Length];
        ScaleBytes(pixels, images);
        return new Dataset(images, labels, sampleShape, classCount);
    }

    /// <summary>Number of samples.</summary>
    public int Count => _labels.Length;

    /// <summary>C×H×W of one sample.</summary>
    public TensorShape SampleShape { get; }

    /// <summary>Values per sample (C·H·W).</summary>
    public int SampleSize => SampleShape.Elements;

    /// <summary>Number of classes; every label is below it.</summary>
    public int ClassCount { get; }

    /// <summary>All images, N×C×H×W.</summary>
    public ReadOnlySpan<float> Images => _images;

    /// <summary>All labels.</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>The C×H×W values of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Image(int index) => _images.AsSpan(checked(index * SampleSize), SampleSize);

    /// <summary>The label of sample <paramref name="index"/>.</summary>
    public int Label(int index) => _labels[index];

    /// <summary>How many samples each class has, indexed by label.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassCount];
        foreach (var label in _labels)
        {
            counts[label]++;
        }
        return counts;
    }

    /// <summary>A new dataset holding copies of the samples at <paramref name="indices"/>, in that order.</summary>
    public Dataset Subset(ReadOnlySpan<int> indices)
    {
        var images = new float[(long)indices.Length * SampleSize];
        var labels = new int[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            Image(indices[i]).CopyTo(images.AsSpan(i * SampleSize, SampleSize));
            labels[i] = _labels[indices[i]];
        }
        return new Dataset(images, labels, SampleShape, ClassCount);
    }

    /// <summary>
    /// Splits per class: of each class's samples, in dataset order, the last
    /// round(<paramref name="secondFraction"/> · class size) go to the second part and the rest to
    /// the first, so both parts keep the class balance. Deterministic, no shuffling.
    /// </summary>
    public (Dataset First, Dataset Second) SplitPerClass(double secondFraction)
    {
        if (!(secondFraction >= 0 && secondFraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(secondFraction), secondFraction, "the fraction must be in [0, 1]");
        }
        var counts = ClassCounts();
        var firstPerClass = new int[ClassCount];
        for (var c = 0; c < ClassCount; c++)
        {
            firstPerClass[c] = counts[c] - (int)Math.Round(counts[c] * secondFraction, MidpointRounding.AwayFromZero);
        }
        var first = new List<int>(Count);
        var second = new List<int>(Count);
        var seen = new int[ClassCount];
        for (var i = 0; i < Count; i++)
        {
            var label = _labels[i];
            (seen[label]++ < firstPerClass[label] ? first : second).Add(i);
        }
        return (Subset(first.ToArray()), Subset(second.ToArray()));
    }

    /// <summary>Writes <paramref name="pixels"/>/255 into <paramref name="destination"/>.</summary>
    internal static void ScaleBytes(ReadOnlySpan<byte> pixels, Span<float> destination)
    {
        var target = destination[..pixels.Length];
        var table = ByteScale;
        for (var i = 0; i < pixels.Length; i++)
        {
            target[i] = table[pixels[i]];
        }
    }

    // b/255 for every byte, computed as float32 division so values match PyTorch's ToTensor exactly;
    // a lookup beats the generic TensorPrimitives conversion (scalar with overflow checks) by far.
    private static readonly float[] ByteScale = CreateByteScale();

    private static float[] CreateByteScale()
    {
        var table = new float[256];
        for (var b = 0; b < table.Length; b++)
        {
            table[b] = b / 255f;
        }
        return table;
    }
}
