using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Cnn.Dsl.Tests.Fuzz;

/// <summary>
/// Writes random, mostly malformed, user source for the generator and the analyzer: numbers at
/// and past every edge, missing, extra and wrongly typed arguments, unknown attributes,
/// placeholders where they mean nothing, compositions of blocks that use each other, of classes
/// that are not blocks or do not exist. Deterministic for a seed.
/// </summary>
internal sealed class FuzzSources(int seed)
{
    private readonly Random _random = new(seed);

    /// <summary>
    /// In a tame case every number is small and positive, every required argument is written,
    /// and nothing is unknown, so a fair share of networks are valid and reach the emitter.
    /// </summary>
    private bool _tame;

    private static readonly string[] Ints =
    [
        "0", "-1", "1", "2", "3", "5", "7", "16", "64", "1000", "int.MaxValue", "int.MinValue", "-1_000_001",
        "Arg.A", "Arg.B", "Arg.H", "Arg.A * 4", "\"x\"", "1.5", "true", "null",
    ];

    private static readonly string[] SmallInts = ["1", "2", "3", "4", "8"];

    private static readonly string[] Doubles = ["0", "0.5", "1", "-1", "1e300", "double.NaN", "double.PositiveInfinity", "0.999", "\"x\""];

    private static readonly string[] Bools = ["true", "false", "1"];

    /// <summary>Layer kinds and their constructor parameters: name, kind of value, required.</summary>
    private static readonly (string Name, (string Parameter, char Type, bool Required)[] Parameters)[] Layers =
    [
        ("Conv", [("filters", 'i', true), ("kernel", 'i', true), ("stride", 'i', false), ("pad", 'i', false), ("dilation", 'i', false), ("groups", 'i', false), ("bias", 'b', false)]),
        ("ConvTranspose", [("filters", 'i', true), ("kernel", 'i', true), ("stride", 'i', false), ("pad", 'i', false), ("outputPad", 'i', false), ("bias", 'b', false)]),
        ("MaxPool", [("size", 'i', true), ("stride", 'i', false), ("pad", 'i', false), ("ceilMode", 'b', false)]),
        ("AvgPool", [("size", 'i', true), ("stride", 'i', false), ("pad", 'i', false), ("ceilMode", 'b', false)]),
        ("GlobalAvgPool", []),
        ("BatchNorm", [("eps", 'd', false), ("momentum", 'd', false)]),
        ("Dropout", [("rate", 'd', false)]),
        ("Flatten", []),
        ("Dense", [("units", 'i', true), ("bias", 'b', false)]),
        ("Relu", []),
        ("LeakyRelu", [("slope", 'd', false)]),
        ("Elu", [("alpha", 'd', false)]),
        ("Tanh", []),
        ("Sigmoid", []),
        ("Gelu", []),
        ("Softmax", []),
    ];

    private static readonly string[] Unknown = ["Foo", "Convv(3, 3)", "Dense<int>(3)", "System.Obsolete", "Network(1, 2, 3)", "Block"];

    /// <summary>One case: usually a random network with random blocks; now and then one of the large shapes.</summary>
    public string Next(int index) => (index % 50) switch
    {
        0 => DeepChain(100),
        1 => LongNetwork(500, valid: index % 100 == 1),
        2 => Cycle(_random.Next(1, 5)),
        3 => PlaceholderMisuse(),
        _ => RandomNetwork(tame: index % 3 == 0),
    };

