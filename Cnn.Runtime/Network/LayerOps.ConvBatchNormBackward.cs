using System;
using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

// The backward of a convolution and the BatchNorm that alone reads its output (the generator pairs them in one call, as
// ConvBatchNorm pairs their forwards: Cnn.Generators/Emit/Passes/PassesWriter.cs). Run apart, the BatchNorm wrote its whole
// input gradient (the convolution's dy, 2 MB a worker in resnet8's first layers) and the convolution read it back twice, for
// its weight gradient and its data gradient, long after it had left L2. Here the BatchNorm's data gradient is made a few
// samples at a time into scratch that stays in L2, and the convolution's two gradients read it there: dy is never written
// to its slot.
public static partial class LayerOps
{
    /// <summary>Bytes of the convolution's dy made per run of samples: half of Zen 5's 1 MiB L2, beside the run's x and dx (64, 128, 256, 512 KiB and the whole batch alternated, --profile: 512 KiB fastest).</summary>
    private const int BackwardRunBytes = 512 * 1024;

    /// <summary>
    /// Backward of a convolution and the BatchNorm after it, whose input gradient is the convolution's dy and nothing else's:
    /// the BatchNorm's gradient sums (and γ's and β's gradients) over the worker's samples, then, a run of samples at a time,
    /// the BatchNorm's data gradient into scratch and the convolution's weight and data gradients from it. The same as
    /// <see cref="BatchNormBackward(NetworkContext, int, int, int, int, int, int, int, bool, InputGradient)"/> then
    /// <see cref="ConvBackward"/>, except that the weight gradient is summed run by run (rounded differently).
    /// </summary>
    /// <param name="context">The worker.</param>
    /// <param name="g">The convolution's geometry.</param>
    /// <param name="x">The convolution's input slot.</param>
    /// <param name="y">The convolution's output slot (the BatchNorm's input).</param>
    /// <param name="weight">Weight offset.</param>
    /// <param name="bias">Bias offset, or -1.</param>
    /// <param name="trainsConvolution">Whether the convolution's parameters train.</param>
    /// <param name="mode">How to deliver the convolution's input gradient.</param>
    /// <param name="z">The BatchNorm's output slot.</param>
    /// <param name="gamma">γ offset.</param>
    /// <param name="beta">β offset.</param>
    /// <param name="state">Offset of the BatchNorm's saved statistics.</param>
    /// <param name="trainsNorm">Whether γ and β train.</param>
    /// <param name="normMode">Whether the BatchNorm's input gradient is needed (Write), or not at all (None: the convolution is frozen, and everything before it).</param>
    public static void ConvBatchNormBackward(NetworkContext context, in ConvGeometry g, int x, int y, int weight, int bias, bool trainsConvolution, InputGradient mode,
        int z, int gamma, int beta, int state, bool trainsNorm, InputGradient normMode) =>
        ConvBatchNormBackward(context, in g, x, y, weight, bias, trainsConvolution, mode, z, gamma, beta, state, trainsNorm, normMode, relu: false);

    /// <summary>
    /// <see cref="ConvBatchNormBackward(NetworkContext, in ConvGeometry, int, int, int, int, bool, InputGradient, int, int, int, int, bool, InputGradient)"/> for a
    /// BatchNorm followed by a ReLU: the gradient gated as <see cref="BatchNormReluBackward"/> gates it.
    /// </summary>
    /// <param name="context">The worker.</param>
    /// <param name="g">The convolution's geometry.</param>
    /// <param name="x">The convolution's input slot.</param>
    /// <param name="y">The convolution's output slot (the BatchNorm's input).</param>
    /// <param name="weight">Weight offset.</param>
    /// <param name="bias">Bias offset, or -1.</param>
    /// <param name="trainsConvolution">Whether the convolution's parameters train.</param>
    /// <param name="mode">How to deliver the convolution's input gradient.</param>
    /// <param name="z">The ReLU's output slot.</param>
    /// <param name="gamma">γ offset.</param>
    /// <param name="beta">β offset.</param>
    /// <param name="state">Offset of the BatchNorm's saved statistics.</param>
    /// <param name="trainsNorm">Whether γ and β train.</param>
    /// <param name="normMode">Whether the BatchNorm's input gradient is needed (Write), or not at all (None).</param>
    public static void ConvBatchNormReluBackward(NetworkContext context, in ConvGeometry g, int x, int y, int weight, int bias, bool trainsConvolution, InputGradient mode,
        int z, int gamma, int beta, int state, bool trainsNorm, InputGradient normMode) =>
        ConvBatchNormBackward(context, in g, x, y, weight, bias, trainsConvolution, mode, z, gamma, beta, state, trainsNorm, normMode, relu: true);

