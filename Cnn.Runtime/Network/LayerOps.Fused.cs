using System;
using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

// Steps the generator fuses with a ReLU (Cnn.Generators/Emit/Passes/ActivationPlan.cs): a BatchNorm
// or a residual join whose only consumer is a ReLU applies it to its own output, and a ReLU whose only
// consumer is a max pooling moves after the pooling (max commutes with ReLU, so the values are equal
// and the pooled tensor is a quarter of the size). The fused step's output slot is the ReLU's output;
// its backward gates the incoming gradient by that output (y > 0) where it reads it. The ReLU's input
// and the gradient of it are never stored.
public static partial class LayerOps
{
    /// <summary>BatchNorm then ReLU: <see cref="BatchNorm(NetworkContext, int, int, int, int, int, int, int, int, int, float, float)"/> writing <c>relu(y)</c>.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Values per channel per sample (H·W, 1 for a vector).</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot (the ReLU's).</param>
    /// <param name="gamma">γ offset.</param>
    /// <param name="beta">β offset.</param>
    /// <param name="runningMean">Running-mean offset in the buffer arena.</param>
    /// <param name="runningVar">Running-variance offset in the buffer arena.</param>
    /// <param name="state">Offset of 2·channels floats of saved statistics.</param>
    /// <param name="eps">ε.</param>
    /// <param name="momentum">Running-statistics momentum.</param>
    public static void BatchNormRelu(NetworkContext context, int channels, int plane, int x, int y, int gamma, int beta, int runningMean, int runningVar, int state, float eps, float momentum) =>
        BatchNorm(context, channels, plane, x, y, gamma, beta, runningMean, runningVar, state, eps, momentum, relu: true, summed: false);

    /// <summary>Backward of BatchNorm then ReLU: BatchNorm's backward with the gradient gated by the ReLU's output.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Values per channel per sample.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot (the ReLU's).</param>
    /// <param name="gamma">γ offset.</param>
    /// <param name="beta">β offset.</param>
    /// <param name="state">Offset of the saved statistics.</param>
    /// <param name="trainsParameters">Whether γ and β train.</param>
    /// <param name="mode">How to deliver the input gradient.</param>
    public static void BatchNormReluBackward(NetworkContext context, int channels, int plane, int x, int y, int gamma, int beta, int state, bool trainsParameters, InputGradient mode) =>
        BatchNormBackward(context, channels, plane, x, y, gamma, beta, state, trainsParameters, mode, relu: true, summed: false);

    /// <summary>
    /// <see cref="BatchNormReluBackward"/> whose gradient sums are already in <see cref="NetworkContext.Doubles"/>: the convolution that reads
    /// the ReLU's output took them in its data gradient, just before (<see cref="ConvBackwardSummed"/>).
    /// </summary>
    /// <param name="context">The worker.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Values per channel per sample.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot (the ReLU's).</param>
    /// <param name="gamma">γ offset.</param>
    /// <param name="beta">β offset.</param>
    /// <param name="state">Offset of the saved statistics.</param>
    /// <param name="trainsParameters">Whether γ and β train.</param>
    /// <param name="mode">How to deliver the input gradient.</param>
    public static void BatchNormReluBackwardSummed(NetworkContext context, int channels, int plane, int x, int y, int gamma, int beta, int state, bool trainsParameters,
        InputGradient mode) =>
        BatchNormBackward(context, channels, plane, x, y, gamma, beta, state, trainsParameters, mode, relu: true, summed: true);

    /// <summary>Residual join then ReLU: <c>y = relu(a + b)</c>.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="length">Values per sample.</param>
    /// <param name="a">The body's output slot.</param>
    /// <param name="b">The shortcut's output slot (or the residual's input).</param>
    /// <param name="y">Output slot (the ReLU's).</param>
    public static void AddRelu(NetworkContext context, int length, int a, int b, int y) =>
        TensorOps.AddRelu(context.Activation(a, length), context.Activation(b, length), context.Activation(y, length));

