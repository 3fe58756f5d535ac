using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

public static partial class LayerOps
{
    /// <summary>ReLU forward.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="length">Values per sample.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    public static void Relu(NetworkContext context, int length, int x, int y) =>
        Activations.Relu(context.Activation(x, length), context.Activation(y, length));

    /// <summary>ReLU backward.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="length">Values per sample.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="mode">How to deliver the input gradient.</param>
    public static void ReluBackward(NetworkContext context, int length, int x, int y, InputGradient mode)
    {
        if (mode == InputGradient.None)
        {
            return;
        }
        Activations.ReluBackward(context.Activation(y, length), context.ActivationGradient(y, length), GradientTarget(context, mode, x, length));
        FinishGradient(context, mode, x, length);
    }

    /// <summary>Leaky ReLU forward.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="length">Values per sample.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="slope">Negative slope.</param>
    public static void LeakyRelu(NetworkContext context, int length, int x, int y, float slope) =>
        Activations.LeakyRelu(context.Activation(x, length), context.Activation(y, length), slope);

    /// <summary>Leaky ReLU backward.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="length">Values per sample.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="slope">Negative slope.</param>
    /// <param name="mode">How to deliver the input gradient.</param>
    public static void LeakyReluBackward(NetworkContext context, int length, int x, int y, float slope, InputGradient mode)
    {
        if (mode == InputGradient.None)
        {
            return;
        }
        Activations.LeakyReluBackward(context.Activation(x, length), context.ActivationGradient(y, length), GradientTarget(context, mode, x, length), slope);
        FinishGradient(context, mode, x, length);
    }

    /// <summary>ELU forward.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="length">Values per sample.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="alpha">α.</param>
    public static void Elu(NetworkContext context, int length, int x, int y, float alpha) =>
        Activations.Elu(context.Activation(x, length), context.Activation(y, length), alpha);

    /// <summary>ELU backward.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="length">Values per sample.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="alpha">α.</param>
    /// <param name="mode">How to deliver the input gradient.</param>
    public static void EluBackward(NetworkContext context, int length, int x, int y, float alpha, InputGradient mode)
    {
        if (mode == InputGradient.None)
        {
            return;
        }
        Activations.EluBackward(context.Activation(y, length), context.ActivationGradient(y, length), GradientTarget(context, mode, x, length), alpha);
        FinishGradient(context, mode, x, length);
    }

    /// <summary>tanh forward.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="length">Values per sample.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    public static void Tanh(NetworkContext context, int length, int x, int y) =>
        Activations.Tanh(context.Activation(x, length), context.Activation(y, length));

    /// <summary>tanh backward.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="length">Values per sample.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="mode">How to deliver the input gradient.</param>
    public static void TanhBackward(NetworkContext context, int length, int x, int y, InputGradient mode)
    {
        if (mode == InputGradient.None)
        {
            return;
        }
        Activations.TanhBackward(context.Activation(y, length), context.ActivationGradient(y, length), GradientTarget(context, mode, x, length));
        FinishGradient(context, mode, x, length);
    }

    /// <summary>Sigmoid forward.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="length">Values per sample.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    public static void Sigmoid(NetworkContext context, int length, int x, int y) =>
        Activations.Sigmoid(context.Activation(x, length), context.Activation(y, length));

    /// <summary>Sigmoid backward.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="length">Values per sample.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="mode">How to deliver the input gradient.</param>
    public static void SigmoidBackward(NetworkContext context, int length, int x, int y, InputGradient mode)
    {
        if (mode == InputGradient.None)
        {
            return;
        }
        Activations.SigmoidBackward(context.Activation(y, length), context.ActivationGradient(y, length), GradientTarget(context, mode, x, length));
        FinishGradient(context, mode, x, length);
    }

    /// <summary>GELU forward (exact, erf-based, as PyTorch's default).</summary>
    /// <param name="context">The worker.</param>
    /// <param name="length">Values per sample.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    public static void Gelu(NetworkContext context, int length, int x, int y) =>
        Activations.Gelu(context.Activation(x, length), context.Activation(y, length));

