using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace Cnn.Dsl.Tests.Data;

/// <summary>Writes small IDX and CIFAR-10 files, well-formed or deliberately broken, for the reader tests.</summary>
internal static class DataFiles
{
    /// <summary>An IDX file: 0, 0, type, rank, big-endian sizes, then <paramref name="payload"/>.</summary>
    public static byte[] Idx(byte type, int[] dimensions, ReadOnlySpan<byte> payload)
    {
        var bytes = new byte[4 + 4 * dimensions.Length + payload.Length];
        bytes[2] = type;
        bytes[3] = (byte)dimensions.Length;
        for (var i = 0; i < dimensions.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 + 4 * i), (uint)dimensions[i]);
        }
        payload.CopyTo(bytes.AsSpan(4 + 4 * dimensions.Length));
        return bytes;
    }

    /// <summary>An IDX3 images file of <paramref name="pixels"/>.</summary>
    public static byte[] Images(int count, int rows, int columns, ReadOnlySpan<byte> pixels) => Idx(0x08, [count, rows, columns], pixels);

    /// <summary>An IDX1 labels file.</summary>
    public static byte[] Labels(ReadOnlySpan<byte> labels) => Idx(0x08, [labels.Length], labels);

    /// <summary><paramref name="count"/>·<paramref name="size"/> pixel bytes following a fixed pattern, so every value 0–255 appears.</summary>
    public static byte[] Pattern(int count, int size, int salt = 0)
    {
        var pixels = new byte[count * size];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)(i * 7 + salt);
        }
        return pixels;
    }

    /// <summary>Labels 0, 1, …, classes − 1, 0, 1, ….</summary>
    public static byte[] CyclicLabels(int count, int classes)
    {
        var labels = new byte[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = (byte)(i % classes);
        }
        return labels;
    }

    /// <summary>A CIFAR-10 batch: per record one label byte then 3,072 pattern pixels.</summary>
    public static byte[] CifarBatch(ReadOnlySpan<byte> labels, int salt = 0)
    {
        var bytes = new byte[labels.Length * 3073];
        for (var r = 0; r < labels.Length; r++)
        {
            bytes[r * 3073] = labels[r];
            for (var p = 0; p < 3072; p++)
            {
                bytes[r * 3073 + 1 + p] = (byte)(r * 31 + p * 7 + salt);
            }
        }
        return bytes;
    }

    public static byte[] Gzip(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(raw);
        }
        return output.ToArray();
    }

    /// <summary>Writes <paramref name="raw"/> to <paramref name="path"/>, gzip-compressed when asked.</summary>
    public static string Write(string path, byte[] raw, bool gzip = false)
    {
        File.WriteAllBytes(path, gzip ? Gzip(raw) : raw);
        return path;
    }
}
