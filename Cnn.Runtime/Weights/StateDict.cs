using System;
using System.Collections.Generic;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Weights;

/// <summary>
/// Saves and loads a network's weights as a PyTorch-compatible state_dict in safetensors: every
/// tensor under its state_dict name and PyTorch shape, counters as I64 scalars. Loading checks
/// the whole file against the layout first and copies nothing unless everything matches.
/// </summary>
public static class StateDict
{
    /// <summary>Saves the arenas' tensors to <paramref name="path"/>, atomically.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="layout">Which tensors to write and where they live.</param>
    /// <param name="parameters">The parameter arena.</param>
    /// <param name="buffers">The buffer arena (running statistics).</param>
    /// <param name="counters">The counter arena.</param>
    /// <param name="metadata">Optional <c>__metadata__</c> strings.</param>
    public static void Save(string path, StateDictLayout layout, ReadOnlySpan<float> parameters, ReadOnlySpan<float> buffers,
        ReadOnlySpan<long> counters, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        CheckArenas(layout, parameters.Length, buffers.Length, counters.Length);
        var writer = new SafeTensorsWriter();
        writer.AddMetadata("format", "pt");
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
            {
                writer.AddMetadata(key, value);
            }
        }
        foreach (var tensor in layout.Tensors)
        {
            var arena = tensor.IsBuffer ? buffers : parameters;
            writer.Add(tensor.Name, tensor.Shape, arena.Slice(tensor.Offset, tensor.Length));
        }
        for (var i = 0; i < layout.Counters.Count; i++)
        {
            writer.Add(layout.Counters[i], ReadOnlySpan<int>.Empty, counters.Slice(i, 1));
        }
        writer.Save(path);
    }

    /// <summary>Loads <paramref name="path"/> into the arenas.</summary>
    /// <exception cref="SafeTensorsFormatException">The file is not valid safetensors.</exception>
    /// <exception cref="StateDictMismatchException">The file's tensors differ from the layout; nothing was copied.</exception>
    public static void Load(string path, StateDictLayout layout, Span<float> parameters, Span<float> buffers, Span<long> counters)
    {
        using var reader = SafeTensorsReader.Open(path);
        Load(reader, layout, parameters, buffers, counters);
    }

    /// <summary>Loads an open file into the arenas: every tensor of the layout must be in the file with its shape, and nothing else.</summary>
    /// <exception cref="StateDictMismatchException">The file's tensors differ from the layout; nothing was copied.</exception>
    public static void Load(SafeTensorsReader reader, StateDictLayout layout, Span<float> parameters, Span<float> buffers, Span<long> counters)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(layout);
        CheckArenas(layout, parameters.Length, buffers.Length, counters.Length);
        var differences = Differences(reader, layout);
        if (differences.Count > 0)
        {
            throw new StateDictMismatchException(reader.FilePath, differences);
        }
        // Read into copies and commit only at the end, so a read failure half-way (the file
        // truncated since it was opened) leaves the network's weights untouched.
        var stagedParameters = parameters.ToArray();
        var stagedBuffers = buffers.ToArray();
        var stagedCounters = counters.ToArray();
        foreach (var tensor in layout.Tensors)
        {
            var arena = tensor.IsBuffer ? stagedBuffers : stagedParameters;
            reader.ReadFloats(tensor.Name, arena.AsSpan(tensor.Offset, tensor.Length));
        }
        for (var i = 0; i < layout.Counters.Count; i++)
        {
            reader.ReadLongs(layout.Counters[i], stagedCounters.AsSpan(i, 1));
        }
        stagedParameters.CopyTo(parameters);
        stagedBuffers.CopyTo(buffers);
        stagedCounters.CopyTo(counters);
    }

    /// <summary>
    /// Every way the file differs from the layout, in layout order then file order: tensors
    /// missing from the file, tensors the network does not have, shapes that differ, and types
    /// that cannot be read (an integer where a float is expected, or the reverse).
    /// </summary>
    public static IReadOnlyList<string> Differences(SafeTensorsReader reader, StateDictLayout layout)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(layout);
        var differences = new List<string>();
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in layout.Tensors)
        {
            expected.Add(tensor.Name);
            Compare(reader, tensor.Name, tensor.Shape, isCounter: false, differences);
        }
        foreach (var counter in layout.Counters)
        {
            expected.Add(counter);
            Compare(reader, counter, Array.Empty<int>(), isCounter: true, differences);
        }
        foreach (var tensor in reader.Tensors)
        {
            if (!expected.Contains(tensor.Name))
            {
                differences.Add($"unexpected: {tensor.Name} {tensor.DType.HeaderName()} {tensor.ShapeText} is in the file but not in the network");
            }
        }
        return differences;
    }

    private static void Compare(SafeTensorsReader reader, string name, int[] shape, bool isCounter, List<string> differences)
    {
        var expectedShape = SafeTensorInfo.FormatShape(shape);
        if (!reader.Contains(name))
        {
            differences.Add($"missing: {name} {expectedShape} is not in the file");
            return;
        }
        var found = reader[name];
        if (!found.Shape.AsSpan().SequenceEqual(shape))
        {
            differences.Add($"shape: {name} is {found.ShapeText} in the file, the network expects {expectedShape}");
        }
        if (isCounter ? !found.DType.IsInteger() : !found.DType.IsFloat())
        {
            differences.Add($"dtype: {name} is {found.DType.HeaderName()} in the file, the network expects "
                + (isCounter ? "an integer (I64)" : "a floating-point (F32)") + " tensor");
        }
    }

    private static void CheckArenas(StateDictLayout layout, int parameters, int buffers, int counters)
    {
        foreach (var tensor in layout.Tensors)
        {
            var arena = tensor.IsBuffer ? buffers : parameters;
            if ((long)tensor.Offset + tensor.Length > arena)
            {
                throw new ArgumentException(
                    $"tensor '{tensor.Name}' ({tensor.Offset}..{tensor.Offset + tensor.Length}) lies outside its {arena}-element arena");
            }
        }
        if (layout.Counters.Count > counters)
        {
            throw new ArgumentException($"the layout has {layout.Counters.Count} counters but the counter arena holds {counters}");
        }
    }
}