    /// <summary>GELU backward.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="length">Values per sample.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="mode">How to deliver the input gradient.</param>
    public static void GeluBackward(NetworkContext context, int length, int x, int y, InputGradient mode)
    {
        if (mode == InputGradient.None)
        {
            return;
        }
        Activations.GeluBackward(context.Activation(x, length), context.ActivationGradient(y, length), GradientTarget(context, mode, x, length));
        FinishGradient(context, mode, x, length);
    }

    /// <summary>
    /// Softmax over channels (PyTorch's <c>dim=1</c>): over the vector for a vector, at every pixel for
    /// a map. Maps are transposed per sample through scratch (<see cref="MatrixTranspose"/>, 16×16
    /// tiles in AVX-512 registers) so the kernel sees contiguous rows. A trailing Softmax is left out of training (the loss takes the logits); one inside the network
    /// (which CNN0012 warns about) trains through <see cref="SoftmaxBackward"/>.
    /// </summary>
    /// <param name="context">The worker.</param>
    /// <param name="channels">Channels (the softmax's width).</param>
    /// <param name="plane">H·W (1 for a vector).</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    public static void Softmax(NetworkContext context, int channels, int plane, int x, int y)
    {
        var length = channels * plane;
        if (plane == 1)
        {
            Activations.Softmax(context.Batch, channels, context.Activation(x, length), context.Activation(y, length));
            return;
        }
        var input = context.Activation(x, length);
        var output = context.Activation(y, length);
        var rows = context.Scratch.Slice(0, length);
        var result = context.Scratch.Slice(length, length);
        for (var n = 0; n < context.Batch; n++)
        {
            MatrixTranspose.Run(input.Slice(n * length, length), channels, plane, rows);
            Activations.Softmax(plane, channels, rows, result);
            MatrixTranspose.Run(result, plane, channels, output.Slice(n * length, length));
        }
    }

    /// <summary>Softmax backward, <c>dx = y ⊙ (dy − Σ dy⊙y)</c> over channels, sample by sample.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="channels">Channels (the softmax's width).</param>
    /// <param name="plane">H·W (1 for a vector).</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="mode">How to deliver the input gradient.</param>
    public static void SoftmaxBackward(NetworkContext context, int channels, int plane, int x, int y, InputGradient mode)
    {
        if (mode == InputGradient.None)
        {
            return;
        }
        var length = channels * plane;
        var output = context.Activation(y, length);
        var gradOut = context.ActivationGradient(y, length);
        var gradIn = context.ActivationGradient(x, length);
        var rowsY = context.Scratch.Slice(0, length);
        var rowsDy = context.Scratch.Slice(length, length);
        var rowsDx = context.Scratch.Slice(2 * length, length);
        for (var n = 0; n < context.Batch; n++)
        {
            var sample = gradIn.Slice(n * length, length);
            if (plane == 1)
            {
                var target = mode == InputGradient.Accumulate ? rowsDx : sample;
                Activations.SoftmaxBackward(1, channels, output.Slice(n * length, length), gradOut.Slice(n * length, length), target);
                if (mode == InputGradient.Accumulate)
                {
                    TensorOps.AddInPlace(sample, rowsDx);
                }
                continue;
            }
            MatrixTranspose.Run(output.Slice(n * length, length), channels, plane, rowsY);
            MatrixTranspose.Run(gradOut.Slice(n * length, length), channels, plane, rowsDy);
            Activations.SoftmaxBackward(plane, channels, rowsY, rowsDy, rowsDx);
            if (mode == InputGradient.Accumulate)
            {
                MatrixTranspose.Run(rowsDx, plane, channels, rowsY);
                TensorOps.AddInPlace(sample, rowsY);
            }
            else
            {
                MatrixTranspose.Run(rowsDx, plane, channels, sample);
            }
        }
    }

    /// <summary>Scratch a softmax needs: three per-sample matrices (transposed output, its gradient and the input gradient).</summary>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">H·W.</param>
    /// <returns>Floats.</returns>
    public static int SoftmaxScratch(int channels, int plane) => 3 * channels * plane;
}
