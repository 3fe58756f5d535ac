using System;
using System.Globalization;
using System.Threading;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Cnn.Runtime.Training;

/// <summary>
/// A live progress bar per epoch (Spectre.Console): samples done, images/s, time left, running loss
/// and accuracy, then Keras' one-line epoch summary. The bar is drawn on its own thread, which
/// polls what the training thread publishes; the training thread only stores numbers.
/// </summary>
public sealed class SpectreProgress : ITrainingCallback
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(100);
    private Thread? _display;
    private volatile bool _ended;
    private volatile bool _validating;
    private int _epoch;
    private int _epochs;
    private int _samples;
    private int _done;
    private double _loss = double.NaN;
    private double _accuracy = double.NaN;

    /// <inheritdoc/>
    public void EpochStarted(int epoch, int epochs, int batches, int samples, int firstBatch)
    {
        StopDisplay();
        _epoch = epoch;
        _epochs = epochs;
        _samples = samples;
        Volatile.Write(ref _done, 0);
        _loss = double.NaN;
        _accuracy = double.NaN;
        _validating = false;
        _ended = false;
        _display = new Thread(Display) { IsBackground = true, Name = "Training progress" };
        _display.Start();
    }

    /// <inheritdoc/>
    public void BatchEnded(in BatchProgress progress)
    {
        Volatile.Write(ref _loss, progress.RunningLoss);
        Volatile.Write(ref _accuracy, progress.RunningAccuracy);
        Volatile.Write(ref _done, progress.SamplesDone);
    }

    /// <inheritdoc/>
    public void ValidationStarted(int epoch, int samples) => _validating = true;

    /// <inheritdoc/>
    public void EpochEnded(EpochResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        StopDisplay();
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[bold]epoch {result.Epoch}/{_epochs}[/] ") + Markup.Escape(PlainTextProgress.Summary(result)));
    }

    /// <inheritdoc/>
    public void TrainingEnded(TrainingHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        StopDisplay();
        AnsiConsole.MarkupLine(Markup.Escape(PlainTextProgress.EndLine(history)));
    }

    private void StopDisplay()
    {
        if (_display is not null)
        {
            _ended = true;
            _display.Join();
            _display = null;
        }
    }

    private void Display()
    {
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ImagesPerSecondColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Describe(), maxValue: _samples);
                while (!_ended)
                {
                    task.Value = Volatile.Read(ref _done);
                    task.Description = Describe();
                    Thread.Sleep(Refresh);
                }
                task.Value = task.MaxValue;
            });
    }

    private string Describe()
    {
        var state = _validating ? "validating" : string.Create(
            CultureInfo.InvariantCulture,
            $"loss {Volatile.Read(ref _loss):0.0000} acc {ConfusionMatrix.Percent(Volatile.Read(ref _accuracy))}");
        return Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"epoch {_epoch}/{_epochs} {state}"));
    }

    /// <summary>The task's speed (its value counts images) as <c>1234 img/s</c>.</summary>
    private sealed class ImagesPerSecondColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is { } speed ? string.Create(CultureInfo.InvariantCulture, $"{speed,6:0} img/s") : "     - img/s");
    }
}
