using System;
using System.Collections.Generic;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Network;

/// <summary>
/// Everything about a generated network that the runtime needs and the generator computed: the
/// parameter layout and the activation arena plan. Every activation lives in a slot of the
/// per-sample activation arena: a slot at per-sample offset <c>o</c> holding <c>n</c> values per
/// sample occupies <c>[o·batch, (o + n)·batch)</c> of the arena, NCHW within it; its gradient sits at
/// <see cref="GradientSlots"/>' offset for it in the activation-gradient arena, where gradients that are
/// never live at once share memory. Values that do not scale with the batch (a
/// BatchNorm's saved batch statistics) live in the state arena at fixed offsets.
/// </summary>
public sealed class NetworkPlan
{
    /// <summary>Learned parameters and buffers with their arena offsets, in state_dict order.</summary>
    public required IReadOnlyList<ParameterInfo> Layout { get; init; }

    /// <summary>Shape of one input sample.</summary>
    public required TensorShape Input { get; init; }

    /// <summary>Shape of one output sample.</summary>
    public required TensorShape Output { get; init; }

    /// <summary>Floats of the activation arena per sample.</summary>
    public required int ActivationFloatsPerSample { get; init; }

    /// <summary>Floats of the activation-gradient arena per sample; 0 (with no <see cref="GradientSlots"/>) means as many as the activations'.</summary>
    public int GradientFloatsPerSample { get; init; }

    /// <summary>
    /// Each slot's per-sample gradient offset, in increasing order of the slot's activation offset. Empty: every gradient sits at its
    /// slot's own offset, in an arena as large as the activations'.
    /// </summary>
    /// <exception cref="ArgumentException">The slots are not in increasing order.</exception>
    public IReadOnlyList<GradientSlot> GradientSlots
    {
        get => _gradientSlots;
        init
        {
            _gradientSlots = value;
            _slotKeys = new int[value.Count];
            for (var i = 0; i < _slotKeys.Length; i++)
            {
                _slotKeys[i] = value[i].Slot;
                if (i > 0 && _slotKeys[i] <= _slotKeys[i - 1])
                {
                    throw new ArgumentException("The plan's gradient slots are not in increasing order of their activation offsets.", nameof(value));
                }
            }
        }
    }

    private readonly IReadOnlyList<GradientSlot> _gradientSlots = Array.Empty<GradientSlot>();
    private readonly int[] _slotKeys = Array.Empty<int>();

    /// <summary>Floats per sample of the activation-gradient arena as laid out: <see cref="GradientFloatsPerSample"/>, or the activations' without <see cref="GradientSlots"/>.</summary>
    internal int GradientArenaFloatsPerSample => _slotKeys.Length > 0 ? GradientFloatsPerSample : ActivationFloatsPerSample;

    /// <summary>The per-sample gradient offset of the activation slot at <paramref name="slot"/> (a binary search of <see cref="GradientSlots"/>).</summary>
    /// <param name="slot">The slot's per-sample offset in the activation arena.</param>
    /// <returns>Its gradient's per-sample offset.</returns>
    internal int GradientOffset(int slot)
    {
        if (_slotKeys.Length == 0)
        {
            return slot;
        }
        var i = Array.BinarySearch(_slotKeys, slot);
        return i >= 0 ? _gradientSlots[i].Offset : throw new InvalidOperationException($"The plan places no gradient for the activation slot at offset {slot}.");
    }

    /// <summary>Floats of the parameter (and gradient) arena; 0 means the end of the last learned tensor.</summary>
    public int ParameterArenaLength { get; init; }

    /// <summary>Floats of the buffer arena; 0 means the end of the last running statistic.</summary>
    public int BufferArenaLength { get; init; }

    /// <summary>Ints of the index arena per sample (max-pool argmax), scaled by the batch like activations.</summary>
    public int IndicesPerSample { get; init; }

    /// <summary>Floats of the state arena (independent of the batch size).</summary>
    public int StateFloats { get; init; }

    /// <summary>Per-sample offset of the input slot.</summary>
    public int InputOffset { get; init; }

    /// <summary>Per-sample offset of the output slot in inference mode.</summary>
    public required int OutputOffset { get; init; }

    /// <summary>
    /// Per-sample offset of the output slot in training mode: the logits before a trailing Softmax,
    /// which training skips so that the fused softmax cross-entropy never applies softmax twice.
    /// </summary>
    public required int TrainingOutputOffset { get; init; }

    /// <summary>
    /// Every step that computes something, in forward order (one per layer, plus one per residual or
    /// concat join). The generated backward pass refers to steps by their index here
    /// (<see cref="NetworkContext.Trains"/>), and non-finite values are traced through it.
    /// </summary>
    public IReadOnlyList<LayerTrace> Layers { get; init; } = Array.Empty<LayerTrace>();
}

/// <summary>Where the gradient of one activation slot lives: per-sample offsets in the activation and the activation-gradient arenas.</summary>
/// <param name="Slot">The slot's per-sample offset in the activation arena.</param>
/// <param name="Offset">Its gradient's per-sample offset in the activation-gradient arena.</param>
public readonly record struct GradientSlot(int Slot, int Offset);

/// <summary>Where one layer writes in the forward and backward passes, so a NaN or infinity can be traced to the first layer that produced it.</summary>
/// <param name="Name">The layer's dotted path (<c>layer1.0.conv1</c>).</param>
/// <param name="OutputOffset">
/// Per-sample offset of the slot the layer's output is checked in: its output slot, or for a BatchNorm whose output training does not
/// write (LayerOps.ConvBatchNormMaxPoolRelu) the output of the ReLU and max pooling after it, which make no NaN or infinity of finite values.
/// </param>
/// <param name="OutputLength">Values per sample of that slot; 0 for a layer that writes none of its own (a BatchNorm the residual join reading it applies, LayerOps.NormalizedAdd: a non-finite value it makes is reported at the join).</param>
/// <param name="InputGradientOffset">Per-sample offset where the backward pass writes the gradient of the layer's input, or -1 when it writes none.</param>
/// <param name="InputGradientLength">Values per sample of that gradient.</param>
public sealed record LayerTrace(string Name, int OutputOffset, int OutputLength, int InputGradientOffset, int InputGradientLength);
