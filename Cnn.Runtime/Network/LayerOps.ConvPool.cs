using System;
using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

public static partial class LayerOps
{
    /// <summary>
    /// A convolution, then the ReLU and 2×2 max pooling that alone read its output, in one call (the generator emits it for a
    /// convolution whose only reader is a <see cref="MaxPoolRelu"/>). One-sample inference takes <see cref="FilterLanePool"/> (16·m
    /// filters) or <see cref="DirectConvPool"/> where they pay, computing the pooled values without storing the convolution's output
    /// (both give <see cref="Conv"/> and <see cref="MaxPoolRelu"/>'s values bit for bit), and a layer it shares with worker 1 by blocks of output
    /// channels (<see cref="SharedWinograd"/>) pools each block on the thread that computed it (<see cref="BlockEpilogue"/>);
    /// everything else runs those two in turn, as before (training keeps the convolution's output and the argmax for backward).
    /// </summary>
    /// <param name="context">The worker.</param>
    /// <param name="g">The convolution's geometry.</param>
    /// <param name="x">The convolution's input slot.</param>
    /// <param name="y">The convolution's output slot (left unwritten by the fused pass).</param>
    /// <param name="weight">Weight offset.</param>
    /// <param name="bias">Bias offset, or -1.</param>
    /// <param name="pool">The pooling's geometry.</param>
    /// <param name="pooled">The pooling's output slot (the ReLU's).</param>
    /// <param name="indices">The pooling's argmax slot.</param>
    public static void ConvMaxPoolRelu(NetworkContext context, in ConvGeometry g, int x, int y, int weight, int bias, in PoolGeometry pool, int pooled, int indices)
    {
        if (TakesKeptBlocks(context, in g, rowSite: false))
        {
            KeptBlocksForward(context, in g, x, y, weight, bias, BlockEpilogue.Pooling(in pool, pooled), rowSite: false);
            return;
        }
        if (TakesFilterLaneKernel(context, in g, in pool))
        {
            FilterLanePool.Forward(in g, in pool, context.Activation(x, g.InputLength), KeptFilters(context, in g, weight, KeptFilterForm.FilterLanes),
                OptionalParameter(context, bias, g.OutChannels), context.Activation(pooled, pool.OutputLength), context.Scratch);
            return;
        }
        if (TakesPooledKernel(context, in g, in pool))
        {
            DirectConvPool.Forward(in g, in pool, context.Activation(x, g.InputLength), context.Parameter(weight, g.WeightLength),
                OptionalParameter(context, bias, g.OutChannels), context.Activation(pooled, pool.OutputLength), context.Scratch);
            return;
        }
        Conv(context, in g, x, y, weight, bias);
        MaxPoolRelu(context, in pool, y, pooled, indices);
    }

    /// <summary>Scratch of <see cref="ConvMaxPoolRelu"/>: the convolution's, and at one sample the fused kernel's where it runs.</summary>
    /// <param name="g">The convolution's geometry.</param>
    /// <param name="pool">The pooling's geometry.</param>
    /// <param name="batch">Samples.</param>
    /// <returns>Floats.</returns>
    public static int ConvMaxPoolReluScratch(in ConvGeometry g, in PoolGeometry pool, int batch)
    {
        var scratch = ConvScratch(in g, batch);
        if (batch == 1 && DirectConvPool.Pays(in g, in pool))
        {
            scratch = Math.Max(scratch, DirectConvPool.ScratchLength(in g));
        }
        if (batch == 1 && FilterLanePays(in g, in pool))
        {
            scratch = Math.Max(scratch, FilterLanePool.ScratchLength(in g, in pool));
        }
        return scratch;
    }

