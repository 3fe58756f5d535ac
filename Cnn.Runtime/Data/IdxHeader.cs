using System;
using System.Buffers.Binary;
using System.Globalization;

namespace Cnn.Runtime.Data;

/// <summary>
/// The header of an IDX file (LeCun's MNIST format): two zero bytes, an element type code, a
/// dimension count, then one big-endian 32-bit size per dimension.
/// </summary>
internal readonly record struct IdxHeader(byte ElementType, int[] Dimensions)
{
    /// <summary>Unsigned bytes, the only element type MNIST-style images and labels use.</summary>
    public const byte UnsignedByte = 0x08;

    /// <summary>Header length in bytes.</summary>
    public int Length => 4 + 4 * Dimensions.Length;

    /// <summary>Reads and validates the header of <paramref name="file"/>: magic, element type, dimension count, no zero sizes.</summary>
    /// <param name="file">The file, positioned at its start.</param>
    /// <param name="rank">The dimension count expected.</param>
    /// <param name="what">What the file should hold ("images"), for messages.</param>
    /// <param name="layout">The expected dimensions in words ("count, rows, columns").</param>
    public static IdxHeader Read(DataFile file, int rank, string what, string layout)
    {
        Span<byte> magic = stackalloc byte[4];
        file.ReadHeader(magic, "IDX");
        var expected = string.Format(CultureInfo.InvariantCulture, "0x{0:X8} (IDX {1}: unsigned bytes, {2} dimensions)", 0x0800 | rank, what, rank);
        if (magic[0] != 0 || magic[1] != 0)
        {
            throw file.Fault($"wrong magic 0x{BinaryPrimitives.ReadUInt32BigEndian(magic):X8}: expected {expected}");
        }
        if (magic[2] != UnsignedByte)
        {
            throw file.Fault($"unsupported element type 0x{magic[2]:X2} ({TypeName(magic[2])}): expected {expected}");
        }
        if (magic[3] != rank)
        {
            throw file.Fault($"wrong magic 0x{BinaryPrimitives.ReadUInt32BigEndian(magic):X8}: {magic[3]} dimensions, expected {expected}");
        }

        Span<byte> sizes = stackalloc byte[4 * rank];
        file.ReadHeader(sizes, "IDX");
        var names = layout.Split(", ");
        var dimensions = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            var size = BinaryPrimitives.ReadUInt32BigEndian(sizes.Slice(4 * i, 4));
            if (size == 0 || size > int.MaxValue)
            {
                throw file.Fault($"declared size implausible: {names[i]} is {size.ToString(CultureInfo.InvariantCulture)}");
            }
            dimensions[i] = (int)size;
        }
        return new IdxHeader(magic[2], dimensions);
    }

    private static string TypeName(byte code) => code switch
    {
        0x09 => "signed bytes",
        0x0B => "16-bit integers",
        0x0C => "32-bit integers",
        0x0D => "32-bit floats",
        0x0E => "64-bit floats",
        _ => "not an IDX type",
    };
}
