using System.Numerics.Tensors;

namespace Cnn.Runtime.Network;

public static partial class LayerOps
{
    /// <summary>
    /// Dropout forward (inverted dropout, as PyTorch): in training each value is kept with probability
    /// 1 − rate and scaled by 1/(1 − rate), the mask (0 or the scale) kept for backward; in inference
    /// the input passes through unchanged.
    /// </summary>
    /// <param name="context">The worker (its random source draws the mask).</param>
    /// <param name="length">Values per sample.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="mask">Mask slot.</param>
    /// <param name="rate">Probability of dropping a value, in [0, 1).</param>
    public static void Dropout(NetworkContext context, int length, int x, int y, int mask, float rate)
    {
        var input = context.Activation(x, length);
        var output = context.Activation(y, length);
        if (!context.Training)
        {
            input.CopyTo(output);
            return;
        }
        var keep = context.Activation(mask, length);
        var scale = 1f / (1f - rate);
        var random = context.Random;
        for (var i = 0; i < keep.Length; i++)
        {
            keep[i] = random.NextSingle() >= rate ? scale : 0f;
        }
        TensorPrimitives.Multiply(input, keep, output);
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
        var dy = context.ActivationGradient(y, length);
        var keep = context.Activation(mask, length);
        var dx = context.ActivationGradient(x, length);
        if (mode == InputGradient.Accumulate)
        {
            TensorPrimitives.MultiplyAdd(dy, keep, dx, dx);
        }
        else
        {
            TensorPrimitives.Multiply(dy, keep, dx);
        }
    }
}
