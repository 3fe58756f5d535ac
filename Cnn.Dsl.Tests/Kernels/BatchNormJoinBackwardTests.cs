using System;
using Cnn.Runtime.Kernels;

namespace Cnn.Dsl.Tests.Kernels;

/// <summary>
/// A residual join's backward with the backward of the BatchNorms it applies (<see cref="BatchNorm2d.NormalizedSumBackward"/>): the
/// separate passes' values (the join's gated gradient to each side, then each BatchNorm's sums, γ and β gradients and data gradient), bit for bit.
/// </summary>
public class BatchNormJoinBackwardTests
{
    public static TheoryData<CpuPath> Paths => KernelAssert.Paths();

    /// <summary>What one side is: a BatchNorm (training, frozen or not, its input's gradient written, added or not delivered) or a plain side.</summary>
    private enum Kind
    {
        /// <summary>A BatchNorm whose γ and β train and whose input's gradient is written.</summary>
        Normalized,

        /// <summary>A frozen BatchNorm whose input's gradient is added.</summary>
        FrozenAdded,

        /// <summary>A BatchNorm that trains and whose input's gradient nothing reads.</summary>
        NoInputGradient,

        /// <summary>A side without BatchNorm whose gradient is written.</summary>
        Written,

        /// <summary>A side without BatchNorm whose gradient is added to.</summary>
        Added,

        /// <summary>A side without BatchNorm whose gradient nothing reads.</summary>
        Unread,
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Every_side_receives_what_the_join_and_batch_norm_passes_give_it(CpuPath path)
    {
        // Planes of whole vectors and planes with tails.
        foreach (var (n, channels, plane) in new[] { (2, 3, 64), (3, 2, 49), (1, 4, 7), (2, 5, 16) })
        {
            foreach (var relu in new[] { false, true })
            {
                foreach (var (a, b) in new[]
                {
                    (Kind.Normalized, Kind.Normalized), (Kind.Normalized, Kind.Written), (Kind.FrozenAdded, Kind.Added), (Kind.NoInputGradient, Kind.Normalized),
                    (Kind.Written, Kind.FrozenAdded), (Kind.Normalized, Kind.Unread),
                })
                {
                    Check(n, channels, plane, relu, a, b, path);
                }
            }
        }
    }

    private static void Check(int n, int channels, int plane, bool relu, Kind kindA, Kind kindB, CpuPath path)
    {
        var length = n * channels * plane;
        var what = $"n={n} C={channels} plane={plane} relu={relu} {kindA}+{kindB}";
        var y = Array.ConvertAll(KernelAssert.Random(length, 1), v => Math.Max(v, 0f));
        var dy = KernelAssert.Random(length, 2);
        var sideA = new Side(kindA, n, channels, plane, 10);
        var sideB = new Side(kindB, n, channels, plane, 20);

        // Separately: the join's gradient (gated by the ReLU's output) to each side, then each BatchNorm's backward as LayerOps ran it.
        var g = dy;
        if (relu)
        {
            g = new float[length];
            Activations.ReluBackward(y, dy, g, path);
        }
        sideA.Expect(g, path);
        sideB.Expect(g, path);

        // In one call; with a ReLU, the gated gradient goes into a plain side that is written (as LayerOps does), else into scratch.
        var gated = new float[relu ? length : 0];
        var gatedInA = relu && kindA == Kind.Written;
        var gatedInB = relu && !gatedInA && kindB == Kind.Written;
        var sums = new double[4 * channels];
        BatchNorm2d.NormalizedSumBackward(n, channels, plane, relu ? y : ReadOnlySpan<float>.Empty, dy,
            gatedInA ? sideA.Target : gatedInB ? sideB.Target : gated,
            gatedInA ? BatchNorm2d.JoinSideGradient.None : sideA.Of(sums.AsSpan(0, 2 * channels)),
            gatedInB ? BatchNorm2d.JoinSideGradient.None : sideB.Of(sums.AsSpan(2 * channels, 2 * channels)), path);

        sideA.AssertExpected(what + " side a");
        sideB.AssertExpected(what + " side b");
    }

