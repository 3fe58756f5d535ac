using System;

namespace Cnn.Runtime.Data;

/// <summary>
/// A data file that cannot be read as what it claims to be: wrong magic number, truncated,
/// image and label counts that disagree, a declared size too large for the file. The message
/// names the file and the fault, and no partial data is returned.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="filePath"/> with a description of the fault.</summary>
    /// <param name="filePath">The offending file.</param>
    /// <param name="fault">What is wrong with it, in words a user can act on.</param>
    /// <param name="inner">The underlying error, when one exists (a corrupt gzip stream).</param>
    public DataFormatException(string filePath, string fault, Exception? inner = null)
        : base($"{filePath}: {fault}", inner)
    {
        FilePath = filePath;
        Fault = fault;
    }

    /// <summary>The offending file.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the file name.</summary>
    public string Fault { get; }
}
