using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

// A convolution whose output a BatchNorm reads next (the generator pairs them: Cnn.Generators/Emit/Passes/
// PassesWriter.cs): in training the convolution also sums its output per channel, sample by sample while the
// sample's output is in cache, and the BatchNorm takes those sums instead of reading the whole tensor back for
// them. The sums are BatchNorm's own, bit for bit (Conv2d.ForwardSummed), so nothing else changes; in inference
// the pair are the plain steps.
public static partial class LayerOps
{
    /// <summary>
    /// <see cref="Conv"/>, and in training the output's per-channel Σy and Σy² into <see cref="NetworkContext.Doubles"/>
    /// for the <see cref="SummedBatchNorm"/> or <see cref="SummedBatchNormRelu"/> that follows.
    /// </summary>
    /// <param name="context">The worker.</param>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="weight">Weight offset.</param>
    /// <param name="bias">Bias offset, or -1.</param>
    public static void ConvSummed(NetworkContext context, in ConvGeometry g, int x, int y, int weight, int bias)
    {
        if (!context.Training || (context.TotalBatch == 1 && DirectConv.Supports(in g)))
        {
            Conv(context, in g, x, y, weight, bias);
            if (context.Training)
            {
                var sums = context.Doubles(2 * g.OutChannels);
                BatchNorm2d.Sums(context.Batch, g.OutChannels, g.OutPlane, context.Activation(y, g.OutputLength), sums[..g.OutChannels],
                    sums.Slice(g.OutChannels, g.OutChannels), accumulate: false);
            }
            return;
        }
        Conv2d.ForwardSummed(in g, context.Batch, context.Activation(x, g.InputLength), context.Parameter(weight, g.WeightLength),
            OptionalParameter(context, bias, g.OutChannels), context.Activation(y, g.OutputLength), context.Doubles(2 * g.OutChannels), context.Scratch, CpuPath.Auto);
    }

    /// <summary><see cref="BatchNorm(NetworkContext, int, int, int, int, int, int, int, int, int, float, float)"/> right after <see cref="ConvSummed"/> on its output: in training the sums are the convolution's.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Values per channel per sample.</param>
    /// <param name="x">Input slot (the convolution's output).</param>
    /// <param name="y">Output slot.</param>
    /// <param name="gamma">γ offset.</param>
    /// <param name="beta">β offset.</param>
    /// <param name="runningMean">Running-mean offset in the buffer arena.</param>
    /// <param name="runningVar">Running-variance offset in the buffer arena.</param>
    /// <param name="state">Offset of 2·channels floats of saved statistics.</param>
    /// <param name="eps">ε.</param>
    /// <param name="momentum">Running-statistics momentum.</param>
    public static void SummedBatchNorm(NetworkContext context, int channels, int plane, int x, int y, int gamma, int beta, int runningMean, int runningVar, int state, float eps, float momentum) =>
        BatchNorm(context, channels, plane, x, y, gamma, beta, runningMean, runningVar, state, eps, momentum, relu: false, summed: true);

    /// <summary><see cref="SummedBatchNorm"/> then ReLU, as <see cref="BatchNormRelu"/>.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Values per channel per sample.</param>
    /// <param name="x">Input slot (the convolution's output).</param>
    /// <param name="y">Output slot (the ReLU's).</param>
    /// <param name="gamma">γ offset.</param>
    /// <param name="beta">β offset.</param>
    /// <param name="runningMean">Running-mean offset in the buffer arena.</param>
    /// <param name="runningVar">Running-variance offset in the buffer arena.</param>
    /// <param name="state">Offset of 2·channels floats of saved statistics.</param>
    /// <param name="eps">ε.</param>
    /// <param name="momentum">Running-statistics momentum.</param>
    public static void SummedBatchNormRelu(NetworkContext context, int channels, int plane, int x, int y, int gamma, int beta, int runningMean, int runningVar, int state, float eps, float momentum) =>
        BatchNorm(context, channels, plane, x, y, gamma, beta, runningMean, runningVar, state, eps, momentum, relu: true, summed: true);
}
