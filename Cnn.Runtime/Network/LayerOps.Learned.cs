using System;
using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

public static partial class LayerOps
{
    /// <summary>
    /// Convolution forward: <c>y = conv(x, weight) + bias</c>. A single-sample pass (the whole batch is one
    /// sample) takes <see cref="DirectConv"/> where it applies, which skips im2col and GEMM packing; the choice
    /// depends on the whole batch, never on a worker's share, so splitting a batch changes no result. One-sample
    /// inference with two workers or more shares a large layer with worker 1 by blocks of filters
    /// (<see cref="SharedConvFilters"/>), each output computed by the same code either way.
    /// </summary>
    /// <param name="context">The worker.</param>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="weight">Weight offset.</param>
    /// <param name="bias">Bias offset, or -1.</param>
    public static void Conv(NetworkContext context, in ConvGeometry g, int x, int y, int weight, int bias) => ConvAt(context, in g, x, y, weight, bias, rowSite: false);

    /// <summary><see cref="Conv(NetworkContext, in ConvGeometry, int, int, int, int)"/> from a call that splits the layer by rows when its pass shares (<paramref name="rowSite"/>, <see cref="SharedWinograd.TakesF4"/>).</summary>
    private static void ConvAt(NetworkContext context, in ConvGeometry g, int x, int y, int weight, int bias, bool rowSite)
    {
        if (TakesDirectKernel(context, in g))
        {
            if (!context.Training && context.Shared is { } shared && SharedConvFilters.Shares(in g))
            {
                shared.Conv.Forward(in g, x, y, weight, bias);
                return;
            }
            DirectConv.Forward(in g, context.Batch, context.Activation(x, g.InputLength), context.Parameter(weight, g.WeightLength),
                OptionalParameter(context, bias, g.OutChannels), context.Activation(y, g.OutputLength), context.Scratch);
            return;
        }
        if (TakesKeptBlocks(context, in g, rowSite))
        {
            KeptBlocksForward(context, in g, x, y, weight, bias, BlockEpilogue.None, rowSite);
            return;
        }
        if (TakesKeptFilters(context, in g))
        {
            Conv2d.ForwardWithFilters(in g, context.Batch, context.Activation(x, g.InputLength), context.Parameter(weight, g.WeightLength), KeptFilters(context, in g, weight),
                OptionalParameter(context, bias, g.OutChannels), context.Activation(y, g.OutputLength), context.Scratch);
            return;
        }
        Conv2d.Forward(in g, context.Batch, context.Activation(x, g.InputLength), context.Parameter(weight, g.WeightLength),
            OptionalParameter(context, bias, g.OutChannels), context.Activation(y, g.OutputLength), context.Scratch);
    }

    /// <summary>
    /// Convolution backward: weight and bias gradients (overwritten) unless the layer is frozen, and the
    /// input gradient as <paramref name="mode"/> says.
    /// </summary>
    /// <param name="context">The worker.</param>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="weight">Weight offset.</param>
    /// <param name="bias">Bias offset, or -1.</param>
    /// <param name="trainsParameters">Whether the layer's parameters train (false when frozen: their gradients are left untouched, at zero).</param>
    /// <param name="mode">How to deliver the input gradient.</param>
    public static void ConvBackward(NetworkContext context, in ConvGeometry g, int x, int y, int weight, int bias, bool trainsParameters, InputGradient mode)
    {
        var dy = context.ActivationGradient(y, g.OutputLength);
        if (trainsParameters)
        {
            Conv2d.BackwardWeights(in g, context.Batch, context.Activation(x, g.InputLength), dy, context.Gradient(weight, g.WeightLength),
                OptionalGradient(context, bias, g.OutChannels), accumulate: false, context.Scratch);
        }
        if (mode != InputGradient.None)
        {
            Conv2d.BackwardData(in g, context.Batch, dy, context.Parameter(weight, g.WeightLength), context.ActivationGradient(x, g.InputLength),
                mode == InputGradient.Accumulate, context.Scratch);
        }
    }

