using System;

namespace Cnn.Runtime.Weights;

/// <summary>A file that is not a valid safetensors file: its header is malformed or disagrees with the file's size.</summary>
public sealed class SafeTensorsFormatException : Exception
{
    /// <summary>Reports a malformed file.</summary>
    /// <param name="filePath">The file.</param>
    /// <param name="fault">What is wrong with it.</param>
    public SafeTensorsFormatException(string filePath, string fault)
        : base($"{filePath}: not a valid safetensors file: {fault}")
    {
        FilePath = filePath;
        Fault = fault;
    }

    /// <summary>The malformed file.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it.</summary>
    public string Fault { get; }
}
