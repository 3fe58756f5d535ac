using System;
using System.Linq;
using Cnn.Dsl.Tests.Kernels;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Model;
using Cnn.Runtime.Network;

namespace Cnn.Dsl.Tests.Network;

/// <summary>
/// <see cref="LayerOps.ConvBatchNormBackward"/>: a convolution's and its BatchNorm's backward in one call, the BatchNorm's data gradient
/// made a run of samples at a time: the same gradients as <c>BatchNorm[Relu]Backward</c> then <see cref="LayerOps.ConvBackward"/>.
/// </summary>
public class ConvBatchNormBackwardTests
{
    // Runs of 8 samples (16×32×32 outputs: 64 KiB a sample), of 16 (32×16×16), and a biased convolution with small outputs (one run).
    public static TheoryData<ConvGeometry, int> Cases => new()
    {
        { new ConvGeometry(16, 32, 32, 16, 3, pad: 1), 9 },
        { new ConvGeometry(16, 32, 32, 32, 3, stride: 2, pad: 1), 17 },
        { new ConvGeometry(16, 32, 32, 32, 1, stride: 2), 17 },
        { new ConvGeometry(3, 8, 8, 5, 3, pad: 1), 3 },
        { new ConvGeometry(16, 32, 32, 16, 3, pad: 1), 1 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_gradients_are_the_separate_passes(ConvGeometry g, int batch)
    {
        foreach (var relu in new[] { false, true })
        {
            foreach (var mode in new[] { InputGradient.Write, InputGradient.Accumulate, InputGradient.None })
            {
                foreach (var trainsConvolution in new[] { true, false })
                {
                    var separate = new Layer(g, batch);
                    var fused = new Layer(g, batch);
                    separate.Separately(relu, trainsConvolution, mode, trainsNorm: true, InputGradient.Write);
                    fused.Fused(relu, trainsConvolution, mode, trainsNorm: true, InputGradient.Write);
                    var what = $"{g.InChannels}→{g.OutChannels} stride {g.Stride}, batch {batch}, relu {relu}, {mode}, trains {trainsConvolution}";
                    // γ, β and each sample's dx are computed as the separate passes compute them; the weight gradient is summed run by run.
                    Assert.True(separate.NormGradients.SequenceEqual(fused.NormGradients), what);
                    Assert.True(separate.InputGradient.SequenceEqual(fused.InputGradient), what);
                    // Each weight's gradient sums up to 9·32·32 products: float rounding of the order of 1e-4 of the largest gradient.
                    var expected = separate.ConvolutionGradients;
                    KernelAssert.Close(KernelAssert.ToDouble(expected), fused.ConvolutionGradients, 1e-4, 1e-4 * expected.Max(Math.Abs), what);
                }
            }
        }
    }

    [Fact]
    public void Without_the_batch_norm_input_gradient_only_its_parameters_get_gradients()
    {
        // The convolution is frozen and nothing before it trains: InputMode gives the BatchNorm None.
        var g = new ConvGeometry(16, 32, 32, 16, 3, pad: 1);
        var separate = new Layer(g, 5);
        var fused = new Layer(g, 5);
        separate.Separately(relu: true, trainsConvolution: false, InputGradient.None, trainsNorm: true, InputGradient.None);
        fused.Fused(relu: true, trainsConvolution: false, InputGradient.None, trainsNorm: true, InputGradient.None);
        Assert.True(separate.NormGradients.SequenceEqual(fused.NormGradients));
        Assert.Contains(fused.NormGradients, v => v != 0f);
        Assert.All(fused.ConvolutionGradients, v => Assert.Equal(Layer.Untouched, v));
        Assert.All(fused.InputGradient, v => Assert.Equal(Layer.Untouched, v));
    }

    [Fact]
    public void An_empty_share_clears_the_weight_gradient()
    {
        // A worker without samples (a batch smaller than the workers) still overwrites its weight gradient, as ConvBackward does.
        var layer = new Layer(new ConvGeometry(16, 32, 32, 16, 3, pad: 1), 0);
        layer.Fused(relu: true, trainsConvolution: true, InputGradient.Write, trainsNorm: true, InputGradient.Write);
        Assert.All(layer.ConvolutionGradients, v => Assert.Equal(0f, v));
    }

    /// <summary>A convolution (with bias) and its BatchNorm in a context of their own, with random activations, gradients and statistics.</summary>
    private sealed class Layer
    {
        public const float Untouched = 7f;

        private readonly ConvGeometry _g;
        private readonly NetworkContext _context;
        private readonly int _y;
        private readonly int _z;
        private readonly int _bias;
        private readonly int _gamma;
        private readonly int _beta;

        public Layer(ConvGeometry g, int batch)
        {
            _g = g;
            int channels = g.OutChannels, output = g.OutputLength;
            _y = g.InputLength;
            _z = _y + output;
            _bias = g.WeightLength;
            _gamma = _bias + channels;
            _beta = _gamma + channels;
            var plan = new NetworkPlan
            {
                Layout = [],
                Input = new TensorShape(g.InChannels, g.InHeight, g.InWidth, false),
                Output = new TensorShape(channels, g.OutHeight, g.OutWidth, false),
                ActivationFloatsPerSample = _z + output,
                StateFloats = 2 * channels,
                OutputOffset = _z,
                TrainingOutputOffset = _z,
            };
            var parameters = KernelAssert.Random(_beta + channels, 1, 0.5f);
            var gradients = Enumerable.Repeat(Untouched, parameters.Length).ToArray();
            _context = new NetworkContext(plan, new TrainedSteps(plan), 0, parameters, gradients, [], seed: 1);
            _context.Prepare(batch, batch, Math.Max(LayerOps.ConvBatchNormBackwardScratch(in g, batch), LayerOps.ConvScratch(in g, batch)));
            KernelAssert.Random(batch * plan.ActivationFloatsPerSample, 2).CopyTo(_context.AllActivations);
            var gradientsOf = _context.ActivationGradient(0, plan.ActivationFloatsPerSample);
            gradientsOf.Fill(Untouched);
            KernelAssert.Random(batch * output, 3).CopyTo(_context.ActivationGradient(_z, output));
            KernelAssert.Random(channels, 4).CopyTo(_context.StateSlot(0, channels));
            Array.ConvertAll(KernelAssert.Random(channels, 5), v => 0.5f + Math.Abs(v)).CopyTo(_context.StateSlot(channels, channels));
        }

        public float[] NormGradients => _context.Gradients[_gamma..];

        public float[] ConvolutionGradients => _context.Gradients[.._gamma];

        public float[] InputGradient => _context.ActivationGradient(0, _g.InputLength).ToArray();

        public void Separately(bool relu, bool trainsConvolution, InputGradient mode, bool trainsNorm, InputGradient normMode)
        {
            if (relu)
            {
                LayerOps.BatchNormReluBackward(_context, _g.OutChannels, _g.OutPlane, _y, _z, _gamma, _beta, 0, trainsNorm, normMode);
            }
            else
            {
                LayerOps.BatchNormBackward(_context, _g.OutChannels, _g.OutPlane, _y, _z, _gamma, _beta, 0, trainsNorm, normMode);
            }
            if (normMode != Runtime.Network.InputGradient.None)
            {
                LayerOps.ConvBackward(_context, in _g, 0, _y, 0, _bias, trainsConvolution, mode);
            }
        }

        public void Fused(bool relu, bool trainsConvolution, InputGradient mode, bool trainsNorm, InputGradient normMode)
        {
            if (relu)
            {
                LayerOps.ConvBatchNormReluBackward(_context, in _g, 0, _y, 0, _bias, trainsConvolution, mode, _z, _gamma, _beta, 0, trainsNorm, normMode);
            }
            else
            {
                LayerOps.ConvBatchNormBackward(_context, in _g, 0, _y, 0, _bias, trainsConvolution, mode, _z, _gamma, _beta, 0, trainsNorm, normMode);
            }
        }
    }
}
