using System;
using System.ComponentModel;
using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

/// <summary>
/// What one statement of generated forward or backward code does: read a layer's slots out of a
/// worker's arenas (per-sample offsets fixed by the generator, scaled by the worker's batch) and call
/// the kernel. Parameter offsets of -1 mean the layer has no such tensor (a layer without bias).
/// Backward methods take how to deliver the input's gradient (<see cref="InputGradient"/>).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class LayerOps
{
    /// <summary>Scratch an elementwise backward step needs to add (rather than write) its input gradient.</summary>
    /// <param name="length">Values per sample.</param>
    /// <param name="batch">Samples.</param>
    /// <returns>Floats of scratch.</returns>
    public static int AccumulateScratch(int length, int batch) => length * batch;

    private static ReadOnlySpan<float> OptionalParameter(NetworkContext context, int offset, int length) =>
        offset < 0 ? ReadOnlySpan<float>.Empty : context.Parameter(offset, length);

    private static Span<float> OptionalGradient(NetworkContext context, int offset, int length) =>
        offset < 0 ? Span<float>.Empty : context.Gradient(offset, length);

    /// <summary>
    /// Where an elementwise backward kernel (which can only overwrite) writes the input gradient: the
    /// slot itself, or scratch that <see cref="FinishGradient"/> then adds to the slot.
    /// </summary>
    private static Span<float> GradientTarget(NetworkContext context, InputGradient mode, int x, int length) =>
        mode == InputGradient.Accumulate
            ? context.Scratch.Slice(0, length * context.Batch)
            : context.ActivationGradient(x, length);

    private static void FinishGradient(NetworkContext context, InputGradient mode, int x, int length)
    {
        if (mode == InputGradient.Accumulate)
        {
            var slot = context.ActivationGradient(x, length);
            TensorOps.AddInPlace(slot, context.Scratch.Slice(0, slot.Length));
        }
    }
}
