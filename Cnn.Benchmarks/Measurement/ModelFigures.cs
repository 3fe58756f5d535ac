using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Cnn.Benchmarks.Measurement;

/// <summary>One model's figures, as torch_reference.py defines them.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Parameters">Learned values.</param>
/// <param name="TrainImagesPerSecond">Training images per second at batch 64 (forward, loss, backward, SGD step).</param>
/// <param name="InferenceBatch1Microseconds">Mean latency of one batch-1 inference, µs.</param>
/// <param name="InferenceBatch256ImagesPerSecond">Inference images per second at batch 256.</param>
internal sealed record ModelFigures(string Model, long Parameters, double TrainImagesPerSecond, double InferenceBatch1Microseconds, double InferenceBatch256ImagesPerSecond)
{
    /// <summary>The line torch_reference.py prints, with its rounding.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"model={Model} params={Parameters} train_ips={TrainImagesPerSecond:F0} infer_b1_us={InferenceBatch1Microseconds:F1} infer_b256_ips={InferenceBatch256ImagesPerSecond:F0}");

    /// <summary>The median of every figure over repetitions of one model.</summary>
    /// <param name="runs">At least one run of the same model.</param>
    /// <returns>The figure-wise medians.</returns>
    public static ModelFigures Median(IReadOnlyList<ModelFigures> runs)
    {
        if (runs.Count == 0)
        {
            throw new ArgumentException("Need at least one run.", nameof(runs));
        }
        return new ModelFigures(
            runs[0].Model,
            runs[0].Parameters,
            Statistics.Median(runs.Select(r => r.TrainImagesPerSecond)),
            Statistics.Median(runs.Select(r => r.InferenceBatch1Microseconds)),
            Statistics.Median(runs.Select(r => r.InferenceBatch256ImagesPerSecond)));
    }
}
