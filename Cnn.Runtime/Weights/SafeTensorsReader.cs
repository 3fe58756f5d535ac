using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Cnn.Runtime.Weights;

/// <summary>
/// Reads a safetensors file: an 8-byte little-endian header length N, N bytes of JSON describing
/// each tensor, then the tensors' little-endian bytes. The header is validated in full when the
/// file is opened (see <see cref="MaxHeaderBytes"/>); tensors are read on demand, converting F64,
/// F16 and BF16 to float and every integer type to long.
/// </summary>
public sealed class SafeTensorsReader : IDisposable
{
    /// <summary>The largest header accepted (100 MB), so a corrupt length never triggers a huge allocation.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const int ChunkBytes = 1 << 16;

    private readonly SafeFileHandle _file;
    private readonly long _dataStart;
    private readonly Dictionary<string, SafeTensorInfo> _byName;

    private SafeTensorsReader(string filePath, SafeFileHandle file, long dataStart, SafeTensorsHeader header)
    {
        FilePath = filePath;
        _file = file;
        _dataStart = dataStart;
        Tensors = header.Tensors;
        Metadata = header.Metadata;
        _byName = new Dictionary<string, SafeTensorInfo>(StringComparer.Ordinal);
        foreach (var tensor in header.Tensors)
        {
            _byName.Add(tensor.Name, tensor);
        }
    }

    /// <summary>The file being read.</summary>
    public string FilePath { get; }

    /// <summary>Every tensor, in header order.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    /// <summary>The header's <c>__metadata__</c> strings (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens a file and validates its header.</summary>
    /// <exception cref="SafeTensorsFormatException">The file is not a valid safetensors file.</exception>
    public static SafeTensorsReader Open(string filePath)
    {
        var file = File.OpenHandle(filePath, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            var fileLength = RandomAccess.GetLength(file);
            if (fileLength < 8)
            {
                throw new SafeTensorsFormatException(filePath, $"the file has {fileLength} bytes, fewer than the 8-byte header length");
            }
            Span<byte> prefix = stackalloc byte[8];
            ReadExactly(file, prefix, 0, filePath);
            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength > MaxHeaderBytes)
            {
                throw new SafeTensorsFormatException(filePath, $"the header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit");
            }
            if ((long)headerLength > fileLength - 8)
            {
                throw new SafeTensorsFormatException(filePath,
                    $"the header length {headerLength} exceeds the {fileLength - 8} bytes that follow it");
            }
            var json = new byte[headerLength];
            ReadExactly(file, json, 8, filePath);
            var dataStart = 8 + (long)headerLength;
            var header = SafeTensorsHeader.Parse(json, fileLength - dataStart, filePath);
            return new SafeTensorsReader(filePath, file, dataStart, header);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Whether the file holds a tensor of this name.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The header entry of a tensor.</summary>
    /// <exception cref="KeyNotFoundException">The file has no such tensor.</exception>
    public SafeTensorInfo this[string name] =>
        _byName.TryGetValue(name, out var info) ? info : throw new KeyNotFoundException($"{FilePath} has no tensor '{name}'");

    /// <summary>Reads a floating-point tensor into a new array.</summary>
    public float[] ReadFloats(string name)
    {
        var values = new float[this[name].ElementCount];
        ReadFloats(name, values);
        return values;
    }

    /// <summary>Reads an integer tensor into a new array.</summary>
    public long[] ReadLongs(string name)
    {
        var values = new long[this[name].ElementCount];
        ReadLongs(name, values);
        return values;
    }

    /// <summary>Reads a floating-point tensor (F32, F64, F16 or BF16) into <paramref name="destination"/>, which must have its exact element count.</summary>
    /// <exception cref="InvalidOperationException">The tensor is not floating-point.</exception>
    public void ReadFloats(string name, Span<float> destination)
    {
        var info = Check(name, destination.Length, static t => t.DType.IsFloat(), "a floating-point");
        if (info.DType == SafeTensorsDType.F32)
        {
            var bytes = MemoryMarshal.AsBytes(destination);
            ReadExactly(_file, bytes, _dataStart + info.Begin, FilePath);
            if (!BitConverter.IsLittleEndian)
            {
                var bits = MemoryMarshal.Cast<float, int>(destination);
                BinaryPrimitives.ReverseEndianness(bits, bits);
            }
            return;
        }
        ReadConverted(info, destination, static (source, dtype, target) =>
        {
            var size = dtype.SizeOf();
            for (var i = 0; i < target.Length; i++)
            {
                var element = source.Slice(i * size, size);
                target[i] = dtype switch
                {
                    SafeTensorsDType.F64 => (float)BinaryPrimitives.ReadDoubleLittleEndian(element),
                    SafeTensorsDType.F16 => (float)BinaryPrimitives.ReadHalfLittleEndian(element),
                    _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(element) << 16),
                };
            }
        });
    }

    /// <summary>Reads an integer tensor (I64, I32, I16, I8 or U8) into <paramref name="destination"/>, which must have its exact element count.</summary>
    /// <exception cref="InvalidOperationException">The tensor is not an integer tensor.</exception>
    public void ReadLongs(string name, Span<long> destination)
    {
        var info = Check(name, destination.Length, static t => t.DType.IsInteger(), "an integer");
        ReadConverted(info, destination, static (source, dtype, target) =>
        {
            var size = dtype.SizeOf();
            for (var i = 0; i < target.Length; i++)
            {
                var element = source.Slice(i * size, size);
                target[i] = dtype switch
                {
                    SafeTensorsDType.I64 => BinaryPrimitives.ReadInt64LittleEndian(element),
                    SafeTensorsDType.I32 => BinaryPrimitives.ReadInt32LittleEndian(element),
                    SafeTensorsDType.I16 => BinaryPrimitives.ReadInt16LittleEndian(element),
                    SafeTensorsDType.I8 => (sbyte)element[0],
                    _ => element[0],
                };
            }
        });
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();

    private delegate void Converter<T>(ReadOnlySpan<byte> source, SafeTensorsDType dtype, Span<T> target);

    private SafeTensorInfo Check(string name, int destinationLength, Func<SafeTensorInfo, bool> accepts, string kind)
    {
        var info = this[name];
        if (!accepts(info))
        {
            throw new InvalidOperationException($"{FilePath}: tensor '{name}' is {info.DType.HeaderName()}, not {kind} tensor");
        }
        if (destinationLength != info.ElementCount)
        {
            throw new ArgumentException(
                $"{FilePath}: tensor '{name}' has {info.ElementCount} elements; the destination has {destinationLength}", "destination");
        }
        return info;
    }

    /// <summary>Reads a tensor chunk by chunk through a pooled buffer, converting each element.</summary>
    private void ReadConverted<T>(SafeTensorInfo info, Span<T> destination, Converter<T> convert)
    {
        var size = info.DType.SizeOf();
        var perChunk = ChunkBytes / size;
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            for (var start = 0; start < destination.Length; start += perChunk)
            {
                var count = Math.Min(perChunk, destination.Length - start);
                var bytes = buffer.AsSpan(0, count * size);
                ReadExactly(_file, bytes, _dataStart + info.Begin + (long)start * size, FilePath);
                convert(bytes, info.DType, destination.Slice(start, count));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void ReadExactly(SafeFileHandle file, Span<byte> buffer, long offset, string filePath)
    {
        while (!buffer.IsEmpty)
        {
            var read = RandomAccess.Read(file, buffer, offset);
            if (read == 0)
            {
                throw new SafeTensorsFormatException(filePath, $"the file ends at byte {offset}, before the data its header describes");
            }
            buffer = buffer[read..];
            offset += read;
        }
    }
}
