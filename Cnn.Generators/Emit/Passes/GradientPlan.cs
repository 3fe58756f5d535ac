using System;
using System.Collections.Generic;
using System.Linq;

namespace Cnn.Generators.Emit.Passes;

/// <summary>
/// Where each slot's gradient lives in the per-sample gradient arena. An activation is written in forward and read again in
/// backward, so every activation keeps its own slot; a gradient lives only from the backward statement that first writes it to
/// the statement that reads it last (its producer's), so gradients whose lifetimes do not meet share memory. The backward pass
/// then writes each gradient into memory a gradient just read has left in cache, instead of into an arena as large as the
/// activations' (ResNet-8: 49 k against 204 k floats per sample).
/// </summary>
/// <remarks>
/// Statements run in decreasing step order; a step's backward runs at its own index or, for a BatchNorm its residual join applies,
/// at the join's (<c>position</c>). A gradient is live over the closed range of positions of the statements that touch it (the
/// step whose output it is, the steps reading that output), so a statement never reads and writes the same memory as two
/// gradients. The training output's gradient, which the loss writes before backward, is live throughout: the backward pass can
/// run again from it (<c>NetworkBase</c>'s non-finite trace).
/// </remarks>
internal sealed class GradientPlan
{
    private GradientPlan(IReadOnlyList<GradientLife> slots, int floatsPerSample)
    {
        Slots = slots;
        FloatsPerSample = floatsPerSample;
    }

    /// <summary>Each gradient, by its slot's activation offset.</summary>
    public IReadOnlyList<GradientLife> Slots { get; }

    /// <summary>Floats of the gradient arena per sample.</summary>
    public int FloatsPerSample { get; }

    /// <param name="plan">The activation plan.</param>
    /// <param name="position">The index of the step whose backward statement runs <c>step</c>'s backward.</param>
    /// <param name="hasGradient">Whether backward makes a gradient of <c>slot</c>: not the network input's, nor a BatchNorm's output its join applies (the join writes the BatchNorm's input gradient).</param>
    public static GradientPlan Of(ActivationPlan plan, Func<PassStep, int> position, Func<Slot, bool> hasGradient)
    {
        var lives = new Dictionary<int, GradientLife>();
        void Touch(Slot slot, int at)
        {
            if (!hasGradient(slot))
            {
                return;
            }
            lives[slot.Offset] = lives.TryGetValue(slot.Offset, out var life)
                ? life with { First = Math.Min(life.First, at), Last = Math.Max(life.Last, at) }
                : new GradientLife(slot.Offset, slot.Length, at, at, -1);
        }
        foreach (var step in plan.Steps)
        {
            var at = position(step);
            Touch(step.Output, at);
            foreach (var input in step.Inputs)
            {
                Touch(input, at);
            }
        }
        Touch(plan.TrainingOutput, -1);
        Touch(plan.TrainingOutput, plan.Steps.Count);
        var placed = new List<GradientLife>();
        var floats = 0;
        // Largest first, each at the lowest offset clear of every gradient live with it (TensorFlow Lite's greedy-by-size arena plan).
        foreach (var life in lives.Values.OrderByDescending(l => l.Length).ThenByDescending(l => l.Last).ThenBy(l => l.Slot))
        {
            var rivals = placed.Where(life.MeetsInTime).OrderBy(p => p.Offset).ToList();
            var offset = 0;
            foreach (var rival in rivals)
            {
                if (offset + life.Length <= rival.Offset)
                {
                    break;
                }
                offset = Math.Max(offset, rival.Offset + rival.Length);
            }
            placed.Add(life with { Offset = offset });
            floats = Math.Max(floats, offset + life.Length);
        }
        return new GradientPlan(placed.OrderBy(p => p.Slot).ToList(), floats);
    }
}

/// <summary>One slot's gradient.</summary>
/// <param name="Slot">The slot's per-sample offset in the activation arena.</param>
/// <param name="Length">Floats per sample.</param>
/// <param name="First">The lowest position of a backward statement touching it (the last to run).</param>
/// <param name="Last">The highest (the first to run; the loss's, past every step, for the training output).</param>
/// <param name="Offset">Its per-sample offset in the gradient arena.</param>
internal readonly record struct GradientLife(int Slot, int Length, int First, int Last, int Offset)
{
    /// <summary>Whether the two gradients are live at one statement at least.</summary>
    public bool MeetsInTime(GradientLife other) => First <= other.Last && other.First <= Last;
}
