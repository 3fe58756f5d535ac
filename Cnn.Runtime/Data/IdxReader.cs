using System;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Data;

/// <summary>
/// Reads MNIST-style IDX files (MNIST, Fashion-MNIST), raw or gzip-compressed (told apart by
/// magic bytes, not names). Both headers are read and checked (magic, element type, dimensions,
/// equal counts, declared sizes that fit the files and one array) before any data is read; the
/// data is then read in pieces allocated as it arrives, and the full-size arrays only once all of
/// it is there (a gzip header can overstate its data within deflate's expansion bound). Every
/// fault is a <see cref="DataFormatException"/> naming the file.
/// </summary>
public static class IdxReader
{
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
        var pixelBytes = images.ReadPayload(pixelCount, imagesDeclared);
        var pixels = new float[pixelCount];
        var offset = 0;
        foreach (var piece in pixelBytes)
        {
            Dataset.ScaleBytes(piece, pixels.AsSpan(offset, piece.Length));
            offset += piece.Length;
        }
        return new Dataset(pixels, labelValues, new TensorShape(1, rows, columns), classCount);
    }

    private static int[] ReadLabels(DataFile file, int count, int classCount, string declared)
    {
        var labels = new int[count];
        var index = 0;
        foreach (var piece in file.ReadPayload(count, declared))
        {
            foreach (var label in piece)
            {
                if (classCount > 0 && label >= classCount)
                {
                    throw file.Fault($"label {label} at index {DataFile.Count(index)} is outside 0–{classCount - 1}");
                }
                labels[index++] = label;
            }
        }
        return labels;
    }
}
