using System;
using System.Collections.Generic;
using System.Globalization;

namespace Cnn.Runtime.Training;

/// <summary>
/// What a classifier's epoch (training or validation) is judged by: the running mean loss and a
/// confusion matrix giving accuracy and per-class accuracy. Reset it at the start of each epoch.
/// </summary>
public sealed class Metrics
{
    /// <summary>Empty metrics over <paramref name="classes"/> classes, optionally named.</summary>
    public Metrics(int classes, IReadOnlyList<string>? classNames = null)
    {
        Confusion = new ConfusionMatrix(classes, classNames);
    }

    /// <summary>The running loss.</summary>
    public RunningLoss Loss { get; } = new();

    /// <summary>The confusion matrix.</summary>
    public ConfusionMatrix Confusion { get; }

    /// <summary>Overall accuracy so far (NaN before any sample).</summary>
    public double Accuracy => Confusion.Accuracy;

    /// <summary>Per-class accuracy (recall), NaN for classes not seen yet.</summary>
    public double[] ClassAccuracies()
    {
        var accuracies = new double[Confusion.Classes];
        for (var c = 0; c < accuracies.Length; c++)
        {
            accuracies[c] = Confusion.ClassAccuracy(c);
        }
        return accuracies;
    }

    /// <summary>Records a batch: its mean loss, and predictions (row arg-max of <paramref name="logits"/>) against <paramref name="labels"/>.</summary>
    public void AddBatch(double batchMeanLoss, ReadOnlySpan<float> logits, ReadOnlySpan<int> labels)
    {
        Confusion.AddBatch(logits, labels);
        Loss.Add(batchMeanLoss, labels.Length);
    }

    /// <summary>Starts a new epoch.</summary>
    public void Reset()
    {
        Loss.Reset();
        Confusion.Reset();
    }

    /// <summary><c>loss 0.3412, accuracy 91.23%</c>.</summary>
    public override string ToString() =>
        string.Format(CultureInfo.InvariantCulture, "loss {0:0.0000}, accuracy {1}", Loss.Mean, ConfusionMatrix.Percent(Accuracy));
}
