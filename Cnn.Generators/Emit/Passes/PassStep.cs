using System.Collections.Generic;
using Cnn.Generators.Models;

namespace Cnn.Generators.Emit.Passes;

/// <summary>
/// An activation slot: <see cref="Length"/> floats per sample at per-sample offset
/// <see cref="Offset"/> of the activation arena (its gradient where <see cref="GradientPlan"/>
/// puts it in the activation-gradient arena). <see cref="Id"/> tells values apart when slots alias (Flatten).
/// </summary>
internal sealed class Slot
{
    public Slot(int id, int length, bool requiresGradient)
    {
        Id = id;
        Length = length;
        RequiresGradient = requiresGradient;
    }

    public int Id { get; }

    public int Length { get; }

    public bool RequiresGradient { get; }

    /// <summary>Per-sample offset, assigned once fusion has decided which slots remain (-1 before).</summary>
    public int Offset { get; set; } = -1;
}

/// <summary>How a backward step delivers the gradient of one of its inputs.</summary>
internal enum GradientMode
{
    /// <summary>The input needs no gradient (it is the network's input, or nothing before it learns).</summary>
    None,

    /// <summary>The step is the first, in backward order, to contribute: it overwrites the slot.</summary>
    Write,

    /// <summary>Another consumer of the same value already wrote: the step adds to the slot.</summary>
    Accumulate,
}

/// <summary>
/// One forward operation of the planned network: which layer, what it computes, where it reads
/// and writes. The backward pass runs the steps in reverse; <see cref="InputModes"/> say, per
/// input, whether the step's backward writes, adds or skips that input's gradient.
/// </summary>
/// <param name="Index">Position in forward order (names the step's static geometry field).</param>
/// <param name="Layer">The layer (for Add and Concat, the Residual or Concat composition).</param>
/// <param name="Operation">What the step computes.</param>
/// <param name="Inputs">Slots read: one for layers, two for Add, one per branch for Concat.</param>
/// <param name="Output">Slot written.</param>
/// <param name="Aux">Per-sample slot of extra values kept for backward (dropout mask), or null.</param>
/// <param name="IndexOffset">Per-sample offset in the index arena (max-pool argmax), or -1.</param>
/// <param name="StateOffset">Offset in the state arena (BatchNorm's saved statistics), or -1.</param>
/// <param name="BatchNormIndex">The BatchNorm's counter index, or -1.</param>
/// <param name="InputModes">Gradient mode per input, aligned with <see cref="Inputs"/>.</param>
/// <param name="TrainingSkips">A trailing Softmax, which training skips (the loss takes the logits).</param>
/// <param name="Relu">
/// A Relu layer fused into this step, or null: the step's output is the ReLU of what it computes. For a
/// MaxPool the ReLU came before it in the network (max commutes with ReLU); for a BatchNorm or a residual
/// join (Add) it came after.
/// </param>
internal sealed record PassStep(
    int Index,
    LayerNode Layer,
    StepOperation Operation,
    IReadOnlyList<Slot> Inputs,
    Slot Output,
    Slot? Aux,
    int IndexOffset,
    int StateOffset,
    int BatchNormIndex,
    IReadOnlyList<GradientMode> InputModes,
    bool TrainingSkips,
    LayerNode? Relu = null)
{
    /// <summary>Whether the backward pass has anything to do for this step.</summary>
    public bool HasBackward => !TrainingSkips && (HasParameters || Output.RequiresGradient && AnyInputGradient);

    public bool HasParameters => Operation is StepOperation.Conv or StepOperation.ConvTranspose or StepOperation.Dense or StepOperation.BatchNorm;

    public bool AnyInputGradient
    {
        get
        {
            foreach (var mode in InputModes)
            {
                if (mode != GradientMode.None)
                {
                    return true;
                }
            }
            return false;
        }
    }
}

/// <summary>What a <see cref="PassStep"/> computes.</summary>
internal enum StepOperation
{
    Conv,
    ConvTranspose,
    Dense,
    MaxPool,
    AvgPool,
    GlobalAvgPool,
    BatchNorm,
    Dropout,
    Relu,
    LeakyRelu,
    Elu,
    Tanh,
    Sigmoid,
    Gelu,
    Softmax,

    /// <summary>Residual's join: output = body + shortcut (or + the input).</summary>
    Add,

    /// <summary>Concat's join: the branches' outputs side by side along channels.</summary>
    Concat,
}
