using System;
using System.Collections.Generic;
using System.IO;

namespace Cnn.Runtime.Data;

/// <summary>
/// Zalando's Fashion-MNIST: 28×28 grey images of 10 clothing classes, 60,000 for training and
/// 10,000 for testing, in IDX files (raw or gzip).
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the files.</summary>
    public const string DebianDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The repository's copy of the test set, relative to <c>data/</c>.</summary>
    public const string EmbeddedFolder = "fashion-mnist";

    /// <summary>
    /// Fraction of each class that a test-only folder (such as the embedded one) gives to the test
    /// part: of the 1,000 images per class, the last 200 test and the first 800 train (8,000/2,000).
    /// </summary>
    public const double TestOnlyHoldOut = 0.2;

    /// <summary>The class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Mean and standard deviation of the 60,000 training images' pixels (in [0, 1]).</summary>
    public static ChannelNormalization Normalization { get; } = new([0.2860f], [0.3530f]);

    /// <summary>
    /// Loads Fashion-MNIST from, in order: <paramref name="dataDirectory"/> when given (an
    /// example's <c>--data DIR</c>); else the Debian package's 60,000/10,000 split when installed;
    /// else the repository's embedded 10,000 test images split 8,000/2,000 per class (see
    /// <see cref="TestOnlyHoldOut"/>). The result's <see cref="DataSplit.Description"/> says which.
    /// </summary>
    public static DataSplit Load(string? dataDirectory = null) =>
        Load(dataDirectory, DebianDirectory, DataFolder.Find(EmbeddedFolder));

    /// <summary>
    /// <see cref="Load(string?)"/> with the Debian folder and the <c>data/</c> folder named
    /// explicitly (for unusual installs, and to test the order of preference).
    /// </summary>
    public static DataSplit Load(string? dataDirectory, string debianDirectory, string? dataFolder)
    {
        if (dataDirectory is not null)
        {
            if (!Directory.Exists(dataDirectory))
            {
                throw new DirectoryNotFoundException($"{dataDirectory}: no such folder (given as the Fashion-MNIST data folder)");
            }
            return LoadDirectory(dataDirectory, DataSource.Directory);
        }
        if (HasSplit(debianDirectory, "train") && HasSplit(debianDirectory, "t10k"))
        {
            return LoadDirectory(debianDirectory, DataSource.DebianPackage);
        }
        if (dataFolder is not null && Directory.Exists(Path.Combine(dataFolder, EmbeddedFolder)))
        {
            return LoadDirectory(Path.Combine(dataFolder, EmbeddedFolder), DataSource.Embedded);
        }
        throw new FileNotFoundException(
            $"Fashion-MNIST not found: pass a folder holding its IDX files, install Debian's dataset-fashion-mnist ({debianDirectory}), or run from within the repository (data/{EmbeddedFolder})");
    }

    /// <summary>
    /// Loads a folder holding <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>,
    /// <c>t10k-images-idx3-ubyte</c>, <c>t10k-labels-idx1-ubyte</c> (each raw or <c>.gz</c>), or
    /// only the two <c>t10k</c> files, which are then split per class (<see cref="TestOnlyHoldOut"/>).
    /// </summary>
    public static DataSplit LoadDirectory(string directory, DataSource source)
    {
        if (!HasSplit(directory, "t10k"))
        {
            throw new FileNotFoundException($"{directory}: no t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz] files");
        }
        var test = ReadSplit(directory, "t10k");
        var what = source switch
        {
            DataSource.DebianPackage => $"Debian package dataset-fashion-mnist ({directory})",
            DataSource.Embedded => $"embedded test set ({directory})",
            _ => directory,
        };
        if (HasSplit(directory, "train"))
        {
            var train = ReadSplit(directory, "train");
            return new DataSplit(train, test, source,
                $"Fashion-MNIST from {what}: {DataFile.Count(train.Count)} training / {DataFile.Count(test.Count)} test images");
        }
        var (first, second) = test.SplitPerClass(TestOnlyHoldOut);
        return new DataSplit(first, second, source,
            $"Fashion-MNIST from {what}: its {DataFile.Count(test.Count)} test images split per class into {DataFile.Count(first.Count)} training / {DataFile.Count(second.Count)} test (not comparable with published figures)");
    }

    private static bool HasSplit(string directory, string prefix) =>
        FindFile(directory, $"{prefix}-images-idx3-ubyte") is not null && FindFile(directory, $"{prefix}-labels-idx1-ubyte") is not null;

    private static Dataset ReadSplit(string directory, string prefix) =>
        IdxReader.ReadDataset(
            FindFile(directory, $"{prefix}-images-idx3-ubyte")!,
            FindFile(directory, $"{prefix}-labels-idx1-ubyte")!,
            ClassNames.Count);

    private static string? FindFile(string directory, string name)
    {
        foreach (var candidate in (ReadOnlySpan<string>)[Path.Combine(directory, name + ".gz"), Path.Combine(directory, name)])
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
