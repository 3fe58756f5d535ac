using System;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Data;

/// <summary>
/// Reads MNIST-style IDX files (MNIST, Fashion-MNIST), raw or gzip-compressed (told apart by
/// magic bytes, not names). Both headers are read and checked (magic, element type, dimensions,
/// equal counts, declared sizes that fit the files and one array) before any data is allocated;
/// every fault is a <see cref="DataFormatException"/> naming the file.
/// </summary>
public static class IdxReader
{
    private const int ChunkBytes = 1 << 16;

    /// <summary>Reads an images file (IDX3: count, rows, columns) and its labels file (IDX1: count) into a one-channel dataset.</summary>
    /// <param name="imagesPath">The images file, e.g. <c>train-images-idx3-ubyte.gz</c>.</param>
    /// <param name="labelsPath">The labels file, e.g. <c>train-labels-idx1-ubyte.gz</c>.</param>
    /// <param name="classCount">The number of classes, checked against every label; 0 infers it.</param>
    public static Dataset ReadDataset(string imagesPath, string labelsPath, int classCount = 0)
    {
        using var images = DataFile.Open(imagesPath);
        using var labels = DataFile.Open(labelsPath);

        var imageHeader = IdxHeader.Read(images, 3, "images", "image count, rows, columns");
        var labelHeader = IdxHeader.Read(labels, 1, "labels", "label count");
        int count = imageHeader.Dimensions[0], rows = imageHeader.Dimensions[1], columns = imageHeader.Dimensions[2];
        if (labelHeader.Dimensions[0] != count)
        {
            throw labels.Fault($"counts disagree: {DataFile.Count(labelHeader.Dimensions[0])} labels for {DataFile.Count(count)} images in {imagesPath}");
        }

        var imagesDeclared = $"{DataFile.Count(count)} images of {rows}×{columns}";
        var labelsDeclared = $"{DataFile.Count(count)} labels";
        long pixelCount = (long)count * rows * columns;
        images.CheckDeclaredSize(imageHeader.Length, pixelCount, imagesDeclared);
        labels.CheckDeclaredSize(labelHeader.Length, count, labelsDeclared);

        var labelValues = ReadLabels(labels, count, classCount, labelsDeclared);
        var pixels = new float[pixelCount];
        ReadPixels(images, pixels, imagesDeclared);
        return new Dataset(pixels, labelValues, new TensorShape(1, rows, columns), classCount);
    }

    private static int[] ReadLabels(DataFile file, int count, int classCount, string declared)
    {
        var bytes = new byte[count];
        file.ReadExactly(bytes, 0, count, declared);
        file.ExpectEnd(declared);
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            if (classCount > 0 && bytes[i] >= classCount)
            {
                throw file.Fault($"label {bytes[i]} at index {DataFile.Count(i)} is outside 0–{classCount - 1}");
            }
            labels[i] = bytes[i];
        }
        return labels;
    }

    // Chunked, so the bytes never exist as a second full-size array next to the floats.
    private static void ReadPixels(DataFile file, float[] pixels, string declared)
    {
        var chunk = new byte[Math.Min(ChunkBytes, pixels.Length)];
        for (long offset = 0; offset < pixels.Length; offset += chunk.Length)
        {
            var length = (int)Math.Min(chunk.Length, pixels.Length - offset);
            file.ReadExactly(chunk.AsSpan(0, length), offset, pixels.Length, declared);
            Dataset.ScaleBytes(chunk.AsSpan(0, length), pixels.AsSpan((int)offset, length));
        }
        file.ExpectEnd(declared);
    }
}
