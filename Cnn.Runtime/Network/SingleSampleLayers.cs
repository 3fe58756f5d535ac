using System;
using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

/// <summary>
/// The large layers of a one-sample pass, shared with the network's <see cref="SampleHelper"/> when it has
/// one (two or more workers): convolutions by blocks of 8 filters, dense layers by blocks of weight rows.
/// Each block is computed exactly as the single-threaded kernel computes it, so the output is bit-identical
/// with or without the helper. Smaller layers run on the calling thread alone: below
/// <see cref="SplitMultiplyAdds"/> handing out the parts costs about what it saves.
/// </summary>
internal static class SingleSampleLayers
{
    /// <summary>Multiply-adds below which a layer is not shared (about 3 µs of work).</summary>
    internal const long SplitMultiplyAdds = 200_000;

    /// <summary>At most this many parts per dense layer (each a run of 8-row blocks).</summary>
    private const int DenseParts = 16;

    /// <summary>Computes a one-sample convolution with the helper if it is worth it; false when the caller should run it alone.</summary>
    internal static bool TryConv(NetworkContext context, in ConvGeometry g, int x, int y, int weight, int bias)
    {
        if (context.Helper is not { } helper || g.MultiplyAdds < SplitMultiplyAdds || DirectConv.FilterBlocks(g) < 2)
        {
            return false;
        }
        var input = context.Activation(x, g.InputLength);
        DirectConv.Check(g, 1, input.Length, g.WeightLength, LayerOpsBias(context, bias, g.OutChannels), g.OutputLength, context.Scratch.Length, CpuPath.Auto);
        DirectConv.CopyInput(g, input, context.Scratch, CpuPath.Auto);
        helper.Run(context.ConvParts.Set(g, y, weight, bias), DirectConv.FilterBlocks(g));
        return true;
    }

    /// <summary>Computes a one-sample dense layer with the helper if it is worth it; false when the caller should run it alone.</summary>
    internal static bool TryDense(NetworkContext context, int inputs, int outputs, int x, int y, int weight, int bias)
    {
        var blocks = LinearRowDots.RowBlocks(outputs);
        if (context.Helper is not { } helper || (long)inputs * outputs < SplitMultiplyAdds || blocks < 2 || !LinearRowDots.Supports(CpuPath.Auto))
        {
            return false;
        }
        LinearRowDots.Check(1, inputs, outputs, inputs, inputs * outputs, LayerOpsBias(context, bias, outputs), outputs);
        var perPart = (blocks + DenseParts - 1) / DenseParts;
        helper.Run(context.DenseParts.Set(inputs, outputs, x, y, weight, bias, perPart), (blocks + perPart - 1) / perPart);
        return true;
    }

    private static ReadOnlySpan<float> LayerOpsBias(NetworkContext context, int offset, int length) =>
        offset < 0 ? ReadOnlySpan<float>.Empty : context.Parameter(offset, length);

    /// <summary>The filter blocks of one convolution (reused: set per layer, so a pass allocates nothing).</summary>
    internal sealed class Conv(NetworkContext context) : ISplitWork
    {
        private ConvGeometry _g;
        private int _y, _weight, _bias;

        /// <summary>Points the job at one layer.</summary>
        public Conv Set(in ConvGeometry g, int y, int weight, int bias)
        {
            (_g, _y, _weight, _bias) = (g, y, weight, bias);
            return this;
        }

        /// <inheritdoc/>
        public void RunPart(int part) => DirectConv.ComputeBlock(_g, part, context.Parameter(_weight, _g.WeightLength),
            LayerOpsBias(context, _bias, _g.OutChannels), context.Activation(_y, _g.OutputLength), context.Scratch, CpuPath.Auto);
    }

    /// <summary>The weight-row blocks of one dense layer.</summary>
    internal sealed class Dense(NetworkContext context) : ISplitWork
    {
        private int _inputs, _outputs, _x, _y, _weight, _bias, _blocksPerPart;

        /// <summary>Points the job at one layer.</summary>
        public Dense Set(int inputs, int outputs, int x, int y, int weight, int bias, int blocksPerPart)
        {
            (_inputs, _outputs, _x, _y, _weight, _bias, _blocksPerPart) = (inputs, outputs, x, y, weight, bias, blocksPerPart);
            return this;
        }

        /// <inheritdoc/>
        public void RunPart(int part) => LinearRowDots.ForwardBlocks(1, _inputs, _outputs, context.Activation(_x, _inputs),
            context.Parameter(_weight, _inputs * _outputs), LayerOpsBias(context, _bias, _outputs), context.Activation(_y, _outputs),
            CpuPath.Auto, part * _blocksPerPart, _blocksPerPart);
    }
}
