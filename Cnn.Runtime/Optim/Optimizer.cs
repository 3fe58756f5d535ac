using System;
using System.Collections.Generic;
using System.Linq;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Optim;

/// <summary>
/// A first-order optimizer over a generated network's arenas: <see cref="Step"/> reads the gradient
/// arena and updates the parameter arena in place, tensor by tensor, at the offsets the network's
/// <see cref="ParameterInfo"/> layout gives. Buffers (running statistics) live in another arena and
/// are skipped. Built over a network's <see cref="Network.NetworkBase.Layout"/>, it follows the
/// network's freezing: a frozen tensor is not updated, decayed or given momentum, and its state does
/// not advance (PyTorch's <c>requires_grad = False</c>). State arrays are allocated once, at
/// construction, so a step allocates nothing.
/// </summary>
/// <remarks>
/// The arithmetic follows PyTorch 1.13's single-tensor implementations operation by operation
/// (hyperparameters are doubles, rounded to float where PyTorch rounds them, and multiply-adds
/// fused where its build fuses them), so a run reproduces PyTorch's parameters bit for bit.
/// </remarks>
public abstract class Optimizer
{
    private readonly ParameterInfo[] _tensors;
    private readonly int[] _layoutIndices;
    private readonly ITrainableLayout? _freezing;
    private readonly long[] _tensorSteps;
    private readonly List<(string Name, float[] Values)> _state = [];
    private double _learningRate;

    /// <summary>Creates an optimizer over the trainable tensors of <paramref name="layout"/>.</summary>
    /// <param name="layout">The network's tensors (<see cref="Network.NetworkBase.Layout"/>, whose frozen tensors it skips); buffers among them are ignored.</param>
    /// <param name="learningRate">The initial learning rate (≥ 0).</param>
    protected Optimizer(IReadOnlyList<ParameterInfo> layout, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(layout);
        Layout = layout;
        _freezing = layout as ITrainableLayout;
        _layoutIndices = Enumerable.Range(0, layout.Count).Where(i => !layout[i].IsBuffer).ToArray();
        _tensors = _layoutIndices.Select(i => layout[i]).ToArray();
        ArenaLength = CheckedArenaLength(_tensors);
        _tensorSteps = new long[_tensors.Length];
        LearningRate = learningRate;
    }

    /// <summary>The layout the optimizer was built over.</summary>
    public IReadOnlyList<ParameterInfo> Layout { get; }

    /// <summary>The trainable tensors, in layout order.</summary>
    public IReadOnlyList<ParameterInfo> Tensors => _tensors;

    /// <summary>Values the parameter and gradient arenas must hold at least: the end of the last tensor.</summary>
    public int ArenaLength { get; }

