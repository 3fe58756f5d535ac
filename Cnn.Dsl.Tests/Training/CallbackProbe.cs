using System;
using System.Collections.Generic;
using Cnn.Runtime.Training;

namespace Cnn.Dsl.Tests.Training;

/// <summary>A callback that runs test code at chosen points of a run.</summary>
internal sealed class CallbackProbe : ITrainingCallback
{
    public Action<BatchProgress>? OnBatch { get; init; }

    public Action<EpochResult>? OnEpoch { get; init; }

    public List<int> StartedEpochs { get; } = [];

    public List<int> FirstBatches { get; } = [];

    public void EpochStarted(int epoch, int epochs, int batches, int samples, int firstBatch)
    {
        StartedEpochs.Add(epoch);
        FirstBatches.Add(firstBatch);
    }

    public void BatchEnded(in BatchProgress progress) => OnBatch?.Invoke(progress);

    public void EpochEnded(EpochResult result) => OnEpoch?.Invoke(result);
}
