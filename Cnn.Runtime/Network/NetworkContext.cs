using System;
using System.ComponentModel;
using System.Runtime.InteropServices;
using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

/// <summary>
/// One worker's view of a network during a pass: its sub-batch, its own activation, gradient,
/// scratch and state arenas, its gradient and buffer arenas, and its dropout random source. The
/// generated forward and backward code reads and writes only through this, so workers never share
/// writable memory. Arenas are allocated for the largest sub-batch seen and only ever grow.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class NetworkContext
{
    private readonly NetworkPlan _plan;
    private readonly TrainedSteps _trainedSteps;
    private float[] _activations = Array.Empty<float>();
    private float[] _activationGradients = Array.Empty<float>();
    private int _activationsStart;
    private int _activationGradientsStart;
    private float[] _scratch = Array.Empty<float>();
    private int[] _indices = Array.Empty<int>();
    private double[] _doubles = Array.Empty<double>();
    private int _capacity;

    internal NetworkContext(NetworkPlan plan, TrainedSteps trainedSteps, int index, float[] parameters, float[] gradients, float[] buffers, ulong seed)
    {
        _plan = plan;
        _trainedSteps = trainedSteps;
        Index = index;
        Parameters = parameters;
        Gradients = gradients;
        Buffers = buffers;
        State = new float[plan.StateFloats];
        Seed = seed;
    }

    /// <summary>Worker 0's statement timer (<see cref="NetworkBase.StatementTimer"/>), or null.</summary>
    internal IStatementTimer? Timer { get; set; }

    /// <summary>The generated passes call this after each statement: tells <see cref="NetworkBase.StatementTimer"/>, if any, on worker 0.</summary>
    /// <param name="statement">The statement (<see cref="IStatementTimer.Mark"/>).</param>
    public void Mark(int statement) => Timer?.Mark(statement);

    /// <summary>Which worker this is (0 runs on the calling thread).</summary>
    public int Index { get; }

    /// <summary>Samples in this worker's part of the batch.</summary>
    public int Batch { get; internal set; }

    /// <summary>Samples in the whole batch (losses average over it).</summary>
    public int TotalBatch { get; internal set; }

    /// <summary>Whether the current pass is in training mode.</summary>
    public bool Training { get; internal set; }

    /// <summary>The parameter arena (shared by all workers, read-only during a pass).</summary>
    public float[] Parameters { get; internal set; }

    /// <summary>This worker's parameter-gradient arena (worker 0's is the network's).</summary>
    public float[] Gradients { get; }

    /// <summary>This worker's buffer arena: running statistics (worker 0's is the network's).</summary>
    public float[] Buffers { get; }

    /// <summary>Per-layer values that do not scale with the batch (BatchNorm's saved mean and inverse deviation).</summary>
    public float[] State { get; }

    /// <summary>The network's seed: dropout masks are a pure function of it, <see cref="Step"/> and the sample's index in the batch.</summary>
    public ulong Seed { get; }

    /// <summary>Training forward passes before this one (so every step draws new dropout masks).</summary>
    public long Step { get; internal set; }

    /// <summary>Index in the whole batch of this worker's first sample.</summary>
    public int FirstSample { get; internal set; }

    /// <summary>
    /// The first step (index in <see cref="NetworkPlan.Layers"/>, forward order) whose parameters train.
    /// Every step before it is frozen or has no parameters, so no gradient is needed there: the
    /// backward pass ends with this step.
    /// </summary>
    public int FirstTrainedStep => _trainedSteps.First;

    /// <summary>Whether the parameters of <paramref name="step"/> train; false when the layer is frozen (its gradients are not computed).</summary>
    /// <param name="step">Index in <see cref="NetworkPlan.Layers"/>.</param>
    /// <returns>True when backward must compute the step's parameter gradients.</returns>
    public bool Trains(int step) => _trainedSteps[step];

    /// <summary>
    /// How a step delivers the gradient of an input that step <paramref name="producer"/> computed:
    /// <paramref name="mode"/>, or <see cref="InputGradient.None"/> when the producer comes before
    /// <see cref="FirstTrainedStep"/> (nothing there or upstream trains, so nothing reads it).
    /// </summary>
    /// <param name="producer">The step that wrote the input.</param>
    /// <param name="mode">The mode the generator chose (write or accumulate).</param>
    /// <returns>The mode to use in this pass.</returns>
    public InputGradient InputMode(int producer, InputGradient mode) => producer < _trainedSteps.First ? InputGradient.None : mode;

    /// <summary>Scratch for kernels, at least the network's scratch length for <see cref="Batch"/>.</summary>
    public Span<float> Scratch => _scratch;

    /// <summary>The activation slot at per-sample offset <paramref name="offset"/> with <paramref name="length"/> values per sample.</summary>
    /// <param name="offset">Per-sample offset of the slot.</param>
    /// <param name="length">Values per sample.</param>
    /// <returns>The slot for the current batch.</returns>
    public Span<float> Activation(int offset, int length) => _activations.AsSpan(_activationsStart + (offset * Batch), length * Batch);

    /// <summary>The gradient of the activation slot at per-sample offset <paramref name="offset"/>, where <see cref="NetworkPlan.GradientSlots"/> puts it.</summary>
    /// <param name="offset">Per-sample offset of the slot in the activation arena.</param>
    /// <param name="length">Values per sample.</param>
    /// <returns>The gradient slot for the current batch.</returns>
    public Span<float> ActivationGradient(int offset, int length) => _activationGradients.AsSpan(_activationGradientsStart + (_plan.GradientOffset(offset) * Batch), length * Batch);

    /// <summary>The index slot (max-pool argmax) at per-sample offset <paramref name="offset"/>.</summary>
    /// <param name="offset">Per-sample offset in the index arena.</param>
    /// <param name="length">Indices per sample.</param>
    /// <returns>The slot for the current batch.</returns>
    public Span<int> Indices(int offset, int length) => _indices.AsSpan(offset * Batch, length * Batch);

    /// <summary>Double-precision scratch (per-channel sums), grown on first use and kept.</summary>
    /// <param name="length">Values needed.</param>
    /// <returns>At least <paramref name="length"/> doubles.</returns>
    public Span<double> Doubles(int length)
    {
        if (_doubles.Length < length)
        {
            _doubles = new double[length];
        }
        return _doubles.AsSpan(0, length);
    }

    /// <summary>A parameter tensor at its arena offset.</summary>
    /// <param name="offset">Offset in the parameter arena.</param>
    /// <param name="length">Values.</param>
    /// <returns>The parameter values.</returns>
    public ReadOnlySpan<float> Parameter(int offset, int length) => Parameters.AsSpan(offset, length);

    /// <summary>The gradient of a parameter tensor at its arena offset.</summary>
    /// <param name="offset">Offset in the parameter arena.</param>
    /// <param name="length">Values.</param>
    /// <returns>This worker's gradient values.</returns>
    public Span<float> Gradient(int offset, int length) => Gradients.AsSpan(offset, length);

    /// <summary>A buffer tensor (running statistics) at its arena offset.</summary>
    /// <param name="offset">Offset in the buffer arena.</param>
    /// <param name="length">Values.</param>
    /// <returns>This worker's buffer values.</returns>
    public Span<float> Buffer(int offset, int length) => Buffers.AsSpan(offset, length);

    /// <summary>An inference BatchNorm's map of <paramref name="channels"/> channels, from its parameters and running statistics.</summary>
    /// <param name="channels">Channels.</param>
    /// <param name="gamma">γ offset in the parameter arena.</param>
    /// <param name="beta">β offset.</param>
    /// <param name="runningMean">Running-mean offset in the buffer arena.</param>
    /// <param name="runningVar">Running-variance offset.</param>
    /// <param name="eps">ε.</param>
    /// <returns>The map.</returns>
    internal BatchNorm2d.ChannelAffine InferenceMap(int channels, int gamma, int beta, int runningMean, int runningVar, float eps) =>
        BatchNorm2d.ChannelAffine.Inference(Parameter(gamma, channels), Parameter(beta, channels), Buffer(runningMean, channels), Buffer(runningVar, channels), eps);

    /// <summary>Per-layer state at a fixed offset.</summary>
    /// <param name="offset">Offset in the state arena.</param>
    /// <param name="length">Values.</param>
    /// <returns>The state values.</returns>
    public Span<float> StateSlot(int offset, int length) => State.AsSpan(offset, length);

    /// <summary>Makes the arenas hold <paramref name="batch"/> samples (growing them only when needed) and sets the batch.</summary>
    internal void Prepare(int batch, int totalBatch, int scratchLength)
    {
        if (batch > _capacity)
        {
            var floats = checked(_plan.ActivationFloatsPerSample * batch);
            _activations = AlignedArena(floats, out _activationsStart);
            _activationGradients = AlignedArena(checked(_plan.GradientArenaFloatsPerSample * batch), out _activationGradientsStart);
            _indices = new int[checked(_plan.IndicesPerSample * batch)];
            _capacity = batch;
        }
        if (scratchLength > _scratch.Length)
        {
            _scratch = new float[scratchLength];
        }
        Batch = batch;
        TotalBatch = totalBatch;
    }

    internal int Capacity => _capacity;

    /// <summary>Worker 0's share of large layers with worker 1 in one-sample inference (a network with two workers or more), or null.</summary>
    internal SharedInference? Shared { get; set; }

    /// <summary>
    /// The job of one-sample inference's Winograd convolutions with kept filters by blocks of output channels: worker 0's shared
    /// one (<see cref="SharedInference.Winograd"/>), or, in a network of one worker, one that runs every block on this thread.
    /// </summary>
    internal SharedWinograd KeptWinograd => Shared?.Winograd ?? (_aloneWinograd ??= new SharedWinograd(this, null));

    private SharedWinograd? _aloneWinograd;

    /// <summary>The Winograd filters one-sample inference keeps between passes (used on worker 0, which runs those passes).</summary>
    internal OneSampleFilters OneSampleFilters { get; } = new();

    internal Span<float> AllActivations => _activations.AsSpan(_activationsStart, _plan.ActivationFloatsPerSample * Batch);

    /// <summary>
    /// A pinned arena of <paramref name="length"/> floats from <paramref name="start"/>, the first element on a 64-byte
    /// boundary: slots whose per-batch offsets are multiples of 16 floats start on a cache line, so kernels that need
    /// an aligned row (PositionLaneWeightGradient reading dy in place) take them where they are. Pinned, it never moves.
    /// </summary>
    private static float[] AlignedArena(int length, out int start)
    {
        var arena = GC.AllocateArray<float>(checked(length + 15), pinned: true);
        var address = (long)Marshal.UnsafeAddrOfPinnedArrayElement(arena, 0);
        start = (int)((64 - (address & 63)) & 63) / sizeof(float);
        return arena;
    }
}