    /// <summary>
    /// <see cref="ConvBackward"/> of a convolution whose input is a BatchNorm+ReLU's output, and the last step to add to that output's gradient:
    /// its data gradient also takes the BatchNorm's backward sums into <see cref="NetworkContext.Doubles"/>, sample by sample while each is in
    /// cache, for <see cref="BatchNormReluBackwardSummed"/> (the next statement) instead of a pass of its own reading the gradient back.
    /// </summary>
    /// <param name="context">The worker.</param>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="x">Input slot (the BatchNorm+ReLU's output).</param>
    /// <param name="y">Output slot.</param>
    /// <param name="weight">Weight offset.</param>
    /// <param name="bias">Bias offset, or -1.</param>
    /// <param name="trainsParameters">Whether the weights and bias train.</param>
    /// <param name="mode">How to deliver the input gradient.</param>
    /// <param name="normalizedInput">The BatchNorm's input slot.</param>
    /// <param name="gamma">The BatchNorm's γ offset.</param>
    /// <param name="beta">Its β offset.</param>
    /// <param name="state">Its saved-statistics offset.</param>
    public static void ConvBackwardSummed(NetworkContext context, in ConvGeometry g, int x, int y, int weight, int bias, bool trainsParameters, InputGradient mode,
        int normalizedInput, int gamma, int beta, int state)
    {
        var dy = context.ActivationGradient(y, g.OutputLength);
        if (trainsParameters)
        {
            Conv2d.BackwardWeights(in g, context.Batch, context.Activation(x, g.InputLength), dy, context.Gradient(weight, g.WeightLength),
                OptionalGradient(context, bias, g.OutChannels), accumulate: false, context.Scratch);
        }
        if (mode != InputGradient.None)
        {
            var channels = g.InChannels;
            var sums = new BatchNorm2d.ReluGradientSums(context.Activation(normalizedInput, g.InputLength), context.Parameter(gamma, channels), context.Parameter(beta, channels),
                context.StateSlot(state, channels), context.StateSlot(state + channels, channels), context.Doubles(2 * channels));
            Conv2d.BackwardDataSummed(in g, context.Batch, dy, context.Parameter(weight, g.WeightLength), context.ActivationGradient(x, g.InputLength),
                mode == InputGradient.Accumulate, sums, context.Scratch, CpuPath.Auto);
        }
    }

    /// <summary>
    /// Whether <see cref="Conv"/> runs <see cref="DirectConv"/> on this pass: its whole batch is one sample, DirectConv computes the
    /// layer and the pass does not take Winograd with kept filters (<see cref="TakesKeptFilters"/>).
    /// </summary>
    private static bool TakesDirectKernel(NetworkContext context, in ConvGeometry g) =>
        context.TotalBatch == 1 && DirectConv.Supports(in g) && !TakesKeptFilters(context, in g);

    /// <summary>
    /// Whether this pass computes the convolution by Winograd with the filters worker 0 keeps between passes
    /// (<see cref="OneSampleFilters"/>): one-sample inference of a layer <see cref="Conv2d.OneSampleTakesWinograd"/> names.
    /// </summary>
    private static bool TakesKeptFilters(NetworkContext context, in ConvGeometry g) =>
        !context.Training && context.TotalBatch == 1 && Conv2d.OneSampleTakesWinograd(in g);

    /// <summary>
    /// Whether a pass that <see cref="TakesKeptFilters"/> computes the layer by blocks of output channels
    /// (<see cref="SharedWinograd.ForwardBlocks"/>): by F(4×4, 3×3) with any number of workers (<see cref="SharedWinograd.TakesF4"/>;
    /// <paramref name="rowSite"/> for a call that splits the layer by rows when its pass shares), or shared with worker 1 where the
    /// network has two workers or more and the layer is large enough.
    /// </summary>
    private static bool TakesKeptBlocks(NetworkContext context, in ConvGeometry g, bool rowSite) =>
        TakesKeptFilters(context, in g) && (SharedWinograd.TakesF4(in g, rowSite) || (context.Shared is not null && SharedWinograd.SharesBlocks(in g)));

    /// <summary>
    /// Whether this pass computes the convolution by Winograd with kept filters split by halves of its rows with worker 1
    /// (<see cref="SharedWinograd"/>): a pass that <see cref="TakesKeptFilters"/> with two workers or more, on a map of 16 rows or
    /// more, that shares its convolutions (<see cref="SharedInference.SharesConvolutions"/>).
    /// </summary>
    private static bool SplitsRows(NetworkContext context, in ConvGeometry g) =>
        context.Shared is { } shared && TakesKeptFilters(context, in g) && SharedWinograd.SplitsRows(in g) && shared.SharesConvolutions();

    /// <summary>A layer that <see cref="SplitsRows"/>: each half of its rows, then <paramref name="epilogue"/> on them, on its thread.</summary>
    private static void RowsForward(NetworkContext context, in ConvGeometry g, int x, int y, int weight, int bias, in BlockEpilogue epilogue) =>
        context.Shared!.Winograd.ForwardRows(in g, x, y, KeptFilters(context, in g, weight), bias, epilogue);

