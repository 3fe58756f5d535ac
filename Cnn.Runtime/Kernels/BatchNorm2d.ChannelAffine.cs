using System;

namespace Cnn.Runtime.Kernels;

public static partial class BatchNorm2d
{
    /// <summary>
    /// A BatchNorm's per-channel map <c>y = scale·x + shift</c>: training's (batch statistics) or inference's (running statistics),
    /// or none. Every pass that normalizes takes its coefficients from here (<see cref="Mapped"/>, the residual join's
    /// <see cref="NormalizedSum"/>, the convolution's epilogue), so they are the same bits wherever a BatchNorm runs.
    /// </summary>
    internal readonly ref struct ChannelAffine
    {
        private readonly ReadOnlySpan<float> _gamma;
        private readonly ReadOnlySpan<float> _beta;
        private readonly ReadOnlySpan<float> _mean;
        private readonly ReadOnlySpan<float> _spread;
        private readonly float _eps;
        private readonly bool _inference;

        private ChannelAffine(ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> mean, ReadOnlySpan<float> spread, float eps, bool inference)
        {
            _gamma = gamma;
            _beta = beta;
            _mean = mean;
            _spread = spread;
            _eps = eps;
            _inference = inference;
        }

        /// <summary>The tensor as it is.</summary>
        public static ChannelAffine None => default;

        /// <summary>Training's map from the batch's mean and 1/√(var + ε).</summary>
        public static ChannelAffine Training(ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd) =>
            new(gamma, beta, mean, invStd, 0, inference: false);

        /// <summary>Inference's map from the running statistics.</summary>
        public static ChannelAffine Inference(ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, float eps) =>
            new(gamma, beta, runningMean, runningVar, eps, inference: true);

        /// <summary>The map of channels <paramref name="first"/> on, as channels 0 on (a block of a layer's channels).</summary>
        /// <param name="first">The first channel.</param>
        /// <returns>The map from that channel.</returns>
        public ChannelAffine From(int first) =>
            IsNone ? this : new(_gamma[first..], _beta[first..], _mean[first..], _spread[first..], _eps, _inference);

        /// <summary>Whether this is <see cref="None"/>: the tensor as it is.</summary>
        public bool IsNone => _gamma.IsEmpty;

        /// <summary>Channel <paramref name="c"/>'s scale and shift.</summary>
        public (float Scale, float Shift) Of(int c) =>
            _inference ? InferenceAffineOf(c, _gamma, _beta, _mean, _spread, _eps) : AffineOf(c, _gamma, _beta, _mean, _spread);
    }
}
