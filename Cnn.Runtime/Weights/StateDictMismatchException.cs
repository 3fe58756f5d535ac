using System;
using System.Collections.Generic;

namespace Cnn.Runtime.Weights;

/// <summary>
/// A weights file that does not fit the network: tensors missing, extra, of another shape or of
/// a type that cannot be converted. Lists every difference at once, so one load shows them all.
/// </summary>
public sealed class StateDictMismatchException : Exception
{
    /// <summary>Reports every difference between a file and the network's layout.</summary>
    /// <param name="filePath">The weights file.</param>
    /// <param name="differences">One line per difference.</param>
    public StateDictMismatchException(string filePath, IReadOnlyList<string> differences)
        : base($"{filePath} does not match the network ({differences.Count} difference{(differences.Count == 1 ? "" : "s")}):"
            + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", differences))
    {
        FilePath = filePath;
        Differences = differences;
    }

    /// <summary>The weights file.</summary>
    public string FilePath { get; }

    /// <summary>One line per difference: <c>missing: …</c>, <c>unexpected: …</c>, <c>shape: …</c>, <c>dtype: …</c>.</summary>
    public IReadOnlyList<string> Differences { get; }
}
