using System;
using System.Collections.Generic;
using System.Linq;
using Cnn.Generators.Models;

namespace Cnn.Generators.Emit.Passes;

/// <summary>
/// The forward pass of a network as a flat list of steps, with every activation in its own slot of
/// the per-sample activation arena (offsets fixed at generation time, scaled by the batch at run
/// time). Compositions disappear here: Repeat and Use are their layers in sequence, Flatten is the
/// same slot seen as a vector, a Residual is its projection (if any), its body and an Add, a Concat its branches
/// followed by a Concat step. A ReLU fuses into the step next to it when nothing else reads the value
/// between them (<see cref="FuseRelus"/>). Slots are not reused: every activation stays for the backward pass.
/// </summary>
internal sealed class ActivationPlan
{
    private readonly List<PassStep> _steps = new();
    private readonly Dictionary<int, int> _producers = new();
    private int _nextId;
    private int _floats;
    private int _indices;
    private int _state;
    private int _batchNorms;

    private ActivationPlan()
    {
    }

    /// <summary>The forward steps in order, backward gradient modes resolved.</summary>
    public IReadOnlyList<PassStep> Steps => _steps;

    /// <summary>The network input's slot.</summary>
    public Slot Input { get; private set; } = null!;

    /// <summary>The inference output's slot.</summary>
    public Slot Output { get; private set; } = null!;

    /// <summary>The training output's slot: the logits before a trailing Softmax, else <see cref="Output"/>.</summary>
    public Slot TrainingOutput { get; private set; } = null!;

    /// <summary>The index of the step that writes <paramref name="slot"/>, or -1 for the network's input.</summary>
    public int ProducerOf(Slot slot) => _producers.TryGetValue(slot.Id, out var step) ? step : -1;

    /// <summary>Floats of the activation arena per sample.</summary>
    public int FloatsPerSample => _floats;

    /// <summary>Ints of the index arena per sample (max-pool argmax).</summary>
    public int IndicesPerSample => _indices;

    /// <summary>Floats of the state arena (independent of the batch).</summary>
    public int StateFloats => _state;

    public static ActivationPlan Of(InferredNetwork network)
    {
        var plan = new ActivationPlan();
        plan.Input = plan.NewSlot(network.Input.Elements, requiresGradient: false);
        plan.Output = plan.Walk(network.Layers, plan.Input);
        plan.TrainingOutput = plan.Output;
        var lastIndex = plan._steps.Count - 1;
        if (lastIndex >= 0 && plan._steps[lastIndex] is { Operation: StepOperation.Softmax } last && last.Output == plan.Output)
        {
            plan._steps[lastIndex] = last with { TrainingSkips = true };
            plan.TrainingOutput = last.Inputs[0];
        }
        plan.FuseRelus();
        plan.ResolveGradientModes();
        plan.AssignOffsets();
        return plan;
    }

    private Slot Walk(EquatableArray<LayerNode> layers, Slot x)
    {
        foreach (var layer in layers)
        {
            x = Apply(layer, x);
        }
        return x;
    }

    private Slot Apply(LayerNode layer, Slot x)
    {
        switch (layer.Kind)
        {
            case LayerKind.Flatten:
                return x;
            case LayerKind.Repeat:
            case LayerKind.Use:
                foreach (var path in layer.Paths)
                {
                    x = Walk(path.Layers, x);
                }
                return x;
            case LayerKind.Residual:
            {
                // A projection runs before the body, so that backward, in reverse, runs the body first: the body's first
                // layer writes the block input's gradient whole, and the projection adds its part last. A strided 1×1
                // projection reaches a quarter of the input positions: writing first, it wrote the other three quarters
                // as zeros for the body to read and add to; adding last, it reads and writes only the rows it reaches.
                var shortcut = layer.Paths.Count > 1 ? Walk(layer.Paths[1].Layers, x) : x;
                var body = Walk(layer.Paths[0].Layers, x);
                return AddStep(layer, StepOperation.Add, new[] { body, shortcut });
            }
            case LayerKind.Concat:
                return AddStep(layer, StepOperation.Concat, layer.Paths.Select(path => Walk(path.Layers, x)).ToArray());
            default:
                return AddStep(layer, OperationOf(layer.Kind), new[] { x });
        }
    }

    private Slot AddStep(LayerNode layer, StepOperation operation, Slot[] inputs)
    {
        var learns = operation is StepOperation.Conv or StepOperation.ConvTranspose or StepOperation.Dense or StepOperation.BatchNorm;
        var output = NewSlot(layer.Out.Elements, learns || inputs.Any(i => i.RequiresGradient));
        Slot? aux = operation == StepOperation.Dropout ? NewSlot(layer.Out.Elements, requiresGradient: false) : null;
        var indexOffset = -1;
        if (operation == StepOperation.MaxPool)
        {
            indexOffset = _indices;
            _indices = checked(_indices + output.Length);
        }
        var stateOffset = -1;
        var batchNorm = -1;
        if (operation == StepOperation.BatchNorm)
        {
            stateOffset = _state;
            _state = checked(_state + 2 * layer.In.C);
            batchNorm = _batchNorms++;
        }
        _steps.Add(new PassStep(
            _steps.Count, layer, operation, inputs, output, aux, indexOffset, stateOffset, batchNorm,
            new GradientMode[inputs.Length], TrainingSkips: false));
        return output;
    }