    /// <summary>One side's tensors: its target (a BatchNorm's input gradient, or the side's own) and parameter gradients, filled with stale values first.</summary>
    private sealed class Side
    {
        private readonly Kind _kind;
        private readonly int _n;
        private readonly int _channels;
        private readonly int _plane;
        private readonly float[] _x;
        private readonly float[] _gamma;
        private readonly float[] _mean;
        private readonly float[] _invStd;
        private readonly float[] _dGamma;
        private readonly float[] _dBeta;
        private float[] _expectedTarget = [];
        private float[] _expectedDGamma = [];
        private float[] _expectedDBeta = [];

        public Side(Kind kind, int n, int channels, int plane, int seed)
        {
            _kind = kind;
            _n = n;
            _channels = channels;
            _plane = plane;
            var length = n * channels * plane;
            _x = KernelAssert.Random(length, seed, 3f);
            _gamma = KernelAssert.Random(channels, seed + 1);
            _mean = KernelAssert.Random(channels, seed + 2);
            _invStd = Array.ConvertAll(KernelAssert.Random(channels, seed + 3), v => 0.5f + Math.Abs(v));
            Target = KernelAssert.Random(length, seed + 4);
            _dGamma = KernelAssert.Random(channels, seed + 5);
            _dBeta = KernelAssert.Random(channels, seed + 6);
        }

        /// <summary>The tensor the side's gradient goes to: a BatchNorm's input gradient, or the side's own.</summary>
        public float[] Target { get; }

        private bool IsNormalized => _kind is Kind.Normalized or Kind.FrozenAdded or Kind.NoInputGradient;

        private bool Trains => _kind is Kind.Normalized or Kind.NoInputGradient;

        private bool Accumulates => _kind is Kind.FrozenAdded or Kind.Added;

        private bool Delivers => _kind is not (Kind.NoInputGradient or Kind.Unread);

        /// <summary>What the separate passes leave: <c>LayerOps.AddReluBackward</c>'s delivery, then <c>LayerOps.BatchNormBackward</c>'s sums and passes.</summary>
        public void Expect(float[] g, CpuPath path)
        {
            _expectedTarget = (float[])Target.Clone();
            _expectedDGamma = (float[])_dGamma.Clone();
            _expectedDBeta = (float[])_dBeta.Clone();
            if (!IsNormalized)
            {
                if (_kind == Kind.Written)
                {
                    g.CopyTo(_expectedTarget, 0);
                }
                else if (_kind == Kind.Added)
                {
                    TensorOps.AddInPlace(_expectedTarget, g, path);
                }
                return;
            }
            var sumDy = new double[_channels];
            var sumDyXhat = new double[_channels];
            BatchNorm2d.GradientSums(_n, _channels, _plane, _x, g, _mean, _invStd, sumDy, sumDyXhat, accumulate: false, path);
            if (Trains)
            {
                BatchNorm2d.ParameterGradients(sumDy, sumDyXhat, _expectedDGamma, _expectedDBeta, accumulate: false);
            }
            if (Delivers)
            {
                BatchNorm2d.BackwardData(_n, _channels, _plane, _x, g, _gamma, _mean, _invStd, (long)_n * _plane, sumDy, sumDyXhat, _expectedTarget, Accumulates, path);
            }
        }

        /// <summary>The side as <see cref="BatchNorm2d.NormalizedSumBackward"/> takes it, its sums in <paramref name="sums"/>.</summary>
        public BatchNorm2d.JoinSideGradient Of(Span<double> sums) => _kind switch
        {
            Kind.Written or Kind.Added => BatchNorm2d.JoinSideGradient.Plain(Target, Accumulates),
            Kind.Unread => BatchNorm2d.JoinSideGradient.None,
            _ => BatchNorm2d.JoinSideGradient.Normalized(_x, _gamma, _mean, _invStd, sums, Trains ? _dGamma : Span<float>.Empty, Trains ? _dBeta : Span<float>.Empty,
                Delivers ? Target : Span<float>.Empty, Accumulates),
        };

        public void AssertExpected(string what)
        {
            Assert.True(_expectedTarget.AsSpan().SequenceEqual(Target), what + ": target");
            Assert.True(_expectedDGamma.AsSpan().SequenceEqual(_dGamma), what + ": dγ");
            Assert.True(_expectedDBeta.AsSpan().SequenceEqual(_dBeta), what + ": dβ");
        }
    }
}
