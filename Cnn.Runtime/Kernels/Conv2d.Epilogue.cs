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
        private readonly BatchNorm2d.ChannelAffine _map;
        private readonly Span<float> _normalized;
        private readonly bool _relu;

        private SampleEpilogue(Span<double> sums, BatchNorm2d.ChannelAffine map, Span<float> normalized, bool relu)
        {
            _sums = sums;
            _map = map;
            _normalized = normalized;
            _relu = relu;
        }

        /// <summary>No epilogue.</summary>
        public static SampleEpilogue None => default;

        /// <summary>Adds each sample's sums into <paramref name="sums"/> (Σy per channel, then Σy²), cleared by the caller.</summary>
        public static SampleEpilogue Summing(Span<double> sums) => new(sums, BatchNorm2d.ChannelAffine.None, default, relu: false);

        /// <summary>Writes each sample's output mapped by <paramref name="map"/> (then ReLU when <paramref name="relu"/>) into <paramref name="normalized"/>.</summary>
        public static SampleEpilogue Normalizing(BatchNorm2d.ChannelAffine map, Span<float> normalized, bool relu) => new(default, map, normalized, relu);

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
                BatchNorm2d.Mapped(n, g.OutChannels, g.OutPlane, y, _map, _normalized, _relu, path);
            }
        }
    }
}