    /// <summary>A layer that <see cref="TakesKeptBlocks"/>: its kept filters' pass, each block of output channels followed by <paramref name="epilogue"/> on its thread.</summary>
    private static void KeptBlocksForward(NetworkContext context, in ConvGeometry g, int x, int y, int weight, int bias, in BlockEpilogue epilogue, bool rowSite)
    {
        var f4 = SharedWinograd.TakesF4(in g, rowSite);
        context.KeptWinograd.ForwardBlocks(in g, x, y, KeptFilters(context, in g, weight, f4 ? KeptFilterForm.WinogradF4 : KeptFilterForm.Winograd), bias, epilogue, f4);
    }

    /// <summary>The transform (Winograd's unless <paramref name="form"/> says otherwise) of the layer's current weights that worker 0 keeps between one-sample passes (<see cref="OneSampleFilters"/>).</summary>
    private static ReadOnlySpan<float> KeptFilters(NetworkContext context, in ConvGeometry g, int weight, KeptFilterForm form = KeptFilterForm.Winograd) =>
        context.OneSampleFilters.For(weight, in g, context.Parameter(weight, g.WeightLength), form);

    /// <summary>Scratch a convolution needs for <paramref name="batch"/> samples.</summary>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="batch">Samples.</param>
    /// <returns>Floats.</returns>
    public static int ConvScratch(in ConvGeometry g, int batch)
    {
        var scratch = Conv2d.ScratchLength(in g, batch);
        if (batch != 1)
        {
            return scratch;
        }
        if (Conv2d.OneSampleTakesWinograd(in g))
        {
            // Inference by Winograd with kept filters, alone, by channel blocks or by rows; a one-sample training pass by the direct kernel.
            var kept = Math.Max(Winograd.ScratchLength(in g), Math.Max(SharedWinograd.SharesBlocks(in g) || WinogradF4.Supports(in g) ? SharedWinograd.BlocksScratchLength(in g) : 0,
                SharedWinograd.SplitsRows(in g) ? SharedWinograd.RowsScratchLength(in g) : 0));
            return Math.Max(scratch, Math.Max(kept, DirectConv.ScratchLength(in g)));
        }
        return DirectConv.Supports(in g)
            ? Math.Max(scratch, SharedConvFilters.Shares(in g) ? SharedConvFilters.ScratchLength(in g) : DirectConv.ScratchLength(in g))
            : scratch;
    }

    /// <summary>Transposed convolution forward.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="weight">Weight offset ([in, out, k, k]).</param>
    /// <param name="bias">Bias offset, or -1.</param>
    public static void ConvTranspose(NetworkContext context, in ConvTransposeGeometry g, int x, int y, int weight, int bias) =>
        ConvTranspose2d.Forward(in g, context.Batch, context.Activation(x, g.InputLength), context.Parameter(weight, g.WeightLength),
            OptionalParameter(context, bias, g.OutChannels), context.Activation(y, g.OutputLength), context.Scratch);

    /// <summary>Transposed convolution backward: parameter gradients unless frozen, and the input gradient.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="weight">Weight offset.</param>
    /// <param name="bias">Bias offset, or -1.</param>
    /// <param name="trainsParameters">Whether the layer's parameters train.</param>
    /// <param name="mode">How to deliver the input gradient.</param>
    public static void ConvTransposeBackward(NetworkContext context, in ConvTransposeGeometry g, int x, int y, int weight, int bias, bool trainsParameters, InputGradient mode)
    {
        var dy = context.ActivationGradient(y, g.OutputLength);
        if (trainsParameters)
        {
            ConvTranspose2d.BackwardWeights(in g, context.Batch, context.Activation(x, g.InputLength), dy, context.Gradient(weight, g.WeightLength),
                OptionalGradient(context, bias, g.OutChannels), accumulate: false, context.Scratch);
        }
        if (mode != InputGradient.None)
        {
            ConvTranspose2d.BackwardData(in g, context.Batch, dy, context.Parameter(weight, g.WeightLength), context.ActivationGradient(x, g.InputLength),
                mode == InputGradient.Accumulate, context.Scratch);
        }
    }

    /// <summary>Scratch a transposed convolution needs.</summary>
    /// <param name="g">The layer's geometry.</param>
    /// <param name="batch">Samples.</param>
    /// <returns>Floats.</returns>
    public static int ConvTransposeScratch(in ConvTransposeGeometry g, int batch) => ConvTranspose2d.ScratchLength(in g, batch);

