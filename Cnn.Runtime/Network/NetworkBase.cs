using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Model;
using Cnn.Runtime.Optim;

namespace Cnn.Runtime.Network;

/// <summary>
/// The runtime half of every generated network: the parameter, gradient and buffer arenas, the
/// per-worker activation arenas, the training-step entry points and weight I/O. The generated half
/// supplies the layout and arena plan (<see cref="NetworkPlan"/>) and the unrolled
/// <see cref="ForwardLayers"/> and <see cref="BackwardLayers"/>.
/// </summary>
/// <remarks>
/// <para>Batches are split across <see cref="Workers"/> long-lived threads (the caller's thread is
/// worker 0), each with its own activation arena, and gradients are summed once per step in worker
/// order, so results depend only on the seed and the worker count.</para>
/// <para>BatchNorm in training mode normalizes each worker's sub-batch with that sub-batch's
/// statistics, as PyTorch's DistributedDataParallel does without SyncBatchNorm; the running
/// statistics are then the sub-batch-size-weighted mean of the workers' updates, which equals one
/// update with the weighted mean of their statistics. With one worker everything is PyTorch's.</para>
/// <para>After warm-up (the first pass at the largest batch size) no pass allocates.</para>
/// </remarks>
public abstract partial class NetworkBase : IDisposable
{
    private readonly NetworkPlan _plan;
    private readonly float[] _parameters;
    private readonly float[] _buffers;
    private readonly long[] _batchesTracked;
    private readonly bool[] _frozen;
    private readonly NetworkLayout _layout;
    private readonly TrainedSteps _trainedSteps;
    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);
    private readonly long _seed;
    private NetworkContext[] _contexts = Array.Empty<NetworkContext>();
    private WorkerPool? _pool;
    private WholePass? _onWorker;
    private int[] _starts = Array.Empty<int>();
    private int[] _counts = Array.Empty<int>();
    private int _scratchBatch;
    private int _scratchLength;
    private float[] _partialLosses = Array.Empty<float>();
    private bool[] _reducedFinite = Array.Empty<bool>();
    private int[] _firstNonFinite = Array.Empty<int>();
    private Optimizer? _optimizer;
    private float[] _output = Array.Empty<float>();
    private int[] _labels = Array.Empty<int>();
    private float[] _targets = Array.Empty<float>();
    private Phase _phase;
    private long _trainingSteps;
    private bool _hasForward;
    private bool _hasLossGradient;
    private bool _disposed;

    /// <summary>Creates the arenas and initializes the parameters from <paramref name="seed"/>.</summary>
    /// <param name="plan">The generated plan.</param>
    /// <param name="seed">Seed of the initial weights and of the dropout masks.</param>
    /// <param name="workers">Worker threads, the caller's included (at least 1).</param>
    protected NetworkBase(NetworkPlan plan, int seed, int workers)
    {
        ArgumentNullException.ThrowIfNull(plan);
        _plan = plan;
        _seed = seed;
        var parameterLength = 0;
        var bufferLength = 0;
        var batchNorms = 0;
        for (var i = 0; i < plan.Layout.Count; i++)
        {
            var info = plan.Layout[i];
            _byName.Add(info.Name, i);
            if (info.IsBuffer)
            {
                bufferLength = Math.Max(bufferLength, info.Offset + info.Length);
                batchNorms += info.Role == ParameterRole.RunningMean ? 1 : 0;
            }
            else
            {
                parameterLength = Math.Max(parameterLength, info.Offset + info.Length);
            }
        }
        _parameters = new float[Math.Max(parameterLength, plan.ParameterArenaLength)];
        Gradients = new float[_parameters.Length];
        _buffers = new float[Math.Max(bufferLength, plan.BufferArenaLength)];
        _batchesTracked = new long[batchNorms];
        _frozen = new bool[plan.Layout.Count];
        _layout = new NetworkLayout(plan.Layout, _frozen);
        _trainedSteps = new TrainedSteps(plan);
        _trainedSteps.Update(_frozen);
        ParameterInitializer.Initialize(plan.Layout, _parameters, _buffers, seed);
        Workers = workers;
    }

    private enum Phase
    {
        Forward,
        CrossEntropy,
        /// <summary>Forward, cross-entropy and backward in one hand-off (<see cref="ForwardBackward"/>).</summary>
        Train,
        SquaredError,
        Backward,
        Reduce,
        Optimize,
    }

    /// <summary>
    /// Parameters from which <see cref="Step"/> shares the optimizer's work with the workers: 2¹⁸ (1 MB of floats),
    /// where SGD with momentum takes about 100 µs, well over a hand-off. Smaller arenas (LeNet-5's 62 k, ResNet-8's
    /// 78 k: under 10 µs) update on the calling thread alone.
    /// </summary>
    private const int SharedStepValues = 1 << 18;

    /// <summary>Shape of one input sample.</summary>
    public TensorShape InputShape => _plan.Input;

    /// <summary>Shape of one output sample.</summary>
    public TensorShape OutputShape => _plan.Output;

    /// <summary>
    /// Every learned tensor and buffer with its PyTorch name, shape and arena offset, and which are
    /// frozen (<see cref="Freeze"/>). Build optimizers over it (<c>new SGD(network.Layout, …)</c>) so
    /// that they follow the network's freezing.
    /// </summary>
    public ITrainableLayout Layout => _layout;

    /// <summary>The parameter arena: every learned value, at the offsets of <see cref="Layout"/>.</summary>
    public Span<float> Parameters => _parameters;

    /// <summary>The gradient arena, same offsets as <see cref="Parameters"/>; written by <see cref="Backward"/>.</summary>
    public float[] Gradients { get; }

    /// <summary>
    /// Told when each statement of worker 0's passes ends, or null (the default): a profiler's view of the real passes, statement by
    /// statement (<see cref="IStatementTimer"/>; statements are numbered by <see cref="Steps"/>). Worker 0 runs its share of every
    /// pass on the calling thread, so with one worker the timer sees the whole batch; while a timer is set, no one-sample pass is
    /// handed to worker 1 whole (<see cref="SharedInference.RunsOnWorker"/>).
    /// </summary>
    public IStatementTimer? StatementTimer
    {
        get => _contexts[0].Timer;
        set => _contexts[0].Timer = value;
    }

    /// <summary>Every step of the generated passes in forward order, named by its layer (one per layer, plus one per residual or concat join).</summary>
    public IReadOnlyList<LayerTrace> Steps => _plan.Layers;

    /// <summary>The buffer arena: BatchNorm running statistics.</summary>
    public Span<float> Buffers => _buffers;

    /// <summary>Each BatchNorm's <c>num_batches_tracked</c>, in layout order.</summary>
    public Span<long> BatchesTracked => _batchesTracked;

    /// <summary>
    /// Training-mode forward passes so far. Dropout masks are a function of the seed, this count and
    /// each sample's index in its batch, so restoring it (with the weights) resumes a run exactly.
    /// </summary>
    public long TrainingSteps
    {
        get => _trainingSteps;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _trainingSteps = value;
        }
    }

    /// <summary>
    /// Worker threads that share a batch (the caller's thread included). Setting it starts the
    /// threads once; it may be changed between steps.
    /// </summary>
    public int Workers
    {
        get => _contexts.Length;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (value == _contexts.Length)
            {
                return;
            }
            _pool?.Dispose();
            _contexts = new NetworkContext[value];
            for (var i = 0; i < value; i++)
            {
                _contexts[i] = new NetworkContext(
                    _plan,
                    _trainedSteps,
                    i,
                    _parameters,
                    i == 0 ? Gradients : new float[Gradients.Length],
                    i == 0 ? _buffers : new float[_buffers.Length],
                    (ulong)_seed);
            }
            _pool = value > 1 ? new WorkerPool(value, RunWorker, GetType().Name) : null;
            _contexts[0].Shared = _pool is null ? null : new SharedInference(_contexts[0], _pool);
            _starts = new int[value];
            _counts = new int[value];
            _partialLosses = new float[value];
            _reducedFinite = new bool[value];
            _firstNonFinite = new int[value];
            _hasForward = false;
            _hasLossGradient = false;
        }
    }

    /// <summary>The values of a named parameter or buffer (<c>conv1.weight</c>, <c>bn1.running_mean</c>).</summary>
    /// <param name="name">The state_dict name.</param>
    /// <returns>A writable view of the values.</returns>
    public Span<float> Parameter(string name)
    {
        var info = Find(name);
        return info.IsBuffer ? _buffers.AsSpan(info.Offset, info.Length) : _parameters.AsSpan(info.Offset, info.Length);
    }

    /// <summary>The gradient of a named parameter after <see cref="Backward"/>.</summary>
    /// <param name="name">The state_dict name of a learned tensor.</param>
    /// <returns>A view of the gradient.</returns>
    public ReadOnlySpan<float> Gradient(string name)
    {
        var info = Find(name);
        if (info.IsBuffer)
        {
            throw new ArgumentException($"'{name}' is a buffer (running statistics): it has no gradient.", nameof(name));
        }
        return Gradients.AsSpan(info.Offset, info.Length);
    }

    /// <summary>
    /// Runs the network on <paramref name="batch"/> samples (NCHW, <see cref="InputShape"/> each). In
    /// training mode BatchNorm uses batch statistics (and updates its running statistics), dropout is
    /// active, and a trailing Softmax is skipped so the result is the logits the loss expects.
    /// </summary>
    /// <param name="input">batch × input values.</param>
    /// <param name="batch">Samples, at least 1.</param>
    /// <param name="training">Training mode.</param>
    /// <returns>batch × output values, valid until the next pass.</returns>
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> input, int batch, bool training = false)
    {
        BeginForward(input, batch, training);
        Dispatch(Phase.Forward);
        EndForward(batch, training);
        return GatherOutput(batch, training);
    }

    /// <summary>Checks the input and gives every worker with samples its part of the batch.</summary>
    private void BeginForward(ReadOnlySpan<float> input, int batch, bool training)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        var inputLength = _plan.Input.Elements;
        if (input.Length != batch * inputLength)
        {
            throw new ArgumentException($"Expected {batch} × {inputLength} = {batch * inputLength} input values for {batch} samples of {_plan.Input}, got {input.Length}.", nameof(input));
        }
        Split(batch);
        _contexts[0].Shared?.BeginPass();
        for (var i = 0; i < _contexts.Length; i++)
        {
            var context = _contexts[i];
            if (_counts[i] == 0)
            {
                continue;
            }
            context.Prepare(_counts[i], batch, ScratchFor(_counts[i]));
            context.Training = training;
            context.FirstSample = _starts[i];
            context.Step = _trainingSteps;
            input.Slice(_starts[i] * inputLength, _counts[i] * inputLength).CopyTo(context.Activation(_plan.InputOffset, inputLength));
            if (i > 0)
            {
                // Inference reads the running statistics too: the network's, as last trained, loaded or set.
                _buffers.CopyTo(context.Buffers, 0);
            }
        }
    }

    /// <summary>
    /// <see cref="ScratchLength"/> of <paramref name="batch"/> samples, computed again only when the size differs from the last
    /// one asked: the generated sum walks every layer's scratch rule (the convolutions' kernel choices among them), work a
    /// one-sample pass would otherwise repeat each time for the same answer.
    /// </summary>
    private int ScratchFor(int batch)
    {
        if (batch != _scratchBatch)
        {
            _scratchLength = ScratchLength(batch);
            _scratchBatch = batch;
        }
        return _scratchLength;
    }

    /// <summary>After a forward pass: the training counters and the combined running statistics.</summary>
    private void EndForward(int batch, bool training)
    {
        _contexts[0].Shared?.EndPass();
        if (training)
        {
            _trainingSteps++;
            AverageBuffers(batch);
            foreach (ref var count in _batchesTracked.AsSpan())
            {
                count++;
            }
        }
        _hasForward = true;
        _hasLossGradient = false;
    }

    /// <summary>Inference: <see cref="Forward"/> in evaluation mode, with a trailing Softmax applied.</summary>
    /// <param name="input">batch × input values.</param>
    /// <param name="batch">Samples.</param>
    /// <returns>batch × output values, valid until the next pass.</returns>
    public ReadOnlySpan<float> Predict(ReadOnlySpan<float> input, int batch) => Forward(input, batch, training: false);

    /// <summary>The most likely class of each sample (index of the largest output).</summary>
    /// <param name="input">batch × input values.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="classes">batch class indices (written).</param>
    public void PredictClasses(ReadOnlySpan<float> input, int batch, Span<int> classes)
    {
        if (classes.Length < batch)
        {
            throw new ArgumentException($"Need room for {batch} classes, got {classes.Length}.", nameof(classes));
        }
        var output = Predict(input, batch);
        var width = _plan.Output.Elements;
        for (var n = 0; n < batch; n++)
        {
            classes[n] = TensorPrimitives.IndexOfMax(output.Slice(n * width, width));
        }
    }

    /// <summary>
    /// Softmax cross-entropy of the last training-mode forward pass's logits against class labels,
    /// averaged over the batch; seeds the output gradient for <see cref="Backward"/>.
    /// </summary>
    /// <param name="labels">One class index per sample.</param>
    /// <returns>The mean loss.</returns>
    /// <exception cref="NonFiniteValueException">The loss is NaN or infinite; names the first layer whose output was.</exception>
    public float Loss(ReadOnlySpan<int> labels)
    {
        RequireForward(labels.Length);
        StoreLabels(labels);
        return FinishLoss(Phase.CrossEntropy);
    }

    /// <summary>Mean squared error of the last training-mode forward pass's output against targets; seeds the output gradient.</summary>
    /// <param name="targets">batch × output values.</param>
    /// <returns>The mean loss over every value.</returns>
    /// <exception cref="NonFiniteValueException">The loss is NaN or infinite.</exception>
    public float Loss(ReadOnlySpan<float> targets)
    {
        var width = _plan.Output.Elements;
        if (targets.Length % width != 0)
        {
            throw new ArgumentException($"Targets must be a whole number of {width}-value samples, got {targets.Length} values.", nameof(targets));
        }
        var batch = RequireForward(targets.Length / width);
        if (_targets.Length < targets.Length)
        {
            _targets = new float[targets.Length];
        }
        targets.CopyTo(_targets);
        return FinishLoss(Phase.SquaredError);
    }

    /// <summary>
    /// Back-propagates the loss through the network: afterwards <see cref="Gradients"/> holds the
    /// gradient of the mean loss for every parameter (zero for frozen ones, which are not computed;
    /// backward stops at the first layer that trains when every layer before it is frozen).
    /// </summary>
    /// <exception cref="NonFiniteValueException">A gradient is NaN or infinite; names the first layer, in backward order, that produced one.</exception>
    public void Backward() => FinishBackward(alreadyRun: false);

    /// <summary><see cref="Backward"/>, with the workers' backward passes already run when <paramref name="alreadyRun"/> (<see cref="Phase.Train"/>).</summary>
    private void FinishBackward(bool alreadyRun)
    {
        if (!_hasLossGradient)
        {
            throw new InvalidOperationException("Backward needs a loss: call Forward(…, training: true) and then Loss(…) first.");
        }
        _hasLossGradient = false;
        if (!_trainedSteps.Any)
        {
            return;
        }
        if (!alreadyRun)
        {
            Dispatch(Phase.Backward);
        }
        // One pass over the gradients checks them: the reduction's own when workers share the batch.
        bool finite;
        if (_contexts.Length > 1)
        {
            Dispatch(Phase.Reduce);
            finite = Array.TrueForAll(_reducedFinite, static f => f);
        }
        else
        {
            finite = TrainedGradientsFinite();
        }
        if (!finite)
        {
            throw NonFiniteGradient();
        }
    }

    /// <summary>
    /// Applies one step of <paramref name="optimizer"/> to the parameters, from <see cref="Gradients"/>:
    /// <c>optimizer.Step(Parameters, Gradients)</c>, with the workers sharing the arena when the optimizer
    /// updates each value independently (SGD, Adam, AdamW) and there are enough parameters to be worth a
    /// hand-off (2¹⁸), each worker updating the range of the gradients it summed.
    /// </summary>
    /// <param name="optimizer">An optimizer built over this network's <see cref="Layout"/>.</param>
    /// <exception cref="NonFiniteException">The step made a parameter NaN or infinite; names the first such tensor, in layout order.</exception>
    public void Step(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_pool is null || !optimizer.Splits || Gradients.Length < SharedStepValues)
        {
            optimizer.Step(_parameters, Gradients);
            return;
        }
        optimizer.BeginStep(_parameters.Length, Gradients.Length);
        _optimizer = optimizer;
        try
        {
            Dispatch(Phase.Optimize);
        }
        finally
        {
            _optimizer = null;
        }
        var first = -1;
        foreach (var index in _firstNonFinite)
        {
            first = index >= 0 && (first < 0 || index < first) ? index : first;
        }
        optimizer.EndStep(first, _parameters);
    }

    /// <summary>
    /// One step's gradient computation: training forward, softmax cross-entropy, backward; the same values as
    /// <see cref="Forward"/>, <see cref="Loss(ReadOnlySpan{int})"/> and <see cref="Backward"/> called in turn.
    /// Each worker runs its part of all three in one hand-off, so the workers meet once before the gradient
    /// reduction instead of after each of the three. A non-finite loss is still reported as
    /// <see cref="Loss(ReadOnlySpan{int})"/> reports it (naming the first layer whose output is not finite),
    /// after the backward pass has run on it.
    /// </summary>
    /// <param name="input">batch × input values.</param>
    /// <param name="labels">batch class indices.</param>
    /// <param name="batch">Samples.</param>
    /// <returns>The mean loss.</returns>
    /// <exception cref="NonFiniteValueException">The loss or a gradient is NaN or infinite.</exception>
    public float ForwardBackward(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int batch)
    {
        if (labels.Length != batch)
        {
            throw new ArgumentException($"The forward pass had {batch} samples but {labels.Length} labels were given.", nameof(labels));
        }
        BeginForward(input, batch, training: true);
        StoreLabels(labels);
        Dispatch(Phase.Train);
        EndForward(batch, training: true);
        var loss = CheckedLoss();
        FinishBackward(alreadyRun: true);
        return loss;
    }

    /// <summary>Releases the worker threads.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _pool?.Dispose();
            _disposed = true;
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>The generated forward pass over <paramref name="context"/>'s sub-batch, from the input slot to the output slot.</summary>
    /// <param name="context">The worker's arenas and batch.</param>
    protected abstract void ForwardLayers(NetworkContext context);

    /// <summary>
    /// The generated backward pass: from the output gradient to every parameter gradient. It must leave
    /// the gradients of frozen layers untouched (<see cref="NetworkContext.Trains"/>), which the network
    /// keeps at zero, and may end after <see cref="NetworkContext.FirstTrainedStep"/>.
    /// </summary>
    /// <param name="context">The worker's arenas and batch.</param>
    protected abstract void BackwardLayers(NetworkContext context);

    /// <summary>Floats of kernel scratch the passes need for <paramref name="batch"/> samples.</summary>
    /// <param name="batch">Samples of one worker.</param>
    /// <returns>The scratch length.</returns>
    protected abstract int ScratchLength(int batch);

    private ParameterInfo Find(string name) =>
        _byName.TryGetValue(name, out var index)
            ? _plan.Layout[index]
            : throw new ArgumentException($"No parameter named '{name}'. The network has: {string.Join(", ", _byName.Keys)}.", nameof(name));

    private void Split(int batch)
    {
        var workers = _contexts.Length;
        var start = 0;
        for (var i = 0; i < workers; i++)
        {
            _starts[i] = start;
            _counts[i] = batch / workers + (i < batch % workers ? 1 : 0);
            start += _counts[i];
        }
    }

    private int RequireForward(int batch)
    {
        if (!_hasForward || !_contexts[0].Training)
        {
            throw new InvalidOperationException("Loss needs a training-mode forward pass first: call Forward(…, training: true).");
        }
        var expected = _contexts[0].TotalBatch;
        if (batch != expected)
        {
            throw new ArgumentException($"The forward pass had {expected} samples but {batch} labels or targets were given.");
        }
        return batch;
    }

    private float FinishLoss(Phase phase)
    {
        Dispatch(phase);
        return CheckedLoss();
    }

    /// <summary>The workers' partial losses summed, checked finite; the loss gradient is then ready for backward.</summary>
    private float CheckedLoss()
    {
        var loss = 0f;
        for (var i = 0; i < _contexts.Length; i++)
        {
            loss += _counts[i] == 0 ? 0f : _partialLosses[i];
        }
        if (!float.IsFinite(loss))
        {
            throw NonFiniteForward();
        }
        _hasLossGradient = true;
        return loss;
    }

    /// <summary>Keeps the batch's labels for the cross-entropy phase (the buffer only grows).</summary>
    private void StoreLabels(ReadOnlySpan<int> labels)
    {
        if (_labels.Length < labels.Length)
        {
            _labels = new int[labels.Length];
        }
        labels.CopyTo(_labels);
    }

    private void Dispatch(Phase phase)
    {
        _phase = phase;
        if (_pool is null || OnlyFirstWorkerHasSamples())
        {
            if (_pool is not null && phase == Phase.Forward && !_contexts[0].Training && _contexts[0].Timer is null && _contexts[0].Shared is { } shared
                && shared.RunsOnWorker())
            {
                _pool.Delegate(_onWorker ??= new WholePass(this));
                return;
            }
            RunAlone();
        }
        else
        {
            _pool.Run();
        }
    }

    /// <summary>
    /// The same work in the same order as on the pool; without waking workers that have no samples (batch-1 inference would
    /// otherwise wait for a thread to be scheduled).
    /// </summary>
    private void RunAlone()
    {
        for (var i = 0; i < _contexts.Length; i++)
        {
            RunWorker(i);
        }
    }

    private bool OnlyFirstWorkerHasSamples()
    {
        for (var i = 1; i < _counts.Length; i++)
        {
            if (_counts[i] != 0)
            {
                return false;
            }
        }
        return true;
    }

    private void RunWorker(int index)
    {
        var context = _contexts[index];
        if (_phase == Phase.Reduce)
        {
            ReduceGradients(index);
            return;
        }
        if (_phase == Phase.Optimize)
        {
            var (start, end) = Share(index);
            _firstNonFinite[index] = _optimizer!.UpdateRange(_parameters, Gradients, start, end);
            return;
        }
        if (_counts[index] == 0)
        {
            if (_phase is Phase.Backward or Phase.Train && index > 0 && _trainedSteps.Any)
            {
                Array.Clear(context.Gradients);
            }
            return;
        }
        context.Timer?.Start();
        switch (_phase)
        {
            case Phase.Forward:
                ForwardLayers(context);
                break;
            case Phase.CrossEntropy:
                CrossEntropy(index, context);
                context.Mark(IStatementTimer.LossStatement);
                break;
            case Phase.Train:
                ForwardLayers(context);
                CrossEntropy(index, context);
                context.Mark(IStatementTimer.LossStatement);
                if (_trainedSteps.Any)
                {
                    BackwardLayers(context);
                }
                break;
            case Phase.SquaredError:
            {
                var width = _plan.Output.Elements;
                _partialLosses[index] = Losses.MeanSquaredError(
                    context.Activation(_plan.TrainingOutputOffset, width),
                    _targets.AsSpan(_starts[index] * width, _counts[index] * width),
                    context.ActivationGradient(_plan.TrainingOutputOffset, width),
                    meanOver: context.TotalBatch * width);
                context.Mark(IStatementTimer.LossStatement);
                break;
            }
            case Phase.Backward:
                BackwardLayers(context);
                break;
        }
    }

    private void CrossEntropy(int index, NetworkContext context)
    {
        var width = _plan.Output.Elements;
        _partialLosses[index] = Losses.SoftmaxCrossEntropy(
            context.Batch,
            width,
            context.Activation(_plan.TrainingOutputOffset, width),
            _labels.AsSpan(_starts[index], _counts[index]),
            context.ActivationGradient(_plan.TrainingOutputOffset, width),
            meanOver: context.TotalBatch);
    }

    /// <summary>
    /// Worker <paramref name="index"/> sums its share of the gradient arena over all workers, in worker
    /// order; the last addition also checks that every sum is finite.
    /// </summary>
    private void ReduceGradients(int index)
    {
        var workers = _contexts.Length;
        var (start, end) = Share(index);
        var total = Gradients.AsSpan(start, end - start);
        for (var i = 1; i < workers - 1; i++)
        {
            TensorPrimitives.Add(total, _contexts[i].Gradients.AsSpan(start, end - start), total);
        }
        _reducedFinite[index] = TensorOps.AddInPlaceFinite(total, _contexts[workers - 1].Gradients.AsSpan(start, end - start));
    }

    /// <summary>Worker <paramref name="index"/>'s range of the gradient arena, which it reduces and then updates.</summary>
    private (int Start, int End) Share(int index)
    {
        var length = (long)Gradients.Length;
        var workers = _contexts.Length;
        return ((int)(length * index / workers), (int)(length * (index + 1) / workers));
    }

    private void AverageBuffers(int batch)
    {
        if (_contexts.Length == 1 || _buffers.Length == 0)
        {
            return;
        }
        var total = _buffers.AsSpan();
        TensorPrimitives.Multiply(total, (float)_counts[0] / batch, total);
        for (var i = 1; i < _contexts.Length; i++)
        {
            if (_counts[i] > 0)
            {
                TensorPrimitives.MultiplyAdd(_contexts[i].Buffers, (float)_counts[i] / batch, total, total);
            }
        }
    }

    private ReadOnlySpan<float> GatherOutput(int batch, bool training)
    {
        var width = _plan.Output.Elements;
        var offset = training ? _plan.TrainingOutputOffset : _plan.OutputOffset;
        if (_contexts.Length == 1 || OnlyFirstWorkerHasSamples())
        {
            // Worker 0's slot holds the whole batch (one-sample passes): no copy.
            return _contexts[0].Activation(offset, width);
        }
        if (_output.Length < batch * width)
        {
            _output = new float[batch * width];
        }
        for (var i = 0; i < _contexts.Length; i++)
        {
            if (_counts[i] > 0)
            {
                _contexts[i].Activation(offset, width).CopyTo(_output.AsSpan(_starts[i] * width));
            }
        }
        return _output.AsSpan(0, batch * width);
    }
}
