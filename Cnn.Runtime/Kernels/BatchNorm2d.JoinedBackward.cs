using System;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// The backward of a residual join that applies the BatchNorms it alone reads (<see cref="NormalizedSum"/>), with those BatchNorms'
/// backward in the same call. The join's gradient (gated by its ReLU's output, if any) is what each BatchNorm's output receives, so
/// one pass over it takes both BatchNorms' gradient sums while each plane is in cache, and a second writes each BatchNorm's input
/// gradient from it: the gradient is written once (or not at all without a ReLU) and read twice, where the separate passes wrote it
/// to both sides and read it four times (resnet8's projection blocks: 14 tensor passes become 10). The sums and the data gradient
/// are the separate passes' own calls per plane in the same order, so every value is the same bit for bit.
/// </summary>
public static partial class BatchNorm2d
{
    /// <summary>
    /// <see cref="NormalizedSum"/>'s backward: with a ReLU (<paramref name="y"/> not empty), <c>g = y &gt; 0 ? dy : 0</c> into
    /// <paramref name="gated"/>, else <c>g = dy</c>; then each side's share of <c>g</c> (<see cref="JoinSideGradient"/>).
    /// </summary>
    /// <param name="n">Samples.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Pixels per channel.</param>
    /// <param name="y">The join's output after its ReLU, or empty when no ReLU follows the sum.</param>
    /// <param name="dy">The gradient of the join's output.</param>
    /// <param name="gated">Receives g with a ReLU (it may be a side's gradient: that side then delivers nothing more); unused without.</param>
    /// <param name="a">The first side.</param>
    /// <param name="b">The second side.</param>
    /// <param name="path">The instruction set to use.</param>
    internal static void NormalizedSumBackward(int n, int channels, int plane, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> gated,
        scoped in JoinSideGradient a, scoped in JoinSideGradient b, CpuPath path)
    {
        var relu = !y.IsEmpty;
        a.ClearSums();
        b.ClearSums();
        for (var s = 0; s < n; s++)
        {
            for (var c = 0; c < channels; c++)
            {
                var offset = ((s * channels) + c) * plane;
                ReadOnlySpan<float> g = dy.Slice(offset, plane);
                if (relu)
                {
                    Activations.ReluBackward(y.Slice(offset, plane), g, gated.Slice(offset, plane), path);
                    g = gated.Slice(offset, plane);
                }
                a.Take(c, offset, g, path);
                b.Take(c, offset, g, path);
            }
        }
        a.ParameterGradients(channels);
        b.ParameterGradients(channels);
        var sample = channels * plane;
        var count = (long)n * plane;
        for (var s = 0; s < n; s++)
        {
            var g = relu ? gated.Slice(s * sample, sample) : dy.Slice(s * sample, sample);
            a.DataGradient(channels, plane, s, g, count, path);
            b.DataGradient(channels, plane, s, g, count, path);
        }
    }

    /// <summary>
    /// One side of <see cref="NormalizedSumBackward"/>: a plain side receives the join's gradient as it is (written or added), a
    /// normalized side (a BatchNorm the join applies) takes <see cref="GatedGradientSums"/>' sums of it, then its γ and β gradients
    /// (<see cref="ParameterGradients"/>) and its input's (<see cref="GatedBackwardData"/>); a side with nothing to deliver is skipped.
    /// </summary>
    internal readonly ref struct JoinSideGradient
    {
        private readonly Span<float> _target;
        private readonly bool _accumulate;
        private readonly ReadOnlySpan<float> _x;
        private readonly ReadOnlySpan<float> _gamma;
        private readonly ReadOnlySpan<float> _mean;
        private readonly ReadOnlySpan<float> _invStd;
        private readonly Span<double> _sums;
        private readonly Span<float> _dGamma;
        private readonly Span<float> _dBeta;

        private JoinSideGradient(Span<float> target, bool accumulate, ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> mean,
            ReadOnlySpan<float> invStd, Span<double> sums, Span<float> dGamma, Span<float> dBeta)
        {
            _target = target;
            _accumulate = accumulate;
            _x = x;
            _gamma = gamma;
            _mean = mean;
            _invStd = invStd;
            _sums = sums;
            _dGamma = dGamma;
            _dBeta = dBeta;
        }

        /// <summary>A side that receives nothing.</summary>
        public static JoinSideGradient None => default;

        /// <summary>A side without BatchNorm: the join's gradient copied to <paramref name="target"/>, or added to it when <paramref name="accumulate"/>.</summary>
        public static JoinSideGradient Plain(Span<float> target, bool accumulate) => new(target, accumulate, default, default, default, default, default, default, default);

        /// <summary>
        /// A BatchNorm (training) of input <paramref name="x"/> whose output is this side: its gradient sums into <paramref name="sums"/>
        /// (2·channels: Σg, then Σg·x̂), its γ and β gradients written to <paramref name="dGamma"/> and <paramref name="dBeta"/> unless they
        /// are empty (frozen), and its input gradient to <paramref name="dx"/> (added when <paramref name="accumulate"/>) unless it is empty.
        /// </summary>
        public static JoinSideGradient Normalized(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd,
            Span<double> sums, Span<float> dGamma, Span<float> dBeta, Span<float> dx, bool accumulate) =>
            dGamma.IsEmpty && dx.IsEmpty ? None : new(dx, accumulate, x, gamma, mean, invStd, sums, dGamma, dBeta);

        private bool IsNormalized => !_sums.IsEmpty;

        /// <summary>Zeroes the sums of a normalized side.</summary>
        public void ClearSums() => _sums.Clear();

        /// <summary>Plane <paramref name="offset"/> of channel <paramref name="c"/>: the join's gradient <paramref name="g"/> delivered, or summed.</summary>
        public void Take(int c, int offset, ReadOnlySpan<float> g, CpuPath path)
        {
            if (IsNormalized)
            {
                var (gradSum, dot) = Reductions.SumAndDot(g, _x.Slice(offset, g.Length), path);
                var channels = _sums.Length / 2;
                AddPlaneSums(c, gradSum, dot, _mean, _invStd, _sums[..channels], _sums[channels..]);
            }
            else if (!_target.IsEmpty)
            {
                var target = _target.Slice(offset, g.Length);
                if (_accumulate)
                {
                    TensorOps.AddInPlace(target, g, path);
                }
                else
                {
                    g.CopyTo(target);
                }
            }
        }

        /// <summary>A normalized side's γ and β gradients from its sums, unless frozen.</summary>
        public void ParameterGradients(int channels)
        {
            if (IsNormalized && !_dGamma.IsEmpty)
            {
                BatchNorm2d.ParameterGradients(_sums[..channels], _sums.Slice(channels, channels), _dGamma, _dBeta, accumulate: false);
            }
        }

        /// <summary>A normalized side's input gradient for sample <paramref name="s"/>, whose share of the join's gradient is <paramref name="g"/>.</summary>
        public void DataGradient(int channels, int plane, int s, ReadOnlySpan<float> g, long count, CpuPath path)
        {
            if (IsNormalized && !_target.IsEmpty)
            {
                GatedBackwardData(1, channels, plane, _x.Slice(s * g.Length, g.Length), ReadOnlySpan<float>.Empty, g, _gamma, _mean, _invStd, count,
                    _sums[..channels], _sums.Slice(channels, channels), _target.Slice(s * g.Length, g.Length), _accumulate, path);
            }
        }
    }
}
