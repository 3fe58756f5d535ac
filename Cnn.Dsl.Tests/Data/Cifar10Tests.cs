using System;
using System.IO;
using Cnn.Runtime.Data;
using Cnn.Runtime.Model;

namespace Cnn.Dsl.Tests.Data;

public sealed class Cifar10Tests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Reads_records_of_several_batches_in_order_as_chw()
    {
        var first = DataFiles.CifarBatch([6, 9, 0], salt: 1);
        var second = DataFiles.CifarBatch([2], salt: 2);
        var a = DataFiles.Write(_folder.File("a.bin"), first);
        var b = DataFiles.Write(_folder.File("b.bin"), second);

        var dataset = Cifar10.ReadBatches(a, b);

        Assert.Equal(4, dataset.Count);
        Assert.Equal(new TensorShape(3, 32, 32), dataset.SampleShape);
        Assert.Equal(10, dataset.ClassCount);
        Assert.Equal([6, 9, 0, 2], dataset.Labels.ToArray());
        // Record 1, green channel (plane 1), row 5, column 7.
        Assert.Equal(first[3073 + 1 + 1024 + 5 * 32 + 7] / 255f, dataset.Image(1)[1024 + 5 * 32 + 7]);
        Assert.Equal(second[1 + 3071] / 255f, dataset.Image(3)[3071]);
    }

    [Fact]
    public void Load_reads_the_five_training_batches_and_the_test_batch_from_the_unpacked_folder()
    {
        var folder = Directory.CreateDirectory(_folder.File("cifar-10-batches-bin")).FullName;
        foreach (var name in Cifar10.TrainFiles)
        {
            DataFiles.Write(Path.Combine(folder, name), DataFiles.CifarBatch([1, 2]));
        }
        DataFiles.Write(Path.Combine(folder, Cifar10.TestFile), DataFiles.CifarBatch([3]));

        var split = Cifar10.Load(_folder.Path);

        Assert.Equal(10, split.Train.Count);
        Assert.Equal(1, split.Test.Count);
        Assert.Equal(DataSource.Directory, split.Source);
        Assert.Equal($"CIFAR-10 from {folder}: 10 training / 1 test images", split.Description);
    }

    [Fact]
    public void Length_not_a_multiple_of_the_record_size_is_truncated()
    {
        var path = DataFiles.Write(_folder.File("cut.bin"), DataFiles.CifarBatch([1, 2])[..5000]);

        Assert.Equal("truncated: length 5,000 is not a multiple of 3,073 (1 label byte + 3,072 pixel bytes per record); record 1 has 1,927 bytes",
            Fault(() => Cifar10.ReadBatches(path), path));
    }

    [Fact]
    public void Empty_file_is_refused()
    {
        var path = DataFiles.Write(_folder.File("empty.bin"), []);

        Assert.StartsWith("empty", Fault(() => Cifar10.ReadBatches(path), path));
    }

    [Fact]
    public void Label_above_nine_is_refused_with_its_record()
    {
        var path = DataFiles.Write(_folder.File("c100.bin"), DataFiles.CifarBatch([4, 5, 77]));

        Assert.StartsWith("record 2 has label 77, outside 0–9", Fault(() => Cifar10.ReadBatches(path), path));
    }

    [Fact]
    public void Gzip_batch_is_refused_with_the_way_out()
    {
        var path = DataFiles.Write(_folder.File("data_batch_1.bin"), DataFiles.CifarBatch([1]), gzip: true);

        Assert.StartsWith("gzip-compressed", Fault(() => Cifar10.ReadBatches(path), path));
    }

    [Fact]
    public void A_bad_later_file_fails_before_the_good_earlier_ones_are_allocated()
    {
        var good = DataFiles.Write(_folder.File("good.bin"), DataFiles.CifarBatch(DataFiles.CyclicLabels(100, 10)));
        var bad = DataFiles.Write(_folder.File("bad.bin"), new byte[3074]);
        var before = GC.GetAllocatedBytesForCurrentThread();

        Fault(() => Cifar10.ReadBatches(good, bad), bad);

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 100 * 3072 * sizeof(float) / 2, "allocated the images before checking every file");
    }

    [Fact]
    public void Missing_test_batch_is_file_not_found()
    {
        foreach (var name in Cifar10.TrainFiles)
        {
            DataFiles.Write(_folder.File(name), DataFiles.CifarBatch([1]));
        }

        var exception = Assert.Throws<FileNotFoundException>(() => Cifar10.Load(_folder.Path));

        Assert.Contains(Cifar10.TestFile, exception.Message);
    }

    private static string Fault(Action read, string expectedFile)
    {
        var exception = Assert.Throws<DataFormatException>(read);
        Assert.Equal(expectedFile, exception.FilePath);
        return exception.Fault;
    }
}