    /// <summary>
    /// Backward of a residual join then ReLU: the gated gradient goes to both sides. It is computed once,
    /// into the first side the join writes (or scratch when both accumulate), and copied or added from there.
    /// </summary>
    /// <param name="context">The worker.</param>
    /// <param name="length">Values per sample.</param>
    /// <param name="y">Output slot (the ReLU's).</param>
    /// <param name="a">The body's output slot.</param>
    /// <param name="modeA">How to deliver <paramref name="a"/>'s gradient.</param>
    /// <param name="b">The shortcut's output slot.</param>
    /// <param name="modeB">How to deliver <paramref name="b"/>'s gradient.</param>
    public static void AddReluBackward(NetworkContext context, int length, int y, int a, InputGradient modeA, int b, InputGradient modeB)
    {
        if (modeA == InputGradient.None && modeB == InputGradient.None)
        {
            return;
        }
        var gated = modeA == InputGradient.Write ? context.ActivationGradient(a, length)
            : modeB == InputGradient.Write ? context.ActivationGradient(b, length)
            : context.Scratch.Slice(0, length * context.Batch);
        Activations.ReluBackward(context.Activation(y, length), context.ActivationGradient(y, length), gated);
        if (modeA != InputGradient.Write)
        {
            Deliver(gated, context.ActivationGradient(a, length), modeA);
        }
        if (modeB != InputGradient.Write || modeA == InputGradient.Write)
        {
            Deliver(gated, context.ActivationGradient(b, length), modeB);
        }
    }

    /// <summary>
    /// Scratch a residual join with ReLU needs for the gated gradient: when neither side's gradient is written first, and when the join
    /// applies BatchNorms (<see cref="NormalizedAddReluBackward"/>) unless a plain side is written first.
    /// </summary>
    /// <param name="length">Values per sample.</param>
    /// <param name="batch">Samples.</param>
    /// <returns>Floats.</returns>
    public static int AddReluScratch(int length, int batch) => length * batch;

    /// <summary>ReLU then max pooling, computed as max pooling then ReLU on the pooled values (equal, and four times fewer).</summary>
    /// <param name="context">The worker.</param>
    /// <param name="g">The pooling's geometry.</param>
    /// <param name="x">Input slot (the ReLU's input).</param>
    /// <param name="y">Output slot.</param>
    /// <param name="indices">Argmax slot in the index arena.</param>
    public static void MaxPoolRelu(NetworkContext context, in PoolGeometry g, int x, int y, int indices) =>
        PooledRelu(in g, context.Batch, context.Activation(x, g.InputLength), context.Activation(y, g.OutputLength), Argmax(context, g, indices));

    /// <summary>
    /// <c>y = relu(maxpool(x))</c> of <paramref name="n"/> samples (or of a block of channels, <paramref name="g"/> counting only
    /// those), the argmax into <paramref name="argmax"/> unless it is empty: every pooling with its ReLU after it runs this.
    /// </summary>
    internal static void PooledRelu(in PoolGeometry g, int n, ReadOnlySpan<float> x, Span<float> y, Span<int> argmax)
    {
        MaxPool2d.Forward(in g, n, x, y, argmax);
        Activations.Relu(y, y);
    }

    /// <summary>
    /// Backward of ReLU then max pooling: each pooled output's gradient, gated by the output (a positive max
    /// is the ReLU's output at the argmax; a zero one had every input at or below zero), goes to its argmax.
    /// </summary>
    /// <param name="context">The worker.</param>
    /// <param name="g">The pooling's geometry.</param>
    /// <param name="x">Input slot (the ReLU's input).</param>
    /// <param name="y">Output slot.</param>
    /// <param name="indices">Argmax slot.</param>
    /// <param name="mode">How to deliver the input gradient.</param>
    public static void MaxPoolReluBackward(NetworkContext context, in PoolGeometry g, int x, int y, int indices, InputGradient mode)
    {
        if (mode == InputGradient.None)
        {
            return;
        }
        var gated = context.Scratch.Slice(0, g.OutputLength * context.Batch);
        Activations.ReluBackward(context.Activation(y, g.OutputLength), context.ActivationGradient(y, g.OutputLength), gated);
        MaxPool2d.Backward(in g, context.Batch, gated, context.Indices(indices, g.OutputLength), context.ActivationGradient(x, g.InputLength), mode == InputGradient.Accumulate);
    }

    /// <summary>Scratch of a max pooling with ReLU: the gated gradient of its output.</summary>
    /// <param name="g">The pooling's geometry.</param>
    /// <param name="batch">Samples.</param>
    /// <returns>Floats.</returns>
    public static int MaxPoolReluScratch(in PoolGeometry g, int batch) => g.OutputLength * batch;