    private Slot NewSlot(long length, bool requiresGradient) => new(_nextId++, checked((int)length), requiresGradient);

    /// <summary>
    /// Fuses each ReLU with its neighbour when the value between them has no other reader: first a ReLU
    /// followed by a MaxPool (pooled, then rectified: the same values, four times fewer, and the
    /// gradient gate is applied to the pooled gradient), then a BatchNorm or residual join followed by a
    /// ReLU. The fused step writes the later slot; the slot between them disappears.
    /// </summary>
    private void FuseRelus()
    {
        Fuse(static (first, second) => first.Operation == StepOperation.Relu && second.Operation == StepOperation.MaxPool && second.Relu is null
            ? second with { Inputs = first.Inputs, Relu = first.Layer }
            : null);
        Fuse(static (first, second) => first.Operation is StepOperation.BatchNorm or StepOperation.Add && first.Relu is null && second.Operation == StepOperation.Relu
            ? first with { Output = second.Output, Relu = second.Layer }
            : null);
        _producers.Clear();
        for (var i = 0; i < _steps.Count; i++)
        {
            _steps[i] = _steps[i] with { Index = i };
            _producers.Add(_steps[i].Output.Id, i);
        }
    }

    /// <summary>Replaces each adjacent pair, the second reading the first's output and nothing else reading it, by <paramref name="merge"/>'s step when it gives one.</summary>
    private void Fuse(Func<PassStep, PassStep, PassStep?> merge)
    {
        var readers = new Dictionary<int, int>();
        foreach (var slot in _steps.SelectMany(step => step.Inputs).Concat(new[] { Output, TrainingOutput }))
        {
            readers[slot.Id] = readers.TryGetValue(slot.Id, out var count) ? count + 1 : 1;
        }
        var fused = new List<PassStep>(_steps.Count);
        for (var i = 0; i < _steps.Count; i++)
        {
            var first = _steps[i];
            if (i + 1 < _steps.Count && !first.TrainingSkips && _steps[i + 1] is { TrainingSkips: false } second
                && second.Inputs.Count == 1 && second.Inputs[0].Id == first.Output.Id && readers[first.Output.Id] == 1
                && merge(first, second) is { } step)
            {
                fused.Add(step);
                i++;
            }
            else
            {
                fused.Add(first);
            }
        }
        _steps.Clear();
        _steps.AddRange(fused);
    }

    /// <summary>Lays out the slots that remain, in forward order: the input, then each step's output and extra slot.</summary>
    private void AssignOffsets()
    {
        Place(Input);
        foreach (var step in _steps)
        {
            Place(step.Output);
            if (step.Aux is { } aux)
            {
                Place(aux);
            }
        }
    }

    private void Place(Slot slot)
    {
        if (slot.Offset < 0)
        {
            slot.Offset = _floats;
            _floats = checked(_floats + slot.Length);
        }
    }

    /// <summary>
    /// Walks the steps in backward order: the first consumer of a value to deliver its gradient
    /// overwrites the slot, later ones add to it, so fan-out (residual inputs, concat branches)
    /// sums gradients without a separate pass.
    /// </summary>
    private void ResolveGradientModes()
    {
        var written = new HashSet<int>();
        for (var i = _steps.Count - 1; i >= 0; i--)
        {
            var step = _steps[i];
            var modes = new GradientMode[step.Inputs.Count];
            for (var k = 0; k < modes.Length; k++)
            {
                var input = step.Inputs[k];
                modes[k] = step.TrainingSkips || !step.Output.RequiresGradient || !input.RequiresGradient
                    ? GradientMode.None
                    : written.Add(input.Id) ? GradientMode.Write : GradientMode.Accumulate;
            }
            _steps[i] = step with { InputModes = modes };
        }
    }

    private static StepOperation OperationOf(LayerKind kind) => kind switch
    {
        LayerKind.Conv => StepOperation.Conv,
        LayerKind.ConvTranspose => StepOperation.ConvTranspose,
        LayerKind.Dense => StepOperation.Dense,
        LayerKind.MaxPool => StepOperation.MaxPool,
        LayerKind.AvgPool => StepOperation.AvgPool,
        LayerKind.GlobalAvgPool => StepOperation.GlobalAvgPool,
        LayerKind.BatchNorm => StepOperation.BatchNorm,
        LayerKind.Dropout => StepOperation.Dropout,
        LayerKind.Relu => StepOperation.Relu,
        LayerKind.LeakyRelu => StepOperation.LeakyRelu,
        LayerKind.Elu => StepOperation.Elu,
        LayerKind.Tanh => StepOperation.Tanh,
        LayerKind.Sigmoid => StepOperation.Sigmoid,
        LayerKind.Gelu => StepOperation.Gelu,
        LayerKind.Softmax => StepOperation.Softmax,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a computing layer"),
    };
}
