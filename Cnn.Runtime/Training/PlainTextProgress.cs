using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace Cnn.Runtime.Training;

/// <summary>
/// Progress as plain lines, for logs: within an epoch a line at most every interval (position,
/// images/s, ETA, running loss and accuracy), then Keras' one-line epoch summary.
/// </summary>
public sealed class PlainTextProgress : ITrainingCallback
{
    private readonly TextWriter _writer;
    private readonly long _intervalTicks;
    private long _epochStart;
    private long _lastLine;
    private int _epochs;
    private int _firstSamples = -1;

    /// <summary>Writes to <paramref name="writer"/>, at most one in-epoch line per <paramref name="interval"/>.</summary>
    public PlainTextProgress(TextWriter writer, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
        _intervalTicks = (long)(interval.TotalSeconds * Stopwatch.Frequency);
    }

    /// <inheritdoc/>
    public void EpochStarted(int epoch, int epochs, int batches, int samples, int firstBatch)
    {
        _epochs = epochs;
        _epochStart = _lastLine = Stopwatch.GetTimestamp();
        _firstSamples = -1;
        if (firstBatch > 0)
        {
            _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}/{epochs}: resuming at batch {firstBatch + 1}/{batches}"));
        }
    }

    /// <inheritdoc/>
    public void BatchEnded(in BatchProgress progress)
    {
        var now = Stopwatch.GetTimestamp();
        if (_firstSamples < 0)
        {
            // Speed is measured from the end of this run's first batch, so a resumed epoch's earlier part does not count.
            _firstSamples = progress.SamplesDone;
            _epochStart = now;
        }
        if (now - _lastLine < _intervalTicks || progress.Batch + 1 == progress.Batches)
        {
            return;
        }
        _lastLine = now;
        var seconds = (now - _epochStart) / (double)Stopwatch.Frequency;
        var done = progress.SamplesDone - _firstSamples;
        var speed = seconds > 0 ? done / seconds : 0;
        var eta = speed > 0 ? TimeSpan.FromSeconds((progress.Samples - progress.SamplesDone) / speed) : TimeSpan.Zero;
        _writer.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"epoch {progress.Epoch}/{_epochs}: {progress.Batch + 1}/{progress.Batches} batches ({100.0 * progress.SamplesDone / progress.Samples:0}%), {speed:0} img/s, ETA {eta:m\\:ss}, loss {progress.RunningLoss:0.0000}, accuracy {ConfusionMatrix.Percent(progress.RunningAccuracy)}"));
    }

    /// <inheritdoc/>
    public void EpochEnded(EpochResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {result.Epoch}/{_epochs}: ") + Summary(result));
    }

    /// <inheritdoc/>
    public void TrainingEnded(TrainingHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        _writer.WriteLine(EndLine(history));
    }

    /// <summary>An epoch's results without its number.</summary>
    internal static string Summary(EpochResult result)
    {
        var text = result.ToString();
        return text[(text.IndexOf(':', StringComparison.Ordinal) + 2)..];
    }

    /// <summary>How the run ended, in one line.</summary>
    internal static string EndLine(TrainingHistory history)
    {
        var where = history.CheckpointPath is null ? "" : $"; checkpoint {history.CheckpointPath}";
        if (history.Cancelled)
        {
            return "training cancelled" + (history.CheckpointPath is null ? " (no checkpoint directory, so the position is not saved)" : where + " (resume to continue)");
        }
        var ending = history.StoppedEarly ? "stopped early" : "training finished";
        var restored = history.RestoredEpoch is { } epoch ? string.Create(CultureInfo.InvariantCulture, $", weights of epoch {epoch} restored") : "";
        return string.Create(CultureInfo.InvariantCulture, $"{ending} after {history.Epochs.Count} epochs{restored}{where}");
    }
}
