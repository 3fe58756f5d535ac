using System.Collections.Generic;
using Cnn.Generators.Models;

namespace Cnn.Generators.Emit;

/// <summary>
/// Where every parameter and buffer of a network lives, in PyTorch's state_dict order (layers in
/// order, blocks depth-first; weight then bias; BatchNorm's weight, bias, running_mean,
/// running_var). Every emitted part (the layout table, forward and backward code) takes its
/// offsets from here, so they agree by construction.
/// </summary>
/// <remarks>
/// Each tensor starts on a multiple of <see cref="Alignment"/> floats (64 bytes: one cache line,
/// one Vector512), so kernels may load a tensor's first values aligned; the arenas are therefore
/// slightly longer than the value counts, and the gaps stay zero (their gradients are zero too).
/// </remarks>
internal sealed class ParameterPlan
{
    /// <summary>Tensor starts are multiples of this many floats.</summary>
    public const int Alignment = 16;

    private ParameterPlan(IReadOnlyList<ParameterSlot> slots, IReadOnlyList<string> batchNorms, long parameterCount, long bufferCount, long parameterArenaLength, long bufferArenaLength)
    {
        Slots = slots;
        BatchNorms = batchNorms;
        ParameterCount = parameterCount;
        BufferCount = bufferCount;
        ParameterArenaLength = parameterArenaLength;
        BufferArenaLength = bufferArenaLength;
    }

    /// <summary>Every tensor in state_dict order (parameters and buffers interleaved as PyTorch lists them).</summary>
    public IReadOnlyList<ParameterSlot> Slots { get; }

    /// <summary>The paths of the BatchNorm layers in order: index i owns <c>num_batches_tracked[i]</c>.</summary>
    public IReadOnlyList<string> BatchNorms { get; }

    /// <summary>Learned values (PyTorch's parameter count).</summary>
    public long ParameterCount { get; }

    /// <summary>Running-statistics values.</summary>
    public long BufferCount { get; }

    /// <summary>Floats in the parameter arena (and in the gradient arena).</summary>
    public long ParameterArenaLength { get; }

    /// <summary>Floats in the buffer arena.</summary>
    public long BufferArenaLength { get; }

    /// <summary>The slot of <paramref name="layer"/>'s tensor with <paramref name="role"/>, or null when the layer has none (a convolution without bias).</summary>
    public ParameterSlot? Find(string layer, TensorRole role)
    {
        foreach (var slot in Slots)
        {
            if (slot.Layer == layer && slot.Role == role)
            {
                return slot;
            }
        }
        return null;
    }

    public static ParameterPlan Of(InferredNetwork network)
    {
        var builder = new Builder();
        builder.AddAll(network.Layers);
        return new ParameterPlan(builder.Slots, builder.BatchNorms, builder.ParameterCount, builder.BufferCount, builder.ParameterEnd, builder.BufferEnd);
    }

    private sealed class Builder
    {
        public readonly List<ParameterSlot> Slots = new();
        public readonly List<string> BatchNorms = new();
        public long ParameterCount;
        public long BufferCount;
        public long ParameterEnd;
        public long BufferEnd;

        public void AddAll(EquatableArray<LayerNode> layers)
        {
            foreach (var layer in layers)
            {
                Add(layer);
                foreach (var path in layer.Paths)
                {
                    AddAll(path.Layers);
                }
            }
        }

        private void Add(LayerNode layer)
        {
            var spec = layer.Spec;
            switch (layer.Kind)
            {
                case LayerKind.Conv:
                    AddTensor(layer, "weight", TensorRole.Weight, spec.Filters, layer.In.C / spec.Groups, spec.Kernel, spec.Kernel);
                    if (spec.Bias)
                    {
                        AddTensor(layer, "bias", TensorRole.Bias, spec.Filters);
                    }
                    break;
                case LayerKind.ConvTranspose:
                    AddTensor(layer, "weight", TensorRole.Weight, layer.In.C, spec.Filters, spec.Kernel, spec.Kernel);
                    if (spec.Bias)
                    {
                        AddTensor(layer, "bias", TensorRole.Bias, spec.Filters);
                    }
                    break;
                case LayerKind.Dense:
                    AddTensor(layer, "weight", TensorRole.Weight, spec.Units, checked((int)layer.In.Elements));
                    if (spec.Bias)
                    {
                        AddTensor(layer, "bias", TensorRole.Bias, spec.Units);
                    }
                    break;
                case LayerKind.BatchNorm:
                    AddTensor(layer, "weight", TensorRole.Scale, layer.In.C);
                    AddTensor(layer, "bias", TensorRole.Shift, layer.In.C);
                    AddTensor(layer, "running_mean", TensorRole.RunningMean, layer.In.C);
                    AddTensor(layer, "running_var", TensorRole.RunningVar, layer.In.C);
                    BatchNorms.Add(layer.Path);
                    break;
            }
        }

        private void AddTensor(LayerNode layer, string suffix, TensorRole role, params int[] shape)
        {
            var name = layer.Path.Length == 0 ? suffix : layer.Path + "." + suffix;
            var length = 1L;
            foreach (var dim in shape)
            {
                length *= dim;
            }
            var isBuffer = role is TensorRole.RunningMean or TensorRole.RunningVar;
            var offset = isBuffer ? BufferEnd : ParameterEnd;
            Slots.Add(new ParameterSlot(name, layer.Path, shape.ToEquatableArray(), checked((int)offset), role));
            var end = Align(offset + length);
            if (isBuffer)
            {
                BufferEnd = end;
                BufferCount += length;
            }
            else
            {
                ParameterEnd = end;
                ParameterCount += length;
            }
        }

        private static long Align(long value) => (value + Alignment - 1) / Alignment * Alignment;
    }
}
