using System;

namespace Cnn.Runtime.Kernels;

public static partial class BatchNorm2d
{
    /// <summary>
    /// A BatchNorm+ReLU's backward sums (<see cref="InputGatedGradientSums"/>: Σg and Σg·x̂ of the gradient its ReLU lets through, the gate
    /// recomputed from its input), taken by the pass that writes the gradient of its output, sample by sample while each sample's gradient
    /// is in cache (the data gradient of the convolution that reads the ReLU's output: <c>Conv2d.BackwardDataSummed</c>). Samples added in
    /// order give the separate pass's sums bit for bit, and the BatchNorm's backward then reads the gradient once instead of twice.
    /// </summary>
    internal readonly ref struct ReluGradientSums
    {
        private readonly ReadOnlySpan<float> _x;
        private readonly ReadOnlySpan<float> _gamma;
        private readonly ReadOnlySpan<float> _beta;
        private readonly ReadOnlySpan<float> _mean;
        private readonly ReadOnlySpan<float> _invStd;
        private readonly Span<double> _sumDy;
        private readonly Span<double> _sumDyXhat;

        /// <summary>The sums of the BatchNorm with input <paramref name="x"/> (the whole batch) and these parameters and statistics, into <paramref name="sums"/> (2·channels: Σg, then Σg·x̂), cleared here.</summary>
        public ReluGradientSums(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, Span<double> sums)
        {
            var channels = gamma.Length;
            if (sums.Length < 2 * channels)
            {
                throw new ArgumentException($"Need {2 * channels} doubles for the gradient sums, got {sums.Length}.", nameof(sums));
            }
            _x = x;
            _gamma = gamma;
            _beta = beta;
            _mean = mean;
            _invStd = invStd;
            _sumDy = sums[..channels];
            _sumDyXhat = sums.Slice(channels, channels);
            _sumDy.Clear();
            _sumDyXhat.Clear();
        }

        /// <summary>Whether there is nothing to sum (the default).</summary>
        public bool IsEmpty => _gamma.IsEmpty;

        /// <summary>Adds samples <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> − 1, whose output gradient is <paramref name="dy"/>.</summary>
        public void Add(int plane, int first, int count, ReadOnlySpan<float> dy, CpuPath path)
        {
            var length = _gamma.Length * plane;
            AddInputGatedGradientSums(count, _gamma.Length, plane, _x.Slice(first * length, count * length), dy[..(count * length)], _gamma, _beta, _mean, _invStd,
                _sumDy, _sumDyXhat, path);
        }
    }
}
