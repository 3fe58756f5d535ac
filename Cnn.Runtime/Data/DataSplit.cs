namespace Cnn.Runtime.Data;

/// <summary>Where a <see cref="DataSplit"/> came from.</summary>
public enum DataSource
{
    /// <summary>A folder the caller named (an example's <c>--data DIR</c>).</summary>
    Directory,

    /// <summary>A Debian dataset package's files under <c>/usr/share/datasets</c>.</summary>
    DebianPackage,

    /// <summary>The repository's <c>data/</c> folder.</summary>
    Embedded,
}

/// <summary>A training set and a test set, with where they came from in words a program can print.</summary>
/// <param name="Train">The training samples.</param>
/// <param name="Test">The held-out samples.</param>
/// <param name="Source">Which kind of source was used.</param>
/// <param name="Description">One line naming the source, its folder and the split sizes.</param>
public sealed record DataSplit(Dataset Train, Dataset Test, DataSource Source, string Description);
