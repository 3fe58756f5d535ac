using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

// A convolution whose output a BatchNorm reads next (the generator pairs them in one call: Cnn.Generators/Emit/Passes/
// PassesWriter.cs): in training the convolution also sums its output per channel, sample by sample while the
// sample's output is in cache, and the BatchNorm takes those sums instead of reading the whole tensor back for
// them; in inference the BatchNorm's map is applied to each sample's output while it is in cache. Either is
// BatchNorm's own computation, bit for bit (Conv2d.ForwardSummed, Conv2d.ForwardNormalized), so nothing else changes.
public static partial class LayerOps
{
    /// <summary>
    /// <see cref="Conv"/>, and in training the output's per-channel Σy and Σy² into <see cref="NetworkContext.Doubles"/>
    /// for the BatchNorm that follows (<see cref="ConvBatchNorm(NetworkContext, in ConvGeometry, int, int, int, int, int, int, int, int, int, int, float, float)"/>).
    /// </summary>
    /// <param name="context">The worker.</param>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="weight">Weight offset.</param>
    /// <param name="bias">Bias offset, or -1.</param>
    public static void ConvSummed(NetworkContext context, in ConvGeometry g, int x, int y, int weight, int bias)
    {
        if (!context.Training || TakesDirectKernel(context, in g))
        {
            // Inference reaches this from the calls that split a layer by rows when the pass shares (the kernel must not depend on that).
            ConvAt(context, in g, x, y, weight, bias, rowSite: true);
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

    /// <summary>
    /// A convolution and the BatchNorm that reads its output (<see cref="BatchNorm(NetworkContext, int, int, int, int, int, int, int, int, int, float, float)"/>),
    /// in one call: in training <see cref="ConvSummed"/>, then the BatchNorm on its sums; in inference, unless one sample takes the
    /// direct kernel, the BatchNorm's map with the running statistics is applied to each sample's output while it is in cache
    /// (<see cref="Conv2d.ForwardNormalized"/>), the same values as a pass of its own over the whole tensor.
    /// </summary>
    /// <param name="context">The worker.</param>
    /// <param name="g">The convolution's geometry.</param>
    /// <param name="x">The convolution's input slot.</param>
    /// <param name="y">The convolution's output slot (the BatchNorm's input).</param>
    /// <param name="weight">Weight offset.</param>
    /// <param name="bias">Bias offset, or -1.</param>
    /// <param name="z">The BatchNorm's output slot.</param>
    /// <param name="gamma">γ offset.</param>
    /// <param name="beta">β offset.</param>
    /// <param name="runningMean">Running-mean offset in the buffer arena.</param>
    /// <param name="runningVar">Running-variance offset in the buffer arena.</param>
    /// <param name="state">Offset of 2·channels floats of saved statistics.</param>
    /// <param name="eps">ε.</param>
    /// <param name="momentum">Running-statistics momentum.</param>
    public static void ConvBatchNorm(NetworkContext context, in ConvGeometry g, int x, int y, int weight, int bias, int z, int gamma, int beta, int runningMean, int runningVar,
        int state, float eps, float momentum) =>
        ConvBatchNorm(context, in g, x, y, weight, bias, z, gamma, beta, runningMean, runningVar, state, eps, momentum, relu: false);

    /// <summary><see cref="ConvBatchNorm(NetworkContext, in ConvGeometry, int, int, int, int, int, int, int, int, int, int, float, float)"/> then ReLU, as <see cref="BatchNormRelu"/>.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="g">The convolution's geometry.</param>
    /// <param name="x">The convolution's input slot.</param>
    /// <param name="y">The convolution's output slot (the BatchNorm's input).</param>
    /// <param name="weight">Weight offset.</param>
    /// <param name="bias">Bias offset, or -1.</param>
    /// <param name="z">The ReLU's output slot.</param>
    /// <param name="gamma">γ offset.</param>
    /// <param name="beta">β offset.</param>
    /// <param name="runningMean">Running-mean offset in the buffer arena.</param>
    /// <param name="runningVar">Running-variance offset in the buffer arena.</param>
    /// <param name="state">Offset of 2·channels floats of saved statistics.</param>
    /// <param name="eps">ε.</param>
    /// <param name="momentum">Running-statistics momentum.</param>
    public static void ConvBatchNormRelu(NetworkContext context, in ConvGeometry g, int x, int y, int weight, int bias, int z, int gamma, int beta, int runningMean, int runningVar,
        int state, float eps, float momentum) =>
        ConvBatchNorm(context, in g, x, y, weight, bias, z, gamma, beta, runningMean, runningVar, state, eps, momentum, relu: true);

    /// <summary>
    /// A convolution and the BatchNorm reading its output, when a residual join is that BatchNorm's only reader and applies its map
    /// (<see cref="NormalizedAdd(NetworkContext, int, int, int, int, int, int, int, int, float, int, int, int, int, int, int, float, int)"/>): in training <see cref="ConvSummed"/> and the BatchNorm's batch statistics, in inference the plain
    /// convolution. The BatchNorm's output is never written.
    /// </summary>
    /// <param name="context">The worker.</param>
    /// <param name="g">The convolution's geometry.</param>
    /// <param name="x">The convolution's input slot.</param>
    /// <param name="y">The convolution's output slot (the BatchNorm's input).</param>
    /// <param name="weight">Weight offset.</param>
    /// <param name="bias">Bias offset, or -1.</param>
    /// <param name="runningMean">Running-mean offset in the buffer arena.</param>
    /// <param name="runningVar">Running-variance offset in the buffer arena.</param>
    /// <param name="state">Offset of 2·channels floats of saved statistics.</param>
    /// <param name="eps">ε.</param>
    /// <param name="momentum">Running-statistics momentum.</param>
    public static void ConvBatchNormStatistics(NetworkContext context, in ConvGeometry g, int x, int y, int weight, int bias, int runningMean, int runningVar, int state,
        float eps, float momentum)
    {
        if (SplitsRows(context, in g))
        {
            RowsForward(context, in g, x, y, weight, bias, BlockEpilogue.None);
            return;
        }
        ConvSummed(context, in g, x, y, weight, bias);
        if (context.Training)
        {
            BatchNormStatistics(context, g.OutChannels, g.OutPlane, y, runningMean, runningVar, state, eps, momentum, summed: true);
        }
    }

    private static void ConvBatchNorm(NetworkContext context, in ConvGeometry g, int x, int y, int weight, int bias, int z, int gamma, int beta, int runningMean, int runningVar,
        int state, float eps, float momentum, bool relu)
    {
        int channels = g.OutChannels, plane = g.OutPlane;
        if (SplitsRows(context, in g))
        {
            RowsForward(context, in g, x, y, weight, bias, BlockEpilogue.Normalizing(gamma, beta, runningMean, runningVar, eps, z, relu));
            return;
        }
        if (TakesKeptBlocks(context, in g, rowSite: true))
        {
            // Each block of output channels normalized on the thread that computed it: the values of the normalized convolution.
            KeptBlocksForward(context, in g, x, y, weight, bias, BlockEpilogue.Normalizing(gamma, beta, runningMean, runningVar, eps, z, relu), rowSite: true);
            return;
        }
        if (context.Training || TakesDirectKernel(context, in g))
        {
            ConvSummed(context, in g, x, y, weight, bias);
            BatchNorm(context, channels, plane, y, z, gamma, beta, runningMean, runningVar, state, eps, momentum, relu, summed: true);
            return;
        }
        Conv2d.ForwardNormalized(in g, context.Batch, context.Activation(x, g.InputLength), context.Parameter(weight, g.WeightLength),
            OptionalParameter(context, bias, channels), context.Activation(y, g.OutputLength), context.Parameter(gamma, channels), context.Parameter(beta, channels),
            context.Buffer(runningMean, channels), context.Buffer(runningVar, channels), eps, context.Activation(z, g.OutputLength), relu, context.Scratch, CpuPath.Auto,
            TakesKeptFilters(context, in g) ? KeptFilters(context, in g, weight) : default);
    }
}
