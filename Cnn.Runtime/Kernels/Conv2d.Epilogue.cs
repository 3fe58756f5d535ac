using System;

namespace Cnn.Runtime.Kernels;

public static unsafe partial class Conv2d
{
    /// <summary>
    /// What the forward pass does with each sample's output while it is still in cache, for the BatchNorm that reads the output
    /// next: in training, add the sample's per-channel Σy and Σy² to its sums (<see cref="ForwardSummed"/>); in inference, apply
    /// its map with the running statistics into the BatchNorm's own output (<see cref="ForwardNormalized"/>). Either is what
    /// <see cref="BatchNorm2d"/> computes over the whole tensor, bit for bit, without reading the tensor back from memory.
    /// </summary>
    private readonly ref struct SampleEpilogue
    {
        private readonly Span<double> _sums;
        private readonly ReadOnlySpan<float> _gamma;
        private readonly ReadOnlySpan<float> _beta;
        private readonly ReadOnlySpan<float> _runningMean;
        private readonly ReadOnlySpan<float> _runningVar;
        private readonly Span<float> _normalized;
        private readonly float _eps;
        private readonly bool _relu;

        private SampleEpilogue(Span<double> sums, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> runningMean,
            ReadOnlySpan<float> runningVar, float eps, Span<float> normalized, bool relu)
        {
            _sums = sums;
            _gamma = gamma;
            _beta = beta;
            _runningMean = runningMean;
            _runningVar = runningVar;
            _eps = eps;
            _normalized = normalized;
            _relu = relu;
        }

        /// <summary>No epilogue.</summary>
        public static SampleEpilogue None => default;

        /// <summary>Adds each sample's sums into <paramref name="sums"/> (Σy per channel, then Σy²), cleared by the caller.</summary>
        public static SampleEpilogue Summing(Span<double> sums) => new(sums, default, default, default, default, 0, default, relu: false);

        /// <summary>Writes BatchNorm inference (then ReLU when <paramref name="relu"/>) of each sample's output into <paramref name="normalized"/>.</summary>
        public static SampleEpilogue Normalizing(ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar,
            float eps, Span<float> normalized, bool relu) => new(default, gamma, beta, runningMean, runningVar, eps, normalized, relu);

        /// <summary>Whether there is nothing to do.</summary>
        public bool IsEmpty => _sums.IsEmpty && _normalized.IsEmpty;

        /// <summary>Sample <paramref name="s"/>'s output <paramref name="output"/> (OutputLength values), just computed.</summary>
        public void Sample(in ConvGeometry g, int s, ReadOnlySpan<float> output, CpuPath path)
        {
            if (!_sums.IsEmpty)
            {
                BatchNorm2d.Sums(1, g.OutChannels, g.OutPlane, output, _sums[..g.OutChannels], _sums.Slice(g.OutChannels, g.OutChannels), accumulate: true, path);
            }
            else if (!_normalized.IsEmpty)
            {
                BatchNorm2d.Inference(1, g.OutChannels, g.OutPlane, output, _gamma, _beta, _runningMean, _runningVar, _eps,
                    _normalized.Slice(s * g.OutputLength, g.OutputLength), _relu, path);
            }
        }

        /// <summary>All <paramref name="n"/> samples of <paramref name="y"/> at once, for the paths that do not go sample by sample.</summary>
        public void All(in ConvGeometry g, int n, ReadOnlySpan<float> y, CpuPath path)
        {
            if (!_sums.IsEmpty)
            {
                BatchNorm2d.Sums(n, g.OutChannels, g.OutPlane, y, _sums[..g.OutChannels], _sums.Slice(g.OutChannels, g.OutChannels), accumulate: false, path);
            }
            else if (!_normalized.IsEmpty)
            {
                BatchNorm2d.Inference(n, g.OutChannels, g.OutPlane, y, _gamma, _beta, _runningMean, _runningVar, _eps, _normalized, _relu, path);
            }
        }
    }
}
