using System.Collections.Generic;

namespace Cnn.Runtime.Training;

/// <summary>
/// The trainer's side of a checkpoint (<c>trainer.json</c>): where the run stands and what it has
/// seen. Weights are in <c>model.safetensors</c>, the optimizer's arrays in <c>optimizer.safetensors</c>.
/// </summary>
internal sealed class CheckpointState
{
    public const int CurrentFormat = 1;

    public int Format { get; set; } = CurrentFormat;

    /// <summary>Epochs finished.</summary>
    public int EpochsCompleted { get; set; }

    /// <summary>Batches of the next epoch already trained (non-zero after a cancellation).</summary>
    public int BatchesDone { get; set; }

    /// <summary>The network's training forward passes (dropout masks are a function of it).</summary>
    public long TrainingSteps { get; set; }

    public int Workers { get; set; }

    public int BatchSize { get; set; }

    public int TrainSamples { get; set; }

    public ulong LoaderSeed { get; set; }

    public string Optimizer { get; set; } = "";

    public List<NamedValue> Schedule { get; set; } = [];

    public EarlyStoppingState? EarlyStopping { get; set; }

    /// <summary>The training metrics of the interrupted epoch so far.</summary>
    public MetricsRecord? PartialEpoch { get; set; }

    public List<EpochRecord> History { get; set; } = [];
}

internal sealed record NamedValue(string Name, double Value);

internal sealed record EarlyStoppingState(double Best, int BestEpoch, int Wait, bool HasBestWeights);

internal sealed record MetricsRecord(double Loss, long Samples, long[] Confusion);

internal sealed record EpochRecord(int Epoch, double LearningRate, MetricsRecord Train, MetricsRecord? Validation, double Seconds, double ImagesPerSecond);
