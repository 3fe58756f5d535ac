using System;
using System.IO;
using Spectre.Console;

namespace Cnn.Runtime.Training;

/// <summary>Chooses how to show a run's progress on the console.</summary>
public static class ConsoleProgress
{
    /// <summary>
    /// A live progress bar (<see cref="SpectreProgress"/>) when standard output is an interactive
    /// terminal; otherwise (redirected to a file or pipe, or in CI) plain lines every
    /// <paramref name="plainInterval"/> (default 10 s) and one per epoch (<see cref="PlainTextProgress"/>),
    /// so logs stay readable.
    /// </summary>
    /// <param name="plainInterval">How often the plain form reports within an epoch.</param>
    public static ITrainingCallback Create(TimeSpan? plainInterval = null)
    {
        var interactive = !Console.IsOutputRedirected
            && Environment.GetEnvironmentVariable("CI") is null
            && AnsiConsole.Profile.Capabilities.Interactive
            && AnsiConsole.Profile.Capabilities.Ansi;
        return interactive
            ? new SpectreProgress()
            : new PlainTextProgress(Console.Out, plainInterval ?? TimeSpan.FromSeconds(10));
    }

    /// <summary>The plain form writing to <paramref name="writer"/>.</summary>
    public static ITrainingCallback Plain(TextWriter writer, TimeSpan interval) => new PlainTextProgress(writer, interval);
}