    /// <summary>The learning rate of the next step; schedules set it.</summary>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            if (!(value >= 0) || double.IsInfinity(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The learning rate must be finite and non-negative.");
            }
            _learningRate = value;
        }
    }

    /// <summary>
    /// PyTorch's <c>initial_lr</c>: the learning rate when the first schedule was attached, which
    /// schedules computing from a base rate (cosine annealing) start from. Null until then.
    /// </summary>
    public double? InitialLearningRate { get; set; }

    /// <summary>
    /// Whether weight decay applies to a tensor. PyTorch decays every parameter; set
    /// <c>t =&gt; t.IsWeight</c> to leave biases and BatchNorm out, as two parameter groups would.
    /// </summary>
    public Func<ParameterInfo, bool> DecaysWeight { get; set; } = static _ => true;

    /// <summary>Number of <see cref="Step"/> calls so far.</summary>
    public long StepCount { get; private set; }

    /// <summary>Per trainable tensor, the steps that updated it (frozen steps do not count): PyTorch's per-parameter <c>step</c>.</summary>
    public ReadOnlySpan<long> TensorSteps => _tensorSteps;

    /// <summary>The live state arrays under PyTorch's names, each <see cref="ArenaLength"/> long, at the parameters' offsets.</summary>
    public IReadOnlyList<(string Name, float[] Values)> State => _state;

    /// <summary>
    /// Updates <paramref name="parameters"/> from <paramref name="gradients"/> (same offsets), skipping
    /// tensors the layout holds frozen. Each update kernel checks its results are finite as it writes
    /// them (no second pass over the parameters); if one is not, the whole step is still applied, so
    /// the state stays consistent, and then reported.
    /// </summary>
    /// <exception cref="NonFiniteException">The step made a parameter NaN or infinite (too large a learning rate, or an overflow); names the first such tensor, in layout order, and element.</exception>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        BeginStep(parameters.Length, gradients.Length);
        EndStep(UpdateRange(parameters, gradients, 0, ArenaLength), parameters);
    }

    /// <summary>Whether <see cref="Network.NetworkBase.Step"/> may split the arena across its workers (<see cref="IsElementwise"/>).</summary>
    internal bool Splits => IsElementwise;

    /// <summary>The first part of a step: checks the arenas and counts the step for every trained tensor.</summary>
    internal void BeginStep(int parameters, int gradients)
    {
        if (parameters < ArenaLength || gradients < ArenaLength)
        {
            throw new ArgumentException($"The layout needs arenas of at least {ArenaLength} values; got {parameters} parameters and {gradients} gradients.");
        }
        StepCount++;
        for (var i = 0; i < _tensors.Length; i++)
        {
            if (!IsFrozen(i))
            {
                _tensorSteps[i]++;
            }
        }
    }

    /// <summary>
    /// Updates the values at arena offsets [<paramref name="start"/>, <paramref name="end"/>) of every trained tensor;
    /// when the optimizer is not <see cref="IsElementwise"/>, the range must hold whole tensors. Safe to call for
    /// disjoint ranges from several threads between <see cref="BeginStep"/> and <see cref="EndStep"/>.
    /// </summary>
    /// <returns>The index of the first tensor whose update left a non-finite value, or -1.</returns>
    internal int UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradients, int start, int end)
    {
        var firstNonFinite = -1;
        for (var i = 0; i < _tensors.Length; i++)
        {
            var tensor = _tensors[i];
            var from = Math.Max(start, tensor.Offset);
            var to = Math.Min(end, tensor.Offset + tensor.Length);
            if (from >= to || IsFrozen(i))
            {
                continue;
            }
            var finite = Update(tensor, from, parameters[from..to], gradients[from..to], _tensorSteps[i]);
            if (!finite && firstNonFinite < 0)
            {
                firstNonFinite = i;
            }
        }
        return firstNonFinite;
    }

    /// <summary>The last part of a step: reports the first tensor, in layout order, that the step made non-finite.</summary>
    internal void EndStep(int firstNonFinite, Span<float> parameters)
    {
        if (firstNonFinite >= 0)
        {
            var tensor = _tensors[firstNonFinite];
            var values = parameters.Slice(tensor.Offset, tensor.Length);
            var index = NonFiniteScan.FirstIndex(values);
            throw new NonFiniteException(new NonFiniteValue(tensor, index, values[index]), NonFiniteArena.Parameters, StepCount);
        }
    }

    /// <summary>Copies the state out, for a checkpoint.</summary>
    public OptimizerState SaveState() => new(
        LearningRate,
        InitialLearningRate,
        StepCount,
        (long[])_tensorSteps.Clone(),
        _state.Select(s => (s.Name, (float[])s.Values.Clone())).ToArray());

    /// <summary>Restores state saved by an optimizer of the same kind and configuration over the same layout.</summary>
    /// <exception cref="ArgumentException">The state does not fit: other names, lengths or tensor count.</exception>
    public void LoadState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.TensorSteps.Length != _tensors.Length)
        {
            throw new ArgumentException($"The state counts steps for {state.TensorSteps.Length} tensors; this optimizer trains {_tensors.Length}.", nameof(state));
        }
        var expected = string.Join(", ", _state.Select(s => s.Name));
        var given = string.Join(", ", state.Arrays.Select(s => s.Name));
        if (expected != given)
        {
            throw new ArgumentException($"{GetType().Name} keeps state [{expected}]; the saved state has [{given}].", nameof(state));
        }
        foreach (var (name, values) in state.Arrays)
        {
            if (values.Length != ArenaLength)
            {
                throw new ArgumentException($"State '{name}' has {values.Length} values; the arena has {ArenaLength}.", nameof(state));
            }
        }
        if (state.StepCount < 0 || state.TensorSteps.Any(s => s < 0 || s > state.StepCount))
        {
            throw new ArgumentException("Step counts must be non-negative and no tensor can have taken more steps than the optimizer.", nameof(state));
        }
        LearningRate = state.LearningRate;
        InitialLearningRate = state.InitialLearningRate;
        StepCount = state.StepCount;
        state.TensorSteps.CopyTo(_tensorSteps, 0);
        for (var i = 0; i < _state.Count; i++)
        {
            state.Arrays[i].Values.CopyTo(_state[i].Values, 0);
        }
    }

    /// <summary>
    /// Whether each value's update depends only on that value, its gradient, its own state and the tensor's
    /// settings (true for SGD, Adam and AdamW; false by default). A network's
    /// <see cref="Network.NetworkBase.Step"/> then splits the arena across its workers, so
    /// <see cref="Update"/> may receive part of a tensor; an optimizer that needs a whole tensor at once
    /// (a per-tensor norm, say) leaves it false and always receives whole tensors.
    /// </summary>
    protected virtual bool IsElementwise => false;

    /// <summary>Applies one update to one tensor, or to part of it when the optimizer <see cref="IsElementwise"/>.</summary>
    /// <param name="tensor">The tensor.</param>
    /// <param name="offset">Arena offset of <paramref name="parameters"/>' first value, which locates the part in the state arrays: <see cref="ParameterInfo.Offset"/> for a whole tensor.</param>
    /// <param name="parameters">The values to update.</param>
    /// <param name="gradients">Their gradient.</param>
    /// <param name="step">How many steps have updated this tensor, this one included (1 on its first).</param>
    /// <returns>Whether every updated value is finite (checked while writing it, not by a second pass).</returns>
    protected abstract bool Update(ParameterInfo tensor, int offset, Span<float> parameters, ReadOnlySpan<float> gradients, long step);

    private bool IsFrozen(int tensor) => _freezing is not null && _freezing.IsFrozen(_layoutIndices[tensor]);

    /// <summary>Allocates a zeroed, arena-sized state array under a PyTorch state name (constructors only).</summary>
    protected float[] AddState(string name)
    {
        var values = new float[ArenaLength];
        _state.Add((name, values));
        return values;
    }

    private static int CheckedArenaLength(ParameterInfo[] tensors)
    {
        var end = 0;
        foreach (var tensor in tensors.OrderBy(t => t.Offset))
        {
            if (tensor.Offset < 0)
            {
                throw new ArgumentException($"Tensor {tensor.Name} has a negative offset ({tensor.Offset}).", "layout");
            }
            if (tensor.Offset < end)
            {
                throw new ArgumentException($"Tensor {tensor.Name} at offset {tensor.Offset} overlaps the tensor before it (which ends at {end}).", "layout");
            }
            end = tensor.Offset + tensor.Length;
        }
        return end;
    }
}