    /// <summary>Scratch of <see cref="ConvBatchNormBackward(NetworkContext, in ConvGeometry, int, int, int, int, bool, InputGradient, int, int, int, int, bool, InputGradient)"/>: a run's dy, 64-byte aligned, then the convolution's.</summary>
    /// <param name="g">The convolution's geometry.</param>
    /// <param name="batch">Samples.</param>
    /// <returns>Floats.</returns>
    public static int ConvBatchNormBackwardScratch(in ConvGeometry g, int batch) =>
        (BackwardRun(in g, batch) * g.OutputLength) + 16 + ConvScratch(in g, batch);

    /// <summary>Samples per run: as many as fit <see cref="BackwardRunBytes"/> of dy, at least one.</summary>
    private static int BackwardRun(in ConvGeometry g, int batch) => Math.Max(1, Math.Min(batch, BackwardRunBytes / sizeof(float) / g.OutputLength));

    private static unsafe void ConvBatchNormBackward(NetworkContext context, in ConvGeometry g, int x, int y, int weight, int bias, bool trainsConvolution, InputGradient mode,
        int z, int gamma, int beta, int state, bool trainsNorm, InputGradient normMode, bool relu)
    {
        if (!trainsNorm && normMode == InputGradient.None)
        {
            return;
        }
        var norm = new NormBackward(context, g.OutChannels, g.OutPlane, y, z, gamma, beta, state, relu, InputGradient.Write);
        norm.Sums(trainsNorm);
        if (normMode == InputGradient.None || (!trainsConvolution && mode == InputGradient.None))
        {
            return;
        }
        int batch = context.Batch, run = BackwardRun(in g, batch), inputLength = g.InputLength, outputLength = g.OutputLength;
        var scratch = context.Scratch;
        fixed (float* start = scratch)
        {
            // The run's dy on a cache line, as the slots are (PositionLaneWeightGradient reads aligned rows in place).
            var aligned = (int)((64 - ((long)start & 63)) & 63) / sizeof(float);
            var dy = scratch.Slice(aligned, run * outputLength);
            var work = scratch[(aligned + (run * outputLength))..];
            var input = context.Activation(x, inputLength);
            var dx = mode == InputGradient.None ? Span<float>.Empty : context.ActivationGradient(x, inputLength);
            var weights = context.Parameter(weight, g.WeightLength);
            var first = 0;
            do
            {
                // At least one call, so that an empty share still clears the weight gradient.
                var samples = Math.Min(run, batch - first);
                var runDy = dy[..(samples * outputLength)];
                norm.DataGradient(first, samples, runDy);
                if (trainsConvolution)
                {
                    Conv2d.BackwardWeights(in g, samples, input.Slice(first * inputLength, samples * inputLength), runDy, context.Gradient(weight, g.WeightLength),
                        OptionalGradient(context, bias, g.OutChannels), accumulate: first > 0, work);
                }
                if (mode != InputGradient.None)
                {
                    Conv2d.BackwardData(in g, samples, runDy, weights, dx.Slice(first * inputLength, samples * inputLength), mode == InputGradient.Accumulate, work);
                }
                first += samples;
            }
            while (first < batch);
        }
    }
}