    /// <summary>
    /// A convolution, the BatchNorm that alone reads its output, then the ReLU and max pooling that alone read the BatchNorm's, in one
    /// call (the generator emits it for Conv, BatchNorm, Relu, MaxPool). In training the convolution sums its output for the batch
    /// statistics as <see cref="ConvSummed"/> does; then each sample's normalized planes are made in the scratch, where they stay in
    /// cache, and pooled from there by <see cref="MaxPoolRelu"/>'s kernels, the ReLU applied to the sample's pooled values while they
    /// are in cache too: the BatchNorm's output is never written (its backward
    /// reads the convolution's output, the pooling's backward only the argmax), so a worker's pass reads the convolution's output
    /// once instead of writing and reading back a tensor of its size (3.2 MB a worker in bn2conv's first layer). Every value and
    /// index is the one <see cref="ConvBatchNorm(NetworkContext, in ConvGeometry, int, int, int, int, int, int, int, int, int, int, float, float)"/>
    /// then <see cref="MaxPoolRelu"/> give: the same per-plane map, the same pooling. Inference runs those two in turn, or, for one sample
    /// where <see cref="DirectConvPool.PaysMapped"/>, all four in one pass of <see cref="DirectConvPool.ForwardMapped"/>.
    /// </summary>
    /// <param name="context">The worker.</param>
    /// <param name="g">The convolution's geometry.</param>
    /// <param name="x">The convolution's input slot.</param>
    /// <param name="y">The convolution's output slot (the BatchNorm's input).</param>
    /// <param name="weight">Weight offset.</param>
    /// <param name="bias">Bias offset, or -1.</param>
    /// <param name="z">The BatchNorm's output slot (written in inference only).</param>
    /// <param name="gamma">γ offset.</param>
    /// <param name="beta">β offset.</param>
    /// <param name="runningMean">Running-mean offset in the buffer arena.</param>
    /// <param name="runningVar">Running-variance offset in the buffer arena.</param>
    /// <param name="state">Offset of 2·channels floats of saved statistics.</param>
    /// <param name="eps">ε.</param>
    /// <param name="momentum">Running-statistics momentum.</param>
    /// <param name="pool">The pooling's geometry.</param>
    /// <param name="pooled">The pooling's output slot (the ReLU's).</param>
    /// <param name="indices">The pooling's argmax slot.</param>
    public static void ConvBatchNormMaxPoolRelu(NetworkContext context, in ConvGeometry g, int x, int y, int weight, int bias, int z, int gamma, int beta,
        int runningMean, int runningVar, int state, float eps, float momentum, in PoolGeometry pool, int pooled, int indices)
    {
        if (TakesMappedPooledKernel(context, in g, in pool))
        {
            MappedPooledForward(context, in g, x, weight, bias, gamma, beta, runningMean, runningVar, eps, in pool, pooled);
            return;
        }
        if (TakesKeptBlocks(context, in g, rowSite: false))
        {
            KeptBlocksForward(context, in g, x, y, weight, bias, BlockEpilogue.NormalizingPooling(gamma, beta, runningMean, runningVar, eps, z, in pool, pooled), rowSite: false);
            return;
        }
        if (!context.Training)
        {
            ConvBatchNorm(context, in g, x, y, weight, bias, z, gamma, beta, runningMean, runningVar, state, eps, momentum);
            MaxPoolRelu(context, in pool, z, pooled, indices);
            return;
        }
        int channels = g.OutChannels, sample = g.OutputLength, pooledSample = pool.OutputLength;
        ConvSummed(context, in g, x, y, weight, bias);
        BatchNormStatistics(context, channels, g.OutPlane, y, runningMean, runningVar, state, eps, momentum, summed: true);
        var map = BatchNorm2d.ChannelAffine.Training(context.Parameter(gamma, channels), context.Parameter(beta, channels), context.StateSlot(state, channels),
            context.StateSlot(state + channels, channels));
        var input = context.Activation(y, sample);
        var output = context.Activation(pooled, pooledSample);
        var argmax = context.Indices(indices, pooledSample);
        var normalized = context.Scratch[..sample];
        for (var s = 0; s < context.Batch; s++)
        {
            BatchNorm2d.Mapped(1, channels, g.OutPlane, input.Slice(s * sample, sample), map, normalized, relu: false, CpuPath.Auto);
            PooledRelu(in pool, 1, normalized, output.Slice(s * pooledSample, pooledSample), argmax.Slice(s * pooledSample, pooledSample));
        }
    }

