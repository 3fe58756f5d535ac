using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

public static partial class LayerOps
{
    /// <summary>
    /// Dropout forward (inverted dropout, as PyTorch): in training each value is kept with probability
    /// 1 − rate and scaled by 1/(1 − rate), the mask kept for backward. The mask depends only on the
    /// seed, the step and each sample's index in the whole batch, so it is the same for any worker
    /// count. In inference the input passes through unchanged.
    /// </summary>
    /// <param name="context">The worker.</param>
    /// <param name="length">Values per sample.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="mask">Mask slot.</param>
    /// <param name="rate">Probability of dropping a value, in [0, 1).</param>
    public static void Dropout(NetworkContext context, int length, int x, int y, int mask, float rate)
    {
        if (!context.Training)
        {
            context.Activation(x, length).CopyTo(context.Activation(y, length));
            return;
        }
        InvertedDropout.Forward(context.Batch, length, context.Activation(x, length), context.Activation(y, length), context.Activation(mask, length),
            rate, context.Seed, context.Step, context.FirstSample);
    }

    /// <summary>Dropout backward: the gradient through the kept values, scaled as in forward.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="length">Values per sample.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="mask">Mask slot.</param>
    /// <param name="mode">How to deliver the input gradient.</param>
    public static void DropoutBackward(NetworkContext context, int length, int x, int y, int mask, InputGradient mode)
    {
        if (mode == InputGradient.None)
        {
            return;
        }
        InvertedDropout.Backward(context.ActivationGradient(y, length), context.Activation(mask, length), GradientTarget(context, mode, x, length));
        FinishGradient(context, mode, x, length);
    }
}
