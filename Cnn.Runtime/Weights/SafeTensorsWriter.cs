using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Cnn.Runtime.Weights;

/// <summary>
/// Builds a safetensors file: add tensors (F32 values, I64 counters) and metadata strings, then
/// <see cref="Save"/> atomically or <see cref="WriteTo"/> a stream. Values are copied when added,
/// so the caller's arenas can change afterwards. The header is padded with spaces to a multiple of
/// 8 bytes, as the reference writer does, so every tensor starts aligned.
/// </summary>
public sealed class SafeTensorsWriter
{
    private readonly List<(string Name, SafeTensorsDType DType, int[] Shape, long Begin, long End)> _tensors = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _metadata = new(StringComparer.Ordinal);
    private readonly ArrayBufferWriter<byte> _data = new();

    /// <summary>Adds (or replaces) a <c>__metadata__</c> string.</summary>
    public SafeTensorsWriter AddMetadata(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        _metadata[key] = value;
        return this;
    }

    /// <summary>Adds an F32 tensor; <paramref name="values"/> must hold exactly the shape's element count.</summary>
    public SafeTensorsWriter Add(string name, ReadOnlySpan<int> shape, ReadOnlySpan<float> values)
    {
        var bytes = Reserve(name, SafeTensorsDType.F32, shape, values.Length);
        MemoryMarshal.AsBytes(values).CopyTo(bytes);
        if (!BitConverter.IsLittleEndian)
        {
            var bits = MemoryMarshal.Cast<byte, int>(bytes);
            BinaryPrimitives.ReverseEndianness(bits, bits);
        }
        _data.Advance(bytes.Length);
        return this;
    }

    /// <summary>Adds an I64 tensor (PyTorch's <c>num_batches_tracked</c> is one, of shape []).</summary>
    public SafeTensorsWriter Add(string name, ReadOnlySpan<int> shape, ReadOnlySpan<long> values)
    {
        var bytes = Reserve(name, SafeTensorsDType.I64, shape, values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.Slice(i * sizeof(long)), values[i]);
        }
        _data.Advance(bytes.Length);
        return this;
    }

    /// <summary>Writes the file to <paramref name="path"/> through <see cref="AtomicFile"/>: an existing file is replaced only once the new one is complete.</summary>
    public void Save(string path) => AtomicFile.Write(path, WriteTo);

    /// <summary>Writes the whole file to a stream.</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = Header();
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        stream.Write(_data.WrittenSpan);
    }

    private Span<byte> Reserve(string name, SafeTensorsDType dtype, ReadOnlySpan<int> shape, int count)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name == SafeTensorsHeader.MetadataKey)
        {
            throw new ArgumentException($"'{name}' is reserved for metadata", nameof(name));
        }
        long elements = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                throw new ArgumentException($"tensor '{name}' has a negative dimension", nameof(shape));
            }
            elements = checked(elements * dim);
        }
        if (elements != count)
        {
            throw new ArgumentException(
                $"tensor '{name}' of shape {SafeTensorInfo.FormatShape(shape.ToArray())} needs {elements} values, got {count}", nameof(shape));
        }
        if (!_names.Add(name))
        {
            throw new ArgumentException($"tensor '{name}' was already added", nameof(name));
        }
        var byteCount = count * dtype.SizeOf();
        var begin = (long)_data.WrittenCount;
        _tensors.Add((name, dtype, shape.ToArray(), begin, begin + byteCount));
        return _data.GetSpan(byteCount)[..byteCount];
    }

    private byte[] Header()
    {
        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (_metadata.Count > 0)
            {
                writer.WriteStartObject(SafeTensorsHeader.MetadataKey);
                foreach (var (key, value) in _metadata)
                {
                    writer.WriteString(key, value);
                }
                writer.WriteEndObject();
            }
            foreach (var tensor in _tensors)
            {
                writer.WriteStartObject(tensor.Name);
                writer.WriteString("dtype", tensor.DType.HeaderName());
                writer.WriteStartArray("shape");
                foreach (var dim in tensor.Shape)
                {
                    writer.WriteNumberValue(dim);
                }
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(tensor.Begin);
                writer.WriteNumberValue(tensor.End);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        var padded = (json.WrittenCount + 7) / 8 * 8;
        var header = new byte[padded];
        json.WrittenSpan.CopyTo(header);
        header.AsSpan(json.WrittenCount).Fill((byte)' ');
        return header;
    }
}
