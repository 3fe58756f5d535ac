using System;
using System.IO;

namespace Cnn.Benchmarks;

/// <summary>Finds the CnnDsl checkout the benchmark runs from (the directory holding CnnDsl.sln).</summary>
internal static class RepositoryRoot
{
    /// <summary>The first directory holding CnnDsl.sln above the working directory or, failing that, above the executable.</summary>
    /// <returns>The root, or null when neither is inside a checkout.</returns>
    public static string? Find() => Above(Environment.CurrentDirectory) ?? Above(AppContext.BaseDirectory);

    private static string? Above(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CnnDsl.sln")))
            {
                return directory.FullName;
            }
        }
        return null;
    }
}