    /// <summary>Scratch of <see cref="ConvBatchNormMaxPoolRelu"/>: the convolution's, and one sample's normalized output.</summary>
    /// <param name="g">The convolution's geometry.</param>
    /// <param name="batch">Samples.</param>
    /// <returns>Floats.</returns>
    public static int ConvBatchNormMaxPoolReluScratch(in ConvGeometry g, int batch) =>
        Math.Max(Math.Max(ConvScratch(in g, batch), g.OutputLength), batch == 1 ? MappedPooledScratch(in g) : 0);

    /// <summary>
    /// Whether <see cref="ConvBatchNormMaxPoolRelu"/> runs <see cref="DirectConvPool.ForwardMapped"/>: one-sample inference, where
    /// <see cref="DirectConvPool.PaysMapped"/>: the values of the four passes it replaces, bit for bit.
    /// </summary>
    private static bool TakesMappedPooledKernel(NetworkContext context, in ConvGeometry g, in PoolGeometry pool) =>
        !context.Training && context.TotalBatch == 1 && DirectConvPool.PaysMapped(in g, in pool);

    /// <summary>
    /// Scratch of <see cref="MappedPooledForward"/>. Sized whatever the pooling, which the scratch call does not name:
    /// <see cref="DirectConvPool.PaysMapped"/> takes only 2×2 poolings of the whole map, so a map narrower than 2 (no such window fits)
    /// needs none.
    /// </summary>
    private static int MappedPooledScratch(in ConvGeometry g) =>
        g.OutHeight >= 2 && g.OutWidth >= 2 && DirectConvPool.PaysMapped(in g, new PoolGeometry(g.OutChannels, g.OutHeight, g.OutWidth, 2, 2))
            ? DirectConvPool.ScratchLength(in g) : 0;

    /// <summary>One sample's <c>relu(maxpool(batchnorm(conv(x))))</c> with the running statistics, the convolution's and the BatchNorm's outputs never written.</summary>
    private static void MappedPooledForward(NetworkContext context, in ConvGeometry g, int x, int weight, int bias, int gamma, int beta, int runningMean, int runningVar,
        float eps, in PoolGeometry pool, int pooled)
    {
        var channels = g.OutChannels;
        var map = context.InferenceMap(channels, gamma, beta, runningMean, runningVar, eps);
        DirectConvPool.ForwardMapped(in g, in pool, context.Activation(x, g.InputLength), context.Parameter(weight, g.WeightLength), OptionalParameter(context, bias, channels),
            map, context.Activation(pooled, pool.OutputLength), context.Scratch);
    }

    /// <summary>Whether <see cref="ConvMaxPoolRelu"/> runs <see cref="FilterLanePool"/>: one-sample inference, where it pays.</summary>
    private static bool TakesFilterLaneKernel(NetworkContext context, in ConvGeometry g, in PoolGeometry pool) =>
        !context.Training && context.TotalBatch == 1 && FilterLanePays(in g, in pool);

    /// <summary>
    /// Whether one-sample inference takes <see cref="FilterLanePool"/> for the pair: a layer it computes that one-sample inference does
    /// not take Winograd for (<see cref="Conv2d.OneSampleTakesWinograd"/>: fewer multiply-adds, and shared with worker 1). On LeNet-5's
    /// 6 → 16 layer it replaced <see cref="DirectConv"/> and the pooling pass (2.98 + 0.23 → 2.26 µs alone).
    /// </summary>
    private static bool FilterLanePays(in ConvGeometry g, in PoolGeometry pool) =>
        FilterLanePool.Supports(in g, in pool) && !Conv2d.OneSampleTakesWinograd(in g);

    /// <summary>Whether <see cref="ConvMaxPoolRelu"/> runs <see cref="DirectConvPool"/>: one-sample inference, where it pays.</summary>
    private static bool TakesPooledKernel(NetworkContext context, in ConvGeometry g, in PoolGeometry pool) =>
        !context.Training && context.TotalBatch == 1 && DirectConvPool.Pays(in g, in pool);
}
