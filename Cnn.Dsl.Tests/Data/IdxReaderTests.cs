using System;
using System.IO;
using Cnn.Runtime.Data;

namespace Cnn.Dsl.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Reads_images_and_labels_raw_or_gzip(bool imagesGzip, bool labelsGzip)
    {
        var pixels = DataFiles.Pattern(5, 4 * 3);
        var labels = new byte[] { 3, 0, 9, 1, 3 };
        // Names without .gz on purpose: compression is told by magic bytes.
        var images = DataFiles.Write(_folder.File("images"), DataFiles.Images(5, 4, 3, pixels), imagesGzip);
        var labelsFile = DataFiles.Write(_folder.File("labels"), DataFiles.Labels(labels), labelsGzip);

        var dataset = IdxReader.ReadDataset(images, labelsFile);

        Assert.Equal(5, dataset.Count);
        Assert.Equal(new Runtime.Model.TensorShape(1, 4, 3), dataset.SampleShape);
        Assert.Equal(10, dataset.ClassCount);
        Assert.Equal([3, 0, 9, 1, 3], dataset.Labels.ToArray());
        for (var i = 0; i < pixels.Length; i++)
        {
            Assert.Equal(pixels[i] / 255f, dataset.Images[i]);
        }
    }

    [Fact]
    public void Reads_more_pixels_than_one_read_chunk()
    {
        var pixels = DataFiles.Pattern(100, 28 * 28);
        var images = DataFiles.Write(_folder.File("images.gz"), DataFiles.Images(100, 28, 28, pixels), gzip: true);
        var labels = DataFiles.Write(_folder.File("labels"), DataFiles.Labels(DataFiles.CyclicLabels(100, 10)));

        var dataset = IdxReader.ReadDataset(images, labels, classCount: 10);

        Assert.Equal(pixels[^1] / 255f, dataset.Image(99)[^1]);
        Assert.Equal(pixels[65536] / 255f, dataset.Images[65536]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Labels_file_given_as_images_is_wrong_magic(bool gzip)
    {
        var labels = DataFiles.Write(_folder.File("labels"), DataFiles.Labels([1, 2]), gzip);

        var fault = Fault(() => IdxReader.ReadDataset(labels, labels), labels);

        Assert.StartsWith("wrong magic 0x00000801: 1 dimensions, expected 0x00000803", fault);
    }

    [Fact]
    public void Nonzero_leading_bytes_are_wrong_magic()
    {
        var images = DataFiles.Write(_folder.File("images"), [0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0]);
        var labels = Labels(1);

        Assert.StartsWith("wrong magic 0x504B0304: expected 0x00000803", Fault(() => IdxReader.ReadDataset(images, labels), images));
    }

    [Fact]
    public void Element_types_other_than_bytes_are_refused()
    {
        var images = DataFiles.Write(_folder.File("images"), DataFiles.Idx(0x0D, [1, 1, 1], new byte[4]));

        Assert.StartsWith("unsupported element type 0x0D (32-bit floats)", Fault(() => IdxReader.ReadDataset(images, Labels(1)), images));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    public void Short_header_is_truncated(int length)
    {
        var images = DataFiles.Write(_folder.File("images"), DataFiles.Images(1, 2, 2, new byte[4])[..length]);

        Assert.StartsWith("truncated: the IDX header needs", Fault(() => IdxReader.ReadDataset(images, Labels(1)), images));
    }

    [Fact]
    public void Raw_file_shorter_than_declared_is_truncated()
    {
        var images = DataFiles.Write(_folder.File("images"), DataFiles.Images(3, 2, 2, new byte[11]));

        Assert.Equal("truncated: 3 images of 2×2 is 12 bytes, but only 11 follow the header",
            Fault(() => IdxReader.ReadDataset(images, Labels(3)), images));
    }

    [Fact]
    public void Gzip_file_shorter_than_declared_is_truncated()
    {
        var images = DataFiles.Write(_folder.File("images"), DataFiles.Images(3, 2, 2, new byte[11]), gzip: true);

        Assert.Equal("truncated: 3 images of 2×2 is 12 bytes, the decompressed data ends after 11",
            Fault(() => IdxReader.ReadDataset(images, Labels(3)), images));
    }

    [Fact]
    public void Cut_gzip_stream_is_reported_against_the_file()
    {
        var compressed = DataFiles.Gzip(DataFiles.Images(50, 28, 28, DataFiles.Pattern(50, 784)));
        var images = _folder.File("images");
        File.WriteAllBytes(images, compressed[..(compressed.Length / 2)]);

        var fault = Fault(() => IdxReader.ReadDataset(images, Labels(50)), images);

        Assert.StartsWith("truncated: 50 images of 28×28 is 39,200 bytes, the decompressed data ends after ", fault);
    }

    [Theory]
    [InlineData(false, "4 trailing bytes after 1 images of 2×2 (4 bytes)")]
    [InlineData(true, "trailing data after 1 images of 2×2")]
    public void Data_after_the_declared_images_is_refused(bool gzip, string expected)
    {
        var images = DataFiles.Write(_folder.File("images"), DataFiles.Images(1, 2, 2, new byte[8]), gzip);

        Assert.Equal(expected, Fault(() => IdxReader.ReadDataset(images, Labels(1)), images));
    }

    [Fact]
    public void Counts_that_disagree_name_the_labels_file_and_both_counts()
    {
        var images = DataFiles.Write(_folder.File("images"), DataFiles.Images(3, 2, 2, new byte[12]));
        var labels = Labels(2);

        Assert.Equal($"counts disagree: 2 labels for 3 images in {images}", Fault(() => IdxReader.ReadDataset(images, labels), labels));
    }

    [Fact]
    public void Huge_declared_count_fails_before_allocating()
    {
        var images = DataFiles.Write(_folder.File("images"), DataFiles.Images(int.MaxValue, 28, 28, new byte[16]));
        var labels = DataFiles.Write(_folder.File("labels"), DataFiles.Idx(0x08, [int.MaxValue], new byte[16]));
        var before = GC.GetAllocatedBytesForCurrentThread();

        var fault = Fault(() => IdxReader.ReadDataset(images, labels), images);

        Assert.StartsWith("declared size too large: 2,147,483,647 images of 28×28 is 1,683,627,179,248 bytes, more than one array can hold", fault);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "allocated more than 1 MiB before refusing");
    }

    [Fact]
    public void Gzip_declaring_more_than_deflate_can_expand_to_is_too_large()
    {
        var images = DataFiles.Write(_folder.File("images"), DataFiles.Images(1_000_000, 28, 28, new byte[16]), gzip: true);
        var labels = DataFiles.Write(_folder.File("labels"), DataFiles.Idx(0x08, [1_000_000], new byte[16]), gzip: true);

        var fault = Fault(() => IdxReader.ReadDataset(images, labels), images);

        Assert.Matches(@"^declared size too large: 1,000,000 images of 28×28 is 784,000,000 bytes, but a gzip file of \d+ bytes decompresses to at most [\d,]+$", fault);
    }

    [Fact]
    public void Gzip_header_overstating_its_data_costs_only_the_data_present()
    {
        // 100 KB of incompressible pixels allow ~100 MB by deflate's bound; the header claims 78 MB.
        var pixels = new byte[100_000];
        new Random(5).NextBytes(pixels);
        var images = DataFiles.Write(_folder.File("images"), DataFiles.Images(100_000, 28, 28, pixels), gzip: true);
        var labels = DataFiles.Write(_folder.File("labels"), DataFiles.Labels(new byte[100_000]), gzip: true);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var fault = Fault(() => IdxReader.ReadDataset(images, labels), images);

        Assert.Equal("truncated: 100,000 images of 28×28 is 78,400,000 bytes, the decompressed data ends after 100,000", fault);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 << 20, "allocated for the declared size rather than the data present");
    }

    [Fact]
    public void Corrupt_gzip_data_is_reported_against_the_file()
    {
        var compressed = DataFiles.Gzip(DataFiles.Images(50, 28, 28, DataFiles.Pattern(50, 784)));
        for (var i = 20; i < compressed.Length - 8; i += 3)
        {
            compressed[i] ^= 0x5A;
        }
        var images = _folder.File("images");
        File.WriteAllBytes(images, compressed);

        Assert.StartsWith("corrupt gzip stream: ", Fault(() => IdxReader.ReadDataset(images, Labels(50)), images));
    }

    [Fact]
    public void Zero_size_dimension_is_implausible()
    {
        var images = DataFiles.Write(_folder.File("images"), DataFiles.Images(2, 0, 28, []));

        Assert.Equal("declared size implausible: rows is 0", Fault(() => IdxReader.ReadDataset(images, Labels(2)), images));
    }

    [Fact]
    public void Label_outside_the_class_count_is_refused()
    {
        var images = DataFiles.Write(_folder.File("images"), DataFiles.Images(3, 1, 1, new byte[3]));
        var labels = DataFiles.Write(_folder.File("labels"), DataFiles.Labels([1, 12, 0]));

        Assert.Equal("label 12 at index 1 is outside 0–9", Fault(() => IdxReader.ReadDataset(images, labels, classCount: 10), labels));
    }

    [Fact]
    public void Missing_file_is_file_not_found()
    {
        Assert.Throws<FileNotFoundException>(() => IdxReader.ReadDataset(_folder.File("nope"), _folder.File("nope2")));
    }

    private string Labels(int count) =>
        DataFiles.Write(_folder.File($"labels{count}"), DataFiles.Labels(DataFiles.CyclicLabels(count, 10)));

    private static string Fault(Action read, string expectedFile)
    {
        var exception = Assert.Throws<DataFormatException>(read);
        Assert.Equal(expectedFile, exception.FilePath);
        Assert.Equal($"{expectedFile}: {exception.Fault}", exception.Message);
        return exception.Fault;
    }
}