    /// <summary>BatchNorm forward; in training with <paramref name="summed"/>, the input's sums are already in <see cref="NetworkContext.Doubles"/> (<see cref="ConvSummed"/>).</summary>
    private static void BatchNorm(NetworkContext context, int channels, int plane, int x, int y, int gamma, int beta, int runningMean, int runningVar, int state, float eps, float momentum,
        bool relu, bool summed)
    {
        var length = channels * plane;
        var input = context.Activation(x, length);
        var output = context.Activation(y, length);
        var scale = context.Parameter(gamma, channels);
        var shift = context.Parameter(beta, channels);
        if (!context.Training)
        {
            BatchNorm2d.Inference(context.Batch, channels, plane, input, scale, shift, context.Buffer(runningMean, channels), context.Buffer(runningVar, channels), eps, output, relu, CpuPath.Auto);
            return;
        }
        BatchNormStatistics(context, channels, plane, x, runningMean, runningVar, state, eps, momentum, summed);
        BatchNorm2d.Normalized(context.Batch, channels, plane, input, scale, shift, context.StateSlot(state, channels), context.StateSlot(state + channels, channels),
            output, relu, CpuPath.Auto);
    }

    /// <summary>
    /// Training BatchNorm's batch statistics: the input's sums (already in <see cref="NetworkContext.Doubles"/> when <paramref name="summed"/>),
    /// then the mean and 1/√(var + ε) into the state slot and the running statistics' update.
    /// </summary>
    private static void BatchNormStatistics(NetworkContext context, int channels, int plane, int x, int runningMean, int runningVar, int state, float eps, float momentum,
        bool summed)
    {
        var sums = context.Doubles(2 * channels);
        if (!summed)
        {
            BatchNorm2d.Sums(context.Batch, channels, plane, context.Activation(x, channels * plane), sums[..channels], sums.Slice(channels, channels), accumulate: false);
        }
        BatchNorm2d.Statistics((long)context.Batch * plane, sums[..channels], sums.Slice(channels, channels), eps, momentum, context.StateSlot(state, channels),
            context.StateSlot(state + channels, channels), context.Buffer(runningMean, channels), context.Buffer(runningVar, channels));
    }

    /// <summary>BatchNorm's backward; with <paramref name="summed"/>, its gradient sums are already in <see cref="NetworkContext.Doubles"/> (<see cref="ConvBackwardSummed"/>).</summary>
    private static void BatchNormBackward(NetworkContext context, int channels, int plane, int x, int y, int gamma, int beta, int state, bool trainsParameters, InputGradient mode,
        bool relu, bool summed)
    {
        if (!trainsParameters && mode == InputGradient.None)
        {
            return;
        }
        var length = channels * plane;
        var input = context.Activation(x, length);
        // The ReLU's output gates the gradient; without a fused ReLU there is no gate. Where dx is written (not added to), the
        // gate is recomputed from x instead (the same bit for bit), so neither pass reads y: 2 of BatchNorm+ReLU backward's 7 streams.
        var recomputesGate = relu && mode != InputGradient.Accumulate;
        var gate = relu && !recomputesGate ? context.Activation(y, length) : ReadOnlySpan<float>.Empty;
        var dy = context.ActivationGradient(y, length);
        var scale = context.Parameter(gamma, channels);
        var shift = context.Parameter(beta, channels);
        var mean = context.StateSlot(state, channels);
        var invStd = context.StateSlot(state + channels, channels);
        var sums = context.Doubles(2 * channels);
        var sumDy = sums.Slice(0, channels);
        var sumDyXhat = sums.Slice(channels, channels);
        // Summed: taken from x's recomputed gate, the same bits as y's (InputGatedGradientSums), so the same sums either way.
        if (!summed && recomputesGate)
        {
            BatchNorm2d.InputGatedGradientSums(context.Batch, channels, plane, input, dy, scale, shift, mean, invStd, sumDy, sumDyXhat, CpuPath.Auto);
        }
        else if (!summed)
        {
            BatchNorm2d.GatedGradientSums(context.Batch, channels, plane, input, gate, dy, mean, invStd, sumDy, sumDyXhat, accumulate: false, CpuPath.Auto);
        }
        if (trainsParameters)
        {
            BatchNorm2d.ParameterGradients(sumDy, sumDyXhat, context.Gradient(gamma, channels), context.Gradient(beta, channels), accumulate: false);
        }
        var count = (long)context.Batch * plane;
        if (recomputesGate && mode == InputGradient.Write)
        {
            BatchNorm2d.InputGatedBackwardData(context.Batch, channels, plane, input, dy, scale, shift, mean, invStd, count, sumDy, sumDyXhat,
                context.ActivationGradient(x, length), CpuPath.Auto);
        }
        else if (mode != InputGradient.None)
        {
            BatchNorm2d.GatedBackwardData(context.Batch, channels, plane, input, gate, dy, scale, mean, invStd, count, sumDy, sumDyXhat,
                context.ActivationGradient(x, length), mode == InputGradient.Accumulate, CpuPath.Auto);
        }
    }
}