    private string RandomNetwork(bool tame)
    {
        _tame = tame;
        var source = new StringBuilder("using Cnn.Dsl;\nnamespace Fuzz;\n");
        var blocks = Enumerable.Range(0, _random.Next(0, 4)).Select(i => "B" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        var targets = _tame && blocks.Count > 0 ? blocks : blocks.Concat(["Plain", "Missing", "Net", "int"]).ToList();
        foreach (var block in blocks)
        {
            source.Append(_tame || Chance(0.9) ? "[Block]\n" : "");
            source.Append(AttributeLines(_random.Next(0, 6), targets));
            source.Append(Chance(0.9) ? "public partial class " : "public class ").Append(block).Append(";\n");
        }
        source.Append("public class Plain;\n");
        source.Append(_tame || Chance(0.9) ? $"[Network({Pick(_tame || Chance(0.7) ? SmallInts : Ints)}, {Size()}, {Size()})]\n" : Chance(0.5) ? "[Network(1, 28)]\n" : "");
        source.Append(AttributeLines(_random.Next(0, 14), targets));
        source.Append(_tame ? "[Flatten, Dense(10)]\n" : "");
        source.Append(_tame || Chance(0.9) ? "public partial class Net;\n" : Chance(0.5) ? "public static partial class Net;\n" : "public class Net;\n");
        return source.ToString();
    }

    private string Size() => _tame || Chance(0.8) ? _random.Next(1, 40).ToString(CultureInfo.InvariantCulture) : Pick(Ints);

    /// <summary>Attribute lines of random layers, compositions over <paramref name="targets"/>, and unknown attributes.</summary>
    private string AttributeLines(int count, List<string> targets)
    {
        var lines = new StringBuilder();
        var remaining = count;
        while (remaining > 0)
        {
            var inList = Math.Min(remaining, _random.Next(1, 5));
            remaining -= inList;
            lines.Append('[').Append(string.Join(", ", Enumerable.Range(0, inList).Select(_ => Attribute(targets)))).Append("]\n");
        }
        return lines.ToString();
    }

    private string Attribute(List<string> targets)
    {
        var roll = _random.NextDouble();
        if (roll < 0.05 && !_tame)
        {
            return Pick(Unknown);
        }
        if (roll < 0.25)
        {
            return Composition(targets);
        }
        var (name, parameters) = Layers[_random.Next(Layers.Length)];
        var arguments = new List<string>();
        foreach (var (parameter, type, required) in parameters)
        {
            var include = required ? _tame || Chance(0.95) : Chance(0.3);
            if (include)
            {
                var value = Value(type);
                arguments.Add(required && Chance(0.8) ? value : $"{parameter}: {value}");
            }
        }
        if (!_tame && Chance(0.05))
        {
            arguments.Add(Pick(Ints));
        }
        if (!_tame && Chance(0.15))
        {
            arguments.Add($"Name = {Pick(["\"a\"", "\"a\"", "\"\"", "null", "\"x.y\"", "\"conv1\""])}");
        }
        return arguments.Count == 0 && Chance(0.7) ? name : $"{name}({string.Join(", ", arguments)})";
    }

    private string Composition(List<string> targets)
    {
        string Target() => Pick(targets);
        var args = string.Join(", ", Enumerable.Range(0, _random.Next(0, 4)).Select(_ => _tame || Chance(0.7) ? Pick(SmallInts) : Pick(Ints)));
        var call = args.Length == 0 && Chance(0.5) ? "" : $"({args})";
        return _random.Next(6) switch
        {
            0 => $"Residual<{Target()}>{call}",
            1 => $"Residual<{Target()}, {Target()}>({args}{(args.Length == 0 ? "" : ", ")}ShortcutName = {Pick(["\"downsample\"", "null", "\"\""])})",
            2 => $"Concat<{Target()}, {Target()}>{call}",
            3 => $"Concat<{Target()}, {Target()}, {Target()}, {Target()}>{call}",
            4 => $"Repeat<{Target()}>({(_tame || Chance(0.7) ? Pick(SmallInts) : Pick(Ints))}{(args.Length == 0 ? "" : ", " + args)})",
            _ => $"Use<{Target()}>{call}",
        };
    }

    private string Value(char type) => type switch
    {
        'i' => _tame || Chance(0.6) ? Pick(SmallInts) : Pick(Ints),
        'd' => _tame ? Pick(["0.5", "0.1", "0.01"]) : Pick(Doubles),
        _ => Pick(Bools),
    };

    /// <summary>A network using block 0, which uses block 1, … down to block <paramref name="depth"/> − 1, alternating compositions.</summary>
    private static string DeepChain(int depth)
    {
        var source = new StringBuilder("using Cnn.Dsl;\nnamespace Fuzz;\n");
        for (var i = 0; i < depth; i++)
        {
            var next = i + 1 < depth ? (i % 3) switch
            {
                0 => $", Residual<D{i + 1}>(Arg.A)",
                1 => $", Use<D{i + 1}>(Arg.A)",
                _ => $", Repeat<D{i + 1}>(1, Arg.A)",
            } : "";
            source.Append(CultureInfo.InvariantCulture, $"[Block, Conv(Arg.A, 3, pad: 1){next}]\npublic partial class D{i};\n");
        }
        source.Append("[Network(4, 8, 8)]\n[Conv(4, 1), Use<D0>(4)]\n[Flatten, Dense(10)]\npublic partial class Net;\n");
        return source.ToString();
    }

    /// <summary>A network of <paramref name="layers"/> layers: valid (shape-keeping) or random.</summary>
    private string LongNetwork(int layers, bool valid)
    {
        var source = new StringBuilder("using Cnn.Dsl;\nnamespace Fuzz;\n[Network(2, 6, 6)]\n");
        var targets = new List<string> { "Plain" };
        for (var i = 0; i < layers; i += 5)
        {
            source.Append('[')
                .Append(string.Join(", ", Enumerable.Range(0, 5).Select(j => valid ? ((i + j) % 2 == 0 ? "Conv(2, 3, pad: 1)" : "Relu") : Attribute(targets))))
                .Append("]\n");
        }
        source.Append("[Flatten, Dense(3)]\npublic partial class Net;\npublic class Plain;\n");
        return source.ToString();
    }

    /// <summary>Blocks that use each other in a ring of <paramref name="length"/>, reached from a network.</summary>
    private static string Cycle(int length)
    {
        var source = new StringBuilder("using Cnn.Dsl;\nnamespace Fuzz;\n");
        for (var i = 0; i < length; i++)
        {
            source.Append(CultureInfo.InvariantCulture, $"[Block, Relu, {(i % 2 == 0 ? "Use" : "Residual")}<C{(i + 1) % length}>]\npublic partial class C{i};\n");
        }
        source.Append("[Network(1, 8, 8)]\n[Use<C0>, Repeat<C0>(3)]\n[Flatten, Dense(10)]\npublic partial class Net;\n");
        return source.ToString();
    }

    /// <summary>Placeholders outside blocks, in the input, as counts, multiplied, and short of values.</summary>
    private string PlaceholderMisuse() => Pick(
    [
        "using Cnn.Dsl;\n[Network(Arg.A, 28, 28)]\n[Conv(Arg.B, 3), Flatten, Dense(Arg.C)]\npublic partial class Net;\n",
        "using Cnn.Dsl;\n[Block, Conv(Arg.A * 4, 3), Repeat<Inner>(Arg.B, Arg.C)]\npublic partial class Outer;\n[Block, Conv(Arg.A, Arg.A)]\npublic partial class Inner;\n[Network(1, 28, 28)]\n[Use<Outer>, Use<Outer>(8), Use<Outer>(8, 2, 3, 4, 5, 6, 7, 8, 9)]\n[Flatten, Dense(10)]\npublic partial class Net;\n",
        "using Cnn.Dsl;\n[Block, Dense(Arg.H), Dropout(Arg.A)]\npublic partial class Head;\n[Network(1, 4, 4)]\n[Flatten, Use<Head>(1, 2, 3, 4, 5, 6, 7, 8), Repeat<Head>(-1_000_001, 3)]\npublic partial class Net;\n",
        "using Cnn.Dsl;\n[Block, Conv(Arg.A, 3, stride: Arg.B, pad: Arg.C, dilation: Arg.D, groups: Arg.E)]\npublic partial class Any;\n[Network(3, 16, 16)]\n[Use<Any>(int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue), Use<Any>(0, 0, 0, 0, 0), Use<Any>(-1, -1, -1, -1, -1)]\n[Flatten, Dense(2)]\npublic partial class Net;\n",
    ]);

    private bool Chance(double p) => _random.NextDouble() < p;

    private string Pick(IReadOnlyList<string> values) => values[_random.Next(values.Count)];
}
