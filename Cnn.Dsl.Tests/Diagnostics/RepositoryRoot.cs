using System;
using System.IO;

namespace Cnn.Dsl.Tests.Diagnostics;

/// <summary>The checkout the tests run from: the folder holding CnnDsl.sln, found upward from the test assembly.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "CnnDsl.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("CnnDsl.sln not found above " + AppContext.BaseDirectory);
    }
}