    /// <summary>
    /// Dense forward: <c>y = x·Wᵀ + b</c>. A single-sample pass (the whole batch is one sample) takes the matrix–vector
    /// kernel <see cref="DenseMatVec"/> where it applies. One-sample inference with two workers or more shares a layer with at least
    /// 1 MiB of weights with worker 1 by blocks of weight rows (<see cref="SharedDenseRows"/>); every output is computed
    /// by the same code either way, so the result does not depend on the worker count.
    /// </summary>
    /// <param name="context">The worker.</param>
    /// <param name="inputs">Input features.</param>
    /// <param name="outputs">Output features.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="weight">Weight offset ([out, in]).</param>
    /// <param name="bias">Bias offset, or -1.</param>
    public static void Dense(NetworkContext context, int inputs, int outputs, int x, int y, int weight, int bias)
    {
        if (context.TotalBatch == 1 && DenseMatVec.Supports(CpuPath.Auto))
        {
            if (!context.Training && context.Shared is { } shared && SharedDenseRows.Shares(inputs, outputs))
            {
                shared.Dense.Forward(inputs, outputs, x, y, weight, bias);
                return;
            }
            DenseMatVec.Forward(inputs, outputs, context.Activation(x, inputs), context.Parameter(weight, inputs * outputs),
                OptionalParameter(context, bias, outputs), context.Activation(y, outputs), CpuPath.Auto);
            return;
        }
        Linear.Forward(context.Batch, inputs, outputs, context.Activation(x, inputs), context.Parameter(weight, inputs * outputs),
            OptionalParameter(context, bias, outputs), context.Activation(y, outputs), context.Scratch);
    }

    /// <summary>Dense backward: parameter gradients unless frozen, and the input gradient.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="inputs">Input features.</param>
    /// <param name="outputs">Output features.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="weight">Weight offset.</param>
    /// <param name="bias">Bias offset, or -1.</param>
    /// <param name="trainsParameters">Whether the layer's parameters train.</param>
    /// <param name="mode">How to deliver the input gradient.</param>
    public static void DenseBackward(NetworkContext context, int inputs, int outputs, int x, int y, int weight, int bias, bool trainsParameters, InputGradient mode)
    {
        var dy = context.ActivationGradient(y, outputs);
        if (trainsParameters)
        {
            Linear.BackwardWeights(context.Batch, inputs, outputs, context.Activation(x, inputs), dy, context.Gradient(weight, inputs * outputs),
                OptionalGradient(context, bias, outputs), accumulate: false, context.Scratch);
        }
        if (mode != InputGradient.None)
        {
            Linear.BackwardData(context.Batch, inputs, outputs, dy, context.Parameter(weight, inputs * outputs), context.ActivationGradient(x, inputs),
                mode == InputGradient.Accumulate, context.Scratch);
        }
    }

    /// <summary>Scratch a dense layer needs.</summary>
    /// <param name="inputs">Input features.</param>
    /// <param name="outputs">Output features.</param>
    /// <param name="batch">Samples.</param>
    /// <returns>Floats.</returns>
    public static int DenseScratch(int inputs, int outputs, int batch) => Linear.ScratchLength(batch, inputs, outputs);

    /// <summary>
    /// BatchNorm forward: in training, normalize with this worker's batch statistics (saved in the
    /// state arena for backward) and update the running statistics; in inference, use the running statistics.
    /// </summary>
    /// <param name="context">The worker.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Values per channel per sample (H·W, 1 for a vector).</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="gamma">γ offset.</param>
    /// <param name="beta">β offset.</param>
    /// <param name="runningMean">Running-mean offset in the buffer arena.</param>
    /// <param name="runningVar">Running-variance offset in the buffer arena.</param>
    /// <param name="state">Offset of 2·channels floats of saved statistics.</param>
    /// <param name="eps">ε.</param>
    /// <param name="momentum">Running-statistics momentum.</param>
    public static void BatchNorm(NetworkContext context, int channels, int plane, int x, int y, int gamma, int beta, int runningMean, int runningVar, int state, float eps, float momentum) =>
        BatchNorm(context, channels, plane, x, y, gamma, beta, runningMean, runningVar, state, eps, momentum, relu: false, summed: false);

    /// <summary>BatchNorm backward (training mode): γ and β gradients unless frozen, and the input gradient.</summary>
    /// <param name="context">The worker.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="plane">Values per channel per sample.</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="gamma">γ offset.</param>
    /// <param name="beta">β offset.</param>
    /// <param name="state">Offset of the saved statistics.</param>
    /// <param name="trainsParameters">Whether γ and β train.</param>
    /// <param name="mode">How to deliver the input gradient.</param>
    public static void BatchNormBackward(NetworkContext context, int channels, int plane, int x, int y, int gamma, int beta, int state, bool trainsParameters, InputGradient mode) =>
        BatchNormBackward(context, channels, plane, x, y, gamma, beta, state, trainsParameters, mode, relu: false, summed: false);
}
