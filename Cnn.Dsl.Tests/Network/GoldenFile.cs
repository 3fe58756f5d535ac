using System;
using System.IO;
using System.Linq;
using Cnn.Runtime.Network;
using Cnn.Runtime.Weights;

namespace Cnn.Dsl.Tests.Network;

/// <summary>One PyTorch golden file (tools/golden/make_golden.py): initial state, batch, and what PyTorch computed from them.</summary>
internal sealed class GoldenFile : IDisposable
{
    private readonly SafeTensorsReader _reader;

    public GoldenFile(string name)
    {
        Name = name;
        _reader = SafeTensorsReader.Open(Path.Combine(AppContext.BaseDirectory, "Golden", name + ".safetensors"));
        Input = _reader.ReadFloats("input");
        Labels = _reader.Contains("labels") ? _reader.ReadLongs("labels").Select(l => (int)l).ToArray() : Array.Empty<int>();
        Batch = int.Parse(_reader.Metadata["batch"], System.Globalization.CultureInfo.InvariantCulture);
        EvalOnly = _reader.Metadata["eval_only"] == "true";
    }

    /// <summary>The golden networks (their DSL twins are in Golden/GoldenNetworks.cs).</summary>
    public static string[] All { get; } = Directory
        .GetFiles(Path.Combine(AppContext.BaseDirectory, "Golden"), "*.safetensors")
        .Select(path => Path.GetFileNameWithoutExtension(path))
        .Where(name => !name.StartsWith("lenet5_", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary><see cref="All"/> as theory data.</summary>
    public static TheoryData<string> Names { get; } = new(All);

    public string Name { get; }

    public float[] Input { get; }

    public int[] Labels { get; }

    public int Batch { get; }

    public bool EvalOnly { get; }

    public bool Contains(string tensor) => _reader.Contains(tensor);

    /// <summary>The DSL twin of this file's network (Golden/GoldenNetworks.cs, completed by the generator).</summary>
    public NetworkBase CreateNetwork(int seed, int workers = 1)
    {
        var type = typeof(GoldenFile).Assembly.GetType("Cnn.Dsl.Tests.Golden." + Name) ?? throw new InvalidOperationException($"no network {Name}");
        return (NetworkBase)Activator.CreateInstance(type, seed, workers)!;
    }

    public float[] Floats(string tensor) => _reader.ReadFloats(tensor);

    public long[] Longs(string tensor) => _reader.ReadLongs(tensor);

    /// <summary>Copies the file's initial state_dict (parameters, running statistics, counters) into <paramref name="network"/>.</summary>
    public void LoadInitialState(NetworkBase network)
    {
        foreach (var info in network.Layout)
        {
            _reader.ReadFloats(info.Name, network.Parameter(info.Name));
        }
        var counters = network.StateDictLayout.Counters;
        for (var i = 0; i < counters.Count; i++)
        {
            _reader.ReadLongs(counters[i], network.BatchesTracked.Slice(i, 1));
        }
    }

    public void Dispose() => _reader.Dispose();
}
