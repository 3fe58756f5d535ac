using System;
using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

public static partial class LayerOps
{
    /// <summary>
    /// A convolution, then the ReLU and 2×2 max pooling that alone read its output, in one call (the generator emits it for a
    /// convolution whose only reader is a <see cref="MaxPoolRelu"/>). One-sample inference takes <see cref="DirectConvPool"/> where
    /// it pays, computing the pooled values without storing the convolution's output (<see cref="DirectConvPool"/> gives
    /// <see cref="Conv"/> and <see cref="MaxPoolRelu"/>'s values bit for bit); everything else runs those two in turn, as before
    /// (training keeps the convolution's output and the argmax for backward).
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
    public static int ConvMaxPoolReluScratch(in ConvGeometry g, in PoolGeometry pool, int batch) =>
        batch == 1 && DirectConvPool.Pays(in g, in pool) ? Math.Max(ConvScratch(in g, batch), DirectConvPool.ScratchLength(in g)) : ConvScratch(in g, batch);

    /// <summary>Whether <see cref="ConvMaxPoolRelu"/> runs <see cref="DirectConvPool"/>: one-sample inference, where it pays.</summary>
    private static bool TakesPooledKernel(NetworkContext context, in ConvGeometry g, in PoolGeometry pool) =>
        !context.Training && context.TotalBatch == 1 && DirectConvPool.Pays(in g, in pool);
}
