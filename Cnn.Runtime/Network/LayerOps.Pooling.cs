using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

public static partial class LayerOps
{
    /// <summary>Max pooling forward, keeping each output's argmax for backward in training (inference skips it).</summary>
    /// <param name="context">The worker.</param>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="indices">Argmax slot in the index arena.</param>
    public static void MaxPool(NetworkContext context, in PoolGeometry g, int x, int y, int indices) =>
        MaxPool2d.Forward(in g, context.Batch, context.Activation(x, g.InputLength), context.Activation(y, g.OutputLength), Argmax(context, g, indices));

    /// <summary>Where a max pooling records its argmax: the index arena in training, nowhere in inference (no backward follows).</summary>
    private static System.Span<int> Argmax(NetworkContext context, in PoolGeometry g, int indices) =>
        context.Training ? context.Indices(indices, g.OutputLength) : System.Span<int>.Empty;

    /// <summary>Max pooling backward: each output's gradient goes to its argmax.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="indices">Argmax slot.</param>
    /// <param name="mode">How to deliver the input gradient.</param>
    public static void MaxPoolBackward(NetworkContext context, in PoolGeometry g, int x, int y, int indices, InputGradient mode)
    {
        if (mode == InputGradient.None)
        {
            return;
        }
        MaxPool2d.Backward(in g, context.Batch, context.ActivationGradient(y, g.OutputLength), context.Indices(indices, g.OutputLength),
            context.ActivationGradient(x, g.InputLength), mode == InputGradient.Accumulate);
    }

    /// <summary>Average pooling forward.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    public static void AvgPool(NetworkContext context, in PoolGeometry g, int x, int y) =>
        AvgPool2d.Forward(in g, context.Batch, context.Activation(x, g.InputLength), context.Activation(y, g.OutputLength));

    /// <summary>Average pooling backward.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="mode">How to deliver the input gradient.</param>
    public static void AvgPoolBackward(NetworkContext context, in PoolGeometry g, int x, int y, InputGradient mode)
    {
        if (mode == InputGradient.None)
        {
            return;
        }
        AvgPool2d.Backward(in g, context.Batch, context.ActivationGradient(y, g.OutputLength), context.ActivationGradient(x, g.InputLength), mode == InputGradient.Accumulate);
    }

    /// <summary>Global average pooling forward: one mean per channel.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">H·W.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    public static void GlobalAvgPool(NetworkContext context, int channels, int plane, int x, int y) =>
        GlobalAvgPool2d.Forward(context.Batch, channels, plane, context.Activation(x, channels * plane), context.Activation(y, channels));

    /// <summary>Global average pooling backward.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">H·W.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="mode">How to deliver the input gradient.</param>
    public static void GlobalAvgPoolBackward(NetworkContext context, int channels, int plane, int x, int y, InputGradient mode)
    {
        if (mode == InputGradient.None)
        {
            return;
        }
        GlobalAvgPool2d.Backward(context.Batch, channels, plane, context.ActivationGradient(y, channels), context.ActivationGradient(x, channels * plane), mode == InputGradient.Accumulate);
    }
}
