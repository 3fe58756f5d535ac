using System;
using System.IO;
using System.Linq;
using Cnn.Runtime.Data;
using Cnn.Runtime.Model;

namespace Cnn.Dsl.Tests.Data;

public sealed class FashionMnistTests : IDisposable
{
    private const string NoDebianPackage = "/nonexistent/fashion-mnist";
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static string RepositoryData =>
        DataFolder.Find(FashionMnist.EmbeddedFolder) ?? throw new InvalidOperationException("the repository's data/fashion-mnist folder was not found");

    [Fact]
    public void Embedded_test_set_holds_10000_balanced_images()
    {
        var folder = Path.Combine(RepositoryData, FashionMnist.EmbeddedFolder);

        var test = IdxReader.ReadDataset(
            Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"), classCount: 10);

        Assert.Equal(10_000, test.Count);
        Assert.Equal(new TensorShape(1, 28, 28), test.SampleShape);
        Assert.All(test.ClassCounts(), n => Assert.Equal(1_000, n));
        Assert.Equal([9, 2, 1, 1, 6], test.Labels[..5].ToArray());
        var mean = System.Numerics.Tensors.TensorPrimitives.Sum(test.Images) / test.Images.Length;
        Assert.InRange(mean, 0.27, 0.30);
    }

    [Fact]
    public void Without_a_folder_or_the_package_the_embedded_set_is_split_8000_2000_per_class()
    {
        var split = FashionMnist.Load(null, NoDebianPackage, RepositoryData);

        Assert.Equal(DataSource.Embedded, split.Source);
        Assert.Equal(8_000, split.Train.Count);
        Assert.Equal(2_000, split.Test.Count);
        Assert.All(split.Train.ClassCounts(), n => Assert.Equal(800, n));
        Assert.All(split.Test.ClassCounts(), n => Assert.Equal(200, n));
        Assert.StartsWith("Fashion-MNIST from embedded test set (", split.Description);
        Assert.EndsWith("its 10,000 test images split per class into 8,000 training / 2,000 test (not comparable with published figures)", split.Description);
    }

    [Fact]
    public void An_installed_package_comes_before_the_embedded_set_and_a_given_folder_before_both()
    {
        var package = FakeFashionMnist("package", train: 20, test: 10);
        var given = FakeFashionMnist("given", train: 30, test: 10);

        var fromPackage = FashionMnist.Load(null, package, RepositoryData);
        var fromGiven = FashionMnist.Load(given, package, RepositoryData);

        Assert.Equal(DataSource.DebianPackage, fromPackage.Source);
        Assert.Equal((20, 10), (fromPackage.Train.Count, fromPackage.Test.Count));
        Assert.Equal($"Fashion-MNIST from Debian package dataset-fashion-mnist ({package}): 20 training / 10 test images", fromPackage.Description);
        Assert.Equal(DataSource.Directory, fromGiven.Source);
        Assert.Equal(30, fromGiven.Train.Count);
    }

    [Fact]
    public void Missing_sources_are_explained()
    {
        Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.Load(_folder.File("absent"), NoDebianPackage, null));
        var none = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(null, NoDebianPackage, null));
        Assert.Contains("dataset-fashion-mnist", none.Message);
        Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(_folder.Path, NoDebianPackage, null));
    }

    [Fact]
    public void Data_folder_is_found_upward_from_the_test_binaries()
    {
        var found = DataFolder.Find();

        Assert.NotNull(found);
        Assert.True(File.Exists(Path.Combine(found, FashionMnist.EmbeddedFolder, "LICENSE")));
        Assert.Null(DataFolder.Find("no-such-dataset"));
        Assert.Equal(found, DataFolder.Find(FashionMnist.EmbeddedFolder, Path.Combine(found, FashionMnist.EmbeddedFolder)));
    }

    private string FakeFashionMnist(string name, int train, int test)
    {
        var folder = Directory.CreateDirectory(_folder.File(name)).FullName;
        foreach (var (prefix, count) in new[] { ("train", train), ("t10k", test) })
        {
            DataFiles.Write(Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz"), DataFiles.Images(count, 28, 28, DataFiles.Pattern(count, 784)), gzip: true);
            DataFiles.Write(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte"), DataFiles.Labels(DataFiles.CyclicLabels(count, 10)));
        }
        return folder;
    }
}
