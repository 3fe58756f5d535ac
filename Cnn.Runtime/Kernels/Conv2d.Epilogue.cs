using System;

namespace Cnn.Runtime.Kernels;

public static unsafe partial class Conv2d
{
    /// <summary>
    /// What the forward pass does with each sample's output while it is still in cache, for the BatchNorm that reads the output
    /// next: in training, add the sample's per-channel Σy and Σy² to its sums (<see cref="ForwardSummed"/>); in inference, apply
    /// its map with the running statistics into the BatchNorm's own output (<see cref="ForwardNormalized"/>). Or, run as a data
    /// gradient, add the sample to the backward sums of the BatchNorm+ReLU whose output's gradient it is (<see cref="BackwardDataSummed"/>).
    /// Each is what <see cref="BatchNorm2d"/> computes over the whole tensor, bit for bit, without reading the tensor back from memory.
    /// </summary>
    private readonly ref struct SampleEpilogue
    {
        private readonly Span<double> _sums;
        private readonly BatchNorm2d.ChannelAffine _map;
        private readonly Span<float> _normalized;
        private readonly bool _relu;
        private readonly BatchNorm2d.ReluGradientSums _gradientSums;

        private SampleEpilogue(Span<double> sums, BatchNorm2d.ChannelAffine map, Span<float> normalized, bool relu, BatchNorm2d.ReluGradientSums gradientSums)
        {
            _sums = sums;
            _map = map;
            _normalized = normalized;
            _relu = relu;
            _gradientSums = gradientSums;
        }

        /// <summary>No epilogue.</summary>
        public static SampleEpilogue None => default;

        /// <summary>Adds each sample's sums into <paramref name="sums"/> (Σy per channel, then Σy²), cleared by the caller.</summary>
        public static SampleEpilogue Summing(Span<double> sums) => new(sums, BatchNorm2d.ChannelAffine.None, default, relu: false, default);

        /// <summary>Writes each sample's output mapped by <paramref name="map"/> (then ReLU when <paramref name="relu"/>) into <paramref name="normalized"/>.</summary>
        public static SampleEpilogue Normalizing(BatchNorm2d.ChannelAffine map, Span<float> normalized, bool relu) => new(default, map, normalized, relu, default);

        /// <summary>Adds each sample, a gradient, to <paramref name="gradientSums"/>.</summary>
        public static SampleEpilogue GradientSumming(BatchNorm2d.ReluGradientSums gradientSums) =>
            new(default, BatchNorm2d.ChannelAffine.None, default, relu: false, gradientSums);

        /// <summary>Sample <paramref name="s"/>'s output <paramref name="output"/> (OutputLength values), just computed.</summary>
        public void Sample(in ConvGeometry g, int s, ReadOnlySpan<float> output, CpuPath path)
        {
            if (!_sums.IsEmpty)
            {
                BatchNorm2d.Sums(1, g.OutChannels, g.OutPlane, output, _sums[..g.OutChannels], _sums.Slice(g.OutChannels, g.OutChannels), accumulate: true, path);
            }
            else if (!_normalized.IsEmpty)
            {
                BatchNorm2d.Mapped(1, g.OutChannels, g.OutPlane, output, _map, _normalized.Slice(s * g.OutputLength, g.OutputLength), _relu, path);
            }
            else if (!_gradientSums.IsEmpty)
            {
                _gradientSums.Add(g.OutPlane, s, 1, output, path);
            }
        }

        /// <summary>All <paramref name="n"/> samples of <paramref name="y"/> at once, for the paths that do not go sample by sample.</summary>
        public void All(in ConvGeometry g, int n, ReadOnlySpan<float> y, CpuPath path) => All(g.OutChannels, g.OutPlane, n, y, path);

        /// <summary>All <paramref name="n"/> samples of <paramref name="y"/>, <paramref name="channels"/> planes of <paramref name="plane"/> values each (a data gradient's input side).</summary>
        public void All(int channels, int plane, int n, ReadOnlySpan<float> y, CpuPath path)
        {
            if (!_sums.IsEmpty)
            {
                BatchNorm2d.Sums(n, channels, plane, y, _sums[..channels], _sums.Slice(channels, channels), accumulate: false, path);
            }
            else if (!_normalized.IsEmpty)
            {
                BatchNorm2d.Mapped(n, channels, plane, y, _map, _normalized, _relu, path);
            }
            else if (!_gradientSums.IsEmpty)
            {
                _gradientSums.Add(plane, 0, n, y, path);
            }
        }
    }
}
