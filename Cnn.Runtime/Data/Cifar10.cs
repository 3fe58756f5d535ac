using System;
using System.Collections.Generic;
using System.IO;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Data;

/// <summary>
/// CIFAR-10's binary batches (<c>data_batch_1.bin</c> … <c>data_batch_5.bin</c>,
/// <c>test_batch.bin</c>): records of 1 label byte and 3,072 pixel bytes (1,024 red, 1,024 green,
/// 1,024 blue, each 32×32 row-major: C×H×W already). Every file's length is checked to be a whole
/// number of records, and the total to fit one array, before anything is allocated.
/// </summary>
public static class Cifar10
{
    /// <summary>Bytes per record: one label, then 3×32×32 pixels.</summary>
    public const int RecordBytes = 1 + PixelBytes;

    private const int PixelBytes = 3 * 32 * 32;
    private const int RecordsPerChunk = 64;

    /// <summary>The class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>The training batches' file names.</summary>
    public static IReadOnlyList<string> TrainFiles { get; } =
        ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    /// <summary>The test batch's file name.</summary>
    public const string TestFile = "test_batch.bin";

    /// <summary>Per-channel mean and standard deviation of the CIFAR-10 training set, as commonly used.</summary>
    public static ChannelNormalization Normalization { get; } = new([0.4914f, 0.4822f, 0.4465f], [0.2470f, 0.2435f, 0.2616f]);

    /// <summary>
    /// Loads the 50,000/10,000 split from <paramref name="directory"/> (or its
    /// <c>cifar-10-batches-bin</c> subfolder, as the archive unpacks).
    /// </summary>
    public static DataSplit Load(string directory)
    {
        var folder = Directory.Exists(Path.Combine(directory, "cifar-10-batches-bin"))
            ? Path.Combine(directory, "cifar-10-batches-bin")
            : directory;
        var train = new string[TrainFiles.Count];
        for (var i = 0; i < train.Length; i++)
        {
            train[i] = Path.Combine(folder, TrainFiles[i]);
        }
        var trainSet = ReadBatches(train);
        var testSet = ReadBatches(Path.Combine(folder, TestFile));
        return new DataSplit(trainSet, testSet, DataSource.Directory,
            $"CIFAR-10 from {folder}: {DataFile.Count(trainSet.Count)} training / {DataFile.Count(testSet.Count)} test images");
    }

    /// <summary>Reads one or more binary batches, in order, into one 3×32×32 dataset of 10 classes.</summary>
    public static Dataset ReadBatches(params string[] paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var records = new int[paths.Length];
        long total = 0;
        for (var i = 0; i < paths.Length; i++)
        {
            records[i] = CountRecords(paths[i]);
            total += records[i];
            if (total * PixelBytes > Array.MaxLength)
            {
                throw new DataFormatException(paths[i], $"declared size too large: with the files before it, {DataFile.Count(total)} images exceed one array ({DataFile.Count(Array.MaxLength)} values)");
            }
        }

        var pixels = new float[total * PixelBytes];
        var labels = new int[total];
        var first = 0;
        for (var i = 0; i < paths.Length; i++)
        {
            ReadRecords(paths[i], records[i], pixels, labels, first);
            first += records[i];
        }
        return new Dataset(pixels, labels, new TensorShape(3, 32, 32), ClassNames.Count);
    }

    private static int CountRecords(string path)
    {
        using var file = DataFile.Open(path);
        if (file.IsGzip)
        {
            throw file.Fault("gzip-compressed: CIFAR-10 binary batches are read uncompressed (extract cifar-10-binary.tar.gz first)");
        }
        if (file.Length == 0)
        {
            throw file.Fault("empty: a CIFAR-10 batch holds records of 3,073 bytes");
        }
        if (file.Length % RecordBytes != 0)
        {
            throw file.Fault($"truncated: length {DataFile.Count(file.Length)} is not a multiple of 3,073 (1 label byte + 3,072 pixel bytes per record); record {DataFile.Count(file.Length / RecordBytes)} has {DataFile.Count(file.Length % RecordBytes)} bytes");
        }
        if (file.Length / RecordBytes > int.MaxValue)
        {
            throw file.Fault($"declared size too large: {DataFile.Count(file.Length / RecordBytes)} records");
        }
        return (int)(file.Length / RecordBytes);
    }

    private static void ReadRecords(string path, int count, float[] pixels, int[] labels, int first)
    {
        using var file = DataFile.Open(path);
        var declared = $"{DataFile.Count(count)} records";
        var payload = (long)count * RecordBytes;
        file.CheckDeclaredSize(0, payload, declared);
        var chunk = new byte[RecordsPerChunk * RecordBytes];
        for (var start = 0; start < count; start += RecordsPerChunk)
        {
            var n = Math.Min(RecordsPerChunk, count - start);
            file.ReadExactly(chunk.AsSpan(0, n * RecordBytes), (long)start * RecordBytes, payload, declared);
            for (var r = 0; r < n; r++)
            {
                var record = chunk.AsSpan(r * RecordBytes, RecordBytes);
                var index = first + start + r;
                if (record[0] >= ClassNames.Count)
                {
                    throw file.Fault($"record {DataFile.Count(start + r)} has label {record[0]}, outside 0–9 (a CIFAR-100 batch has 2 label bytes per record)");
                }
                labels[index] = record[0];
                Dataset.ScaleBytes(record[1..], pixels.AsSpan(index * PixelBytes, PixelBytes));
            }
        }
        file.ExpectEnd(declared);
    }
}
