using System;
using Cnn.Runtime.Data;
using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Training;

public sealed partial class Trainer
{
    /// <summary>
    /// Runs the network in inference mode over <paramref name="data"/>, in order, and returns the
    /// mean softmax cross-entropy of its outputs, the accuracy, per-class accuracy and the
    /// confusion matrix.
    /// </summary>
    /// <param name="data">The samples.</param>
    /// <param name="batchSize">Samples per forward pass.</param>
    /// <param name="normalization">The normalization the network was trained with, or null.</param>
    /// <param name="classNames">Class names for the confusion matrix, or null.</param>
    /// <returns>A frozen copy of the metrics.</returns>
    public MetricsSnapshot Evaluate(Dataset data, int batchSize = 256, ChannelNormalization? normalization = null, System.Collections.Generic.IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckDataset(data, nameof(data));
        var metrics = Evaluate(EvaluationLoader(data, batchSize, normalization));
        if (classNames is null)
        {
            return new MetricsSnapshot(metrics);
        }
        var named = new Metrics(metrics.Confusion.Classes, classNames);
        named.Confusion.Add(metrics.Confusion);
        named.Loss.Add(metrics.Loss.Mean, (int)metrics.Loss.Samples);
        return new MetricsSnapshot(named);
    }

    private static DataLoader EvaluationLoader(Dataset data, int batchSize, ChannelNormalization? normalization) =>
        new(data, Math.Min(batchSize, data.Count), new DataLoaderOptions { Shuffle = false, Normalization = normalization });

    /// <summary>The metrics of one in-order inference pass; the returned object is reused by the next call.</summary>
    private Metrics Evaluate(DataLoader loader)
    {
        var classes = Network.OutputShape.Elements;
        _evaluationMetrics ??= new Metrics(classes);
        _evaluationMetrics.Reset();
        foreach (var batch in loader.Epoch(0))
        {
            var output = Network.Forward(batch.Images, batch.Count, training: false);
            var loss = Losses.SoftmaxCrossEntropy(batch.Count, classes, output, batch.Labels, Span<float>.Empty);
            _evaluationMetrics.AddBatch(loss, output, batch.Labels);
        }
        return _evaluationMetrics;
    }
}
