using System;
using System.IO;

namespace Cnn.Runtime.Data;

/// <summary>Finds the repository's <c>data/</c> folder, which ships small datasets, from wherever a program runs.</summary>
public static class DataFolder
{
    /// <summary>The folder's name.</summary>
    public const string Name = "data";

    /// <summary>
    /// Walks from <paramref name="startDirectory"/> (default: the application's base directory,
    /// e.g. <c>bin/Release/net10.0</c>) up to the file system root and returns the first
    /// <c>data/</c> folder found, or null. With <paramref name="relativePath"/>, only a
    /// <c>data/</c> folder holding that file or folder counts.
    /// </summary>
    public static string? Find(string? relativePath = null, string? startDirectory = null)
    {
        for (var directory = new DirectoryInfo(startDirectory ?? AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, Name);
            if (!Directory.Exists(candidate))
            {
                continue;
            }
            if (relativePath is null || Path.Exists(Path.Combine(candidate, relativePath)))
            {
                return candidate;
            }
        }
        return null;
    }
}
