using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;

namespace Cnn.Runtime.Weights;

/// <summary>
/// The parsed, validated JSON header of a safetensors file: every tensor's dtype, shape and byte
/// range, and the free-form string metadata. Validation is complete before any tensor is read, so
/// a malformed file never causes a large allocation or a read past its end.
/// </summary>
internal sealed class SafeTensorsHeader
{
    /// <summary>The key under which the format keeps string metadata instead of a tensor.</summary>
    public const string MetadataKey = "__metadata__";

    private SafeTensorsHeader(IReadOnlyList<SafeTensorInfo> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>Tensors in header order.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    /// <summary>The <c>__metadata__</c> entries (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Parses a header and checks it against a data section of <paramref name="dataLength"/> bytes.</summary>
    /// <exception cref="SafeTensorsFormatException">The header is malformed or disagrees with the data section.</exception>
    public static SafeTensorsHeader Parse(ReadOnlyMemory<byte> json, long dataLength, string filePath)
    {
        if (json.Length == 0 || json.Span[0] != (byte)'{')
        {
            throw new SafeTensorsFormatException(filePath, "the header does not start with '{'");
        }
        // JsonDocument checks UTF-8 only when a string is decoded, which would throw mid-validation.
        if (!Utf8.IsValid(json.Span))
        {
            throw new SafeTensorsFormatException(filePath, "the header is not valid UTF-8");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException(filePath, "the header is not valid JSON (" + e.Message + ")");
        }
        using (document)
        {
            return FromDocument(document.RootElement, dataLength, filePath);
        }
    }

    private static SafeTensorsHeader FromDocument(JsonElement root, long dataLength, string filePath)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new SafeTensorsFormatException(filePath, "the header is not a JSON object");
        }
        var tensors = new List<SafeTensorInfo>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                throw new SafeTensorsFormatException(filePath, $"'{property.Name}' appears twice in the header");
            }
            if (property.Name == MetadataKey)
            {
                ReadMetadata(property.Value, metadata, filePath);
            }
            else
            {
                tensors.Add(ReadTensor(property.Name, property.Value, dataLength, filePath));
            }
        }
        CheckCoverage(tensors, dataLength, filePath);
        return new SafeTensorsHeader(tensors, metadata);
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string filePath)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new SafeTensorsFormatException(filePath, $"{MetadataKey} is not an object of strings");
        }
        foreach (var entry in value.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                throw new SafeTensorsFormatException(filePath, $"{MetadataKey} entry '{entry.Name}' is not a string");
            }
            if (!metadata.TryAdd(entry.Name, entry.Value.GetString()!))
            {
                throw new SafeTensorsFormatException(filePath, $"{MetadataKey} entry '{entry.Name}' appears twice");
            }
        }
    }

    private static SafeTensorInfo ReadTensor(string name, JsonElement value, long dataLength, string filePath)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new SafeTensorsFormatException(filePath, $"tensor '{name}' is not an object");
        }
        var dtype = ReadDType(name, Required(name, value, "dtype", filePath), filePath);
        var shape = ReadShape(name, Required(name, value, "shape", filePath), filePath);
        var (begin, end) = ReadOffsets(name, Required(name, value, "data_offsets", filePath), filePath);
        if (end > dataLength)
        {
            throw new SafeTensorsFormatException(filePath,
                $"tensor '{name}' ends at byte {end} of the data section, which has only {dataLength} bytes");
        }
        long elements = 1;
        foreach (var dim in shape)
        {
            elements = SaturatingMultiply(elements, dim);
        }
        var expectedBytes = SaturatingMultiply(elements, dtype.SizeOf());
        if (expectedBytes != end - begin)
        {
            throw new SafeTensorsFormatException(filePath, string.Format(CultureInfo.InvariantCulture,
                "tensor '{0}' is {1} {2} but its data_offsets span {3} bytes instead of {4}",
                name, dtype.HeaderName(), SafeTensorInfo.FormatShape(shape), end - begin, expectedBytes));
        }
        if (elements > Array.MaxLength)
        {
            throw new SafeTensorsFormatException(filePath, $"tensor '{name}' has {elements} elements, more than an array can hold");
        }
        return new SafeTensorInfo(name, dtype, shape, begin, end);
    }

    private static JsonElement Required(string name, JsonElement tensor, string field, string filePath) =>
        tensor.TryGetProperty(field, out var value)
            ? value
            : throw new SafeTensorsFormatException(filePath, $"tensor '{name}' has no '{field}'");

    private static SafeTensorsDType ReadDType(string name, JsonElement value, string filePath)
    {
        if (value.ValueKind != JsonValueKind.String || !SafeTensorsDTypes.TryParse(value.GetString()!, out var dtype))
        {
            throw new SafeTensorsFormatException(filePath, $"tensor '{name}' has an unknown dtype {value.GetRawText()}");
        }
        return dtype;
    }

    private static int[] ReadShape(string name, JsonElement value, string filePath)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new SafeTensorsFormatException(filePath, $"tensor '{name}' has a shape that is not an array");
        }
        var shape = new int[value.GetArrayLength()];
        var i = 0;
        foreach (var dim in value.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt32(out var size) || size < 0)
            {
                throw new SafeTensorsFormatException(filePath,
                    $"tensor '{name}' has shape dimension {dim.GetRawText()}, not a non-negative 32-bit integer");
            }
            shape[i++] = size;
        }
        return shape;
    }

    private static (long Begin, long End) ReadOffsets(string name, JsonElement value, string filePath)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != 2)
        {
            throw new SafeTensorsFormatException(filePath, $"tensor '{name}' has data_offsets that are not [begin, end]");
        }
        var begin = value[0];
        var end = value[1];
        if (begin.ValueKind != JsonValueKind.Number || !begin.TryGetInt64(out var from) || from < 0
            || end.ValueKind != JsonValueKind.Number || !end.TryGetInt64(out var to) || to < from)
        {
            throw new SafeTensorsFormatException(filePath,
                $"tensor '{name}' has data_offsets {value.GetRawText()}, not integers with 0 ≤ begin ≤ end");
        }
        return (from, to);
    }

    /// <summary>The tensors must tile the data section exactly: no overlap, no hole, nothing after the last one.</summary>
    private static void CheckCoverage(List<SafeTensorInfo> tensors, long dataLength, string filePath)
    {
        var byOffset = tensors.ToArray();
        Array.Sort(byOffset, static (a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long position = 0;
        string? previous = null;
        foreach (var tensor in byOffset)
        {
            if (tensor.Begin < position)
            {
                throw new SafeTensorsFormatException(filePath,
                    $"tensor '{tensor.Name}' overlaps tensor '{previous}' (bytes {tensor.Begin}..{position})");
            }
            if (tensor.Begin > position)
            {
                throw new SafeTensorsFormatException(filePath,
                    $"bytes {position}..{tensor.Begin} of the data section belong to no tensor (before '{tensor.Name}')");
            }
            position = tensor.End;
            previous = tensor.Name;
        }
        if (position != dataLength)
        {
            throw new SafeTensorsFormatException(filePath,
                $"bytes {position}..{dataLength} of the data section belong to no tensor (after the last one)");
        }
    }

    /// <summary>a·b for non-negative a and b, or long.MaxValue when that overflows (it then matches no byte length).</summary>
    private static long SaturatingMultiply(long a, long b) =>
        a != 0 && b > long.MaxValue / a ? long.MaxValue : a * b;
}
