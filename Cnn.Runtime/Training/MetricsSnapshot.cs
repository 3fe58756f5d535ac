using System;
using System.Collections.Generic;
using System.Globalization;

namespace Cnn.Runtime.Training;

/// <summary>One pass's metrics, frozen: mean loss, accuracy, per-class accuracy and the confusion matrix.</summary>
public sealed class MetricsSnapshot
{
    /// <summary>Copies the current values of <paramref name="metrics"/>.</summary>
    public MetricsSnapshot(Metrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        Loss = metrics.Loss.Mean;
        Samples = metrics.Loss.Samples;
        Confusion = new ConfusionMatrix(metrics.Confusion.Classes, metrics.Confusion.ClassNames);
        Confusion.Add(metrics.Confusion);
        ClassAccuracies = metrics.ClassAccuracies();
    }

    /// <summary>Mean loss per sample.</summary>
    public double Loss { get; }

    /// <summary>Samples seen.</summary>
    public long Samples { get; }

    /// <summary>Fraction predicted correctly.</summary>
    public double Accuracy => Confusion.Accuracy;

    /// <summary>Per-class accuracy (recall), indexed by label; NaN for a class with no sample.</summary>
    public IReadOnlyList<double> ClassAccuracies { get; }

    /// <summary>Counts of (actual, predicted) pairs.</summary>
    public ConfusionMatrix Confusion { get; }

    /// <summary><c>loss 0.3412, accuracy 91.23%</c>.</summary>
    public override string ToString() =>
        string.Format(CultureInfo.InvariantCulture, "loss {0:0.0000}, accuracy {1}", Loss, ConfusionMatrix.Percent(Accuracy));
}
