using System;
using System.IO;
using System.Threading;

namespace Cnn.Runtime.Training;

/// <summary>
/// Turns the first Ctrl+C into a cancellation request, so <see cref="Trainer"/> stops after the
/// current batch and saves a checkpoint; a second Ctrl+C ends the process as usual.
/// </summary>
public sealed class ConsoleCancellation : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly TextWriter? _log;

    /// <summary>Starts listening for Ctrl+C.</summary>
    /// <param name="log">Where to say that the run will stop, or null.</param>
    public ConsoleCancellation(TextWriter? log = null)
    {
        _log = log;
        Console.CancelKeyPress += OnCancelKeyPress;
    }

    /// <summary>Cancelled by the first Ctrl+C.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Stops listening.</summary>
    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _source.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (_source.IsCancellationRequested)
        {
            return;
        }
        e.Cancel = true;
        _log?.WriteLine("Stopping after the current batch (Ctrl+C again to quit at once)...");
        _source.Cancel();
    }
}
