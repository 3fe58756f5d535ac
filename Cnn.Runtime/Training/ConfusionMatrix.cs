using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics.Tensors;
using System.Text;

namespace Cnn.Runtime.Training;

/// <summary>
/// Counts of (actual class, predicted class) pairs, with accuracy, per-class accuracy (recall) and
/// precision read off it. <see cref="ToString"/> prints a table: rows are actual classes, columns
/// predicted ones, the diagonal the correct predictions.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;

    /// <summary>An empty matrix over <paramref name="classes"/> classes, named by <paramref name="classNames"/> (default: their indices).</summary>
    public ConfusionMatrix(int classes, IReadOnlyList<string>? classNames = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        if (classNames is not null && classNames.Count != classes)
        {
            throw new ArgumentException($"{classNames.Count} class names for {classes} classes.", nameof(classNames));
        }
        Classes = classes;
        ClassNames = classNames?.ToArray() ?? Enumerable.Range(0, classes).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();
        _counts = new long[classes * classes];
    }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Class names, for the table.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Predictions counted.</summary>
    public long Total { get; private set; }

    /// <summary>Correct predictions counted (the diagonal).</summary>
    public long Correct { get; private set; }

    /// <summary>Fraction of predictions that were correct (NaN when empty).</summary>
    public double Accuracy => Total == 0 ? double.NaN : (double)Correct / Total;

    /// <summary>How often class <paramref name="actual"/> was predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => _counts[Index(actual, predicted)];

    /// <summary>Counts one prediction.</summary>
    public void Add(int actual, int predicted)
    {
        _counts[Index(actual, predicted)]++;
        Total++;
        if (actual == predicted)
        {
            Correct++;
        }
    }

    /// <summary>Counts a batch: each sample's prediction is the arg-max of its row of <paramref name="logits"/> (batch × classes).</summary>
    public void AddBatch(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels)
    {
        if (logits.Length != labels.Length * Classes)
        {
            throw new ArgumentException($"{logits.Length} logits for {labels.Length} labels of {Classes} classes.", nameof(logits));
        }
        // Checked first, so a bad label leaves the counts as they were.
        foreach (var label in labels)
        {
            if ((uint)label >= (uint)Classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), label, $"A label is outside 0..{Classes - 1}.");
            }
        }
        for (var sample = 0; sample < labels.Length; sample++)
        {
            Add(labels[sample], TensorPrimitives.IndexOfMax(logits.Slice(sample * Classes, Classes)));
        }
    }

    /// <summary>Samples of class <paramref name="actual"/> counted (its row's sum).</summary>
    public long Support(int actual)
    {
        long sum = 0;
        for (var predicted = 0; predicted < Classes; predicted++)
        {
            sum += this[actual, predicted];
        }
        return sum;
    }

    /// <summary>Per-class accuracy (recall): the fraction of class <paramref name="actual"/> predicted correctly; NaN if it never occurred.</summary>
    public double ClassAccuracy(int actual)
    {
        var support = Support(actual);
        return support == 0 ? double.NaN : (double)this[actual, actual] / support;
    }

    /// <summary>Precision: the fraction of predictions of <paramref name="predicted"/> that were right; NaN if it was never predicted.</summary>
    public double Precision(int predicted)
    {
        long column = 0;
        for (var actual = 0; actual < Classes; actual++)
        {
            column += this[actual, predicted];
        }
        return column == 0 ? double.NaN : (double)this[predicted, predicted] / column;
    }

    /// <summary>Adds another matrix's counts (say, from another worker) to this one.</summary>
    public void Add(ConfusionMatrix other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Classes != Classes)
        {
            throw new ArgumentException($"Cannot add a {other.Classes}-class matrix to a {Classes}-class one.", nameof(other));
        }
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }
        Total += other.Total;
        Correct += other.Correct;
    }

    /// <summary>Clears every count.</summary>
    public void Reset()
    {
        Array.Clear(_counts);
        Total = 0;
        Correct = 0;
    }

    /// <summary>
    /// The matrix as a right-aligned table, rows actual and columns predicted, with each row's
    /// per-class accuracy and the overall accuracy below.
    /// </summary>
    public override string ToString()
    {
        const string corner = "actual \\ predicted";
        var counts = Enumerable.Range(0, _counts.Length).Select(i => _counts[i].ToString(CultureInfo.InvariantCulture)).ToArray();
        var nameWidth = Math.Max(corner.Length, ClassNames.Max(n => n.Length));
        var cellWidth = Math.Max(ClassNames.Max(n => n.Length), counts.Max(c => c.Length));
        const string accuracyHeader = "accuracy";

        var text = new StringBuilder();
        text.Append(corner.PadRight(nameWidth));
        foreach (var name in ClassNames)
        {
            text.Append("  ").Append(name.PadLeft(cellWidth));
        }
        text.Append("  ").Append(accuracyHeader).AppendLine();
        for (var actual = 0; actual < Classes; actual++)
        {
            text.Append(ClassNames[actual].PadRight(nameWidth));
            for (var predicted = 0; predicted < Classes; predicted++)
            {
                text.Append("  ").Append(counts[Index(actual, predicted)].PadLeft(cellWidth));
            }
            text.Append("  ").Append(Percent(ClassAccuracy(actual)).PadLeft(accuracyHeader.Length)).AppendLine();
        }
        text.Append(CultureInfo.InvariantCulture, $"accuracy {Percent(Accuracy)} ({Correct}/{Total})");
        return text.ToString();
    }

    /// <summary><c>91.23%</c>, or <c>-</c> for NaN.</summary>
    internal static string Percent(double fraction) =>
        double.IsNaN(fraction) ? "-" : (fraction * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%";

    private int Index(int actual, int predicted)
    {
        if ((uint)actual >= (uint)Classes || (uint)predicted >= (uint)Classes)
        {
            throw new ArgumentOutOfRangeException(nameof(actual), $"Class pair ({actual}, {predicted}) is outside 0..{Classes - 1}.");
        }
        return actual * Classes + predicted;
    }
}
