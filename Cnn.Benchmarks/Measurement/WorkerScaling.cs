using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Cnn.Runtime.Network;
using Cnn.Runtime.Optim;

namespace Cnn.Benchmarks.Measurement;

/// <summary>
/// Training throughput with several workers against one, measured as pairs of short bursts taken back to back in one process:
/// one network per worker count, both warmed up, then <see cref="BurstSteps"/> steps on one, the same on the other, and so on,
/// the order flipping every pair. Each pair's ratio compares the two counts under the same minute's conditions: this VM's
/// speed moves by 20–40 % over minutes, so separate runs (one <c>--threads 1</c>, then one <c>--threads 2</c>) gave ratios
/// from 1.55 to 2.12 for the same build within an hour. The median of the pairs' ratios is the figure.
/// </summary>
internal static class WorkerScaling
{
    /// <summary>Steps per burst: about a third of a second of bn2conv at batch 64 on one worker.</summary>
    private const int BurstSteps = 16;

    /// <summary>Measures <paramref name="model"/>'s training with one worker and with <paramref name="workers"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="workers">The worker count to compare with one (two or more).</param>
    /// <param name="pairs">Bursts of each count.</param>
    /// <returns>The figures.</returns>
    public static ScalingFigures Measure(BenchmarkModel model, int workers, int pairs)
    {
        if (workers < 2)
        {
            throw new ArgumentException($"Scaling compares one worker with several; got {workers}.", nameof(workers));
        }
        using var one = new Trained(model, 1);
        using var many = new Trained(model, workers);
        one.WarmUp();
        many.WarmUp();
        var oneRates = new List<double>();
        var manyRates = new List<double>();
        for (var pair = 0; pair < pairs; pair++)
        {
            var oneFirst = pair % 2 == 0;
            var first = (oneFirst ? one : many).Burst();
            var second = (oneFirst ? many : one).Burst();
            oneRates.Add(oneFirst ? first : second);
            manyRates.Add(oneFirst ? second : first);
        }
        return new ScalingFigures(model.Name, workers, oneRates, manyRates);
    }

    /// <summary>One network, its optimizer and one synthetic batch, as <see cref="ThroughputMeter"/> trains them.</summary>
    private sealed class Trained : IDisposable
    {
        private readonly NetworkBase _network;
        private readonly SGD _optimizer;
        private readonly float[] _input;
        private readonly int[] _labels;

        public Trained(BenchmarkModel model, int workers)
        {
            _network = model.Create(0, workers);
            _optimizer = ThroughputMeter.ReferenceOptimizer(_network);
            var random = new Random(0);
            _input = SyntheticBatch.Gaussian(ThroughputMeter.TrainBatch * _network.InputShape.Elements, random);
            _labels = SyntheticBatch.Labels(ThroughputMeter.TrainBatch, ThroughputMeter.Classes, random);
        }

        /// <summary>Steps as <see cref="ThroughputMeter"/> warms up: past .NET's tier-0 code.</summary>
        public void WarmUp() => ThroughputMeter.WarmUp(() => ThroughputMeter.TrainStep(_network, _optimizer, _input, _labels), BurstSteps);

        /// <summary>Runs <see cref="BurstSteps"/> steps.</summary>
        /// <returns>Training images per second over them.</returns>
        public double Burst()
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < BurstSteps; i++)
            {
                ThroughputMeter.TrainStep(_network, _optimizer, _input, _labels);
            }
            return ThroughputMeter.TrainBatch * BurstSteps / clock.Elapsed.TotalSeconds;
        }

        public void Dispose() => _network.Dispose();
    }
}

/// <summary>Training images/s of alternated bursts with one worker and with several.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Workers">The worker count compared with one.</param>
/// <param name="One">Each burst's images/s with one worker.</param>
/// <param name="Many">Each burst's images/s with <paramref name="Workers"/>, paired with <paramref name="One"/> by index.</param>
internal sealed record ScalingFigures(string Model, int Workers, IReadOnlyList<double> One, IReadOnlyList<double> Many)
{
    /// <summary>The median over pairs of many/one.</summary>
    public double MedianRatio => Statistics.Median(One.Zip(Many, (one, many) => many / one));

    /// <summary>One line: the medians of each count, the median ratio and the pairs' spread.</summary>
    public override string ToString()
    {
        var ratios = One.Zip(Many, (one, many) => many / one).Order().ToArray();
        return string.Create(
            CultureInfo.InvariantCulture,
            $"scaling model={Model} workers={Workers} pairs={One.Count} one_ips={Statistics.Median(One):F0} many_ips={Statistics.Median(Many):F0} ratio={MedianRatio:F2} ratio_range={ratios[0]:F2}-{ratios[^1]:F2}");
    }
}
