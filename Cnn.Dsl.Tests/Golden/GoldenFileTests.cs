using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using Cnn.Runtime.Weights;

namespace Cnn.Dsl.Tests.Golden;

/// <summary>The PyTorch golden files parse and hold exactly what tools/golden/README.md promises.</summary>
public sealed class GoldenFileTests
{
    public static readonly string[] NetworkNames =
    {
        "ConvBasics", "DilatedGrouped", "TransposedConv", "PoolingFloor", "PoolingCeil", "BatchNormConv", "Mlp",
        "ResidualIdentity", "ResidualProjection", "InceptionConcat", "RepeatNet", "NestedBlocks", "MiniResNet", "InferenceHead",
    };

    public static readonly string[] Optimizers = { "sgd", "nesterov", "sgd_wd", "adam", "adamw" };

    public static TheoryData<string> Networks => new(NetworkNames);

    public static string PathOf(string fileName) => Path.Combine(AppContext.BaseDirectory, "Golden", fileName);

    [Theory]
    [MemberData(nameof(Networks))]
    public void Golden_file_holds_exactly_the_promised_tensors(string network)
    {
        using var golden = SafeTensorsReader.Open(PathOf(network + ".safetensors"));
        var parameters = JsonSerializer.Deserialize<string[]>(golden.Metadata["parameters"])!;
        var buffers = JsonSerializer.Deserialize<string[]>(golden.Metadata["buffers"])!;
        var trained = golden.Metadata["eval_only"] == "false";

        var expected = new List<string> { "input", "labels", "output.eval" };
        expected.AddRange(parameters);
        expected.AddRange(buffers);
        if (trained)
        {
            expected.AddRange(new[] { "output.train", "loss" });
            expected.AddRange(buffers.Select(b => "train_forward." + b));
            expected.AddRange(parameters.Select(p => "grad." + p));
            expected.AddRange(Optimizers.SelectMany(o => parameters.Select(p => o + "." + p)));
        }

        Assert.Equal(network, golden.Metadata["network"]);
        Assert.Equal(expected.Order(StringComparer.Ordinal), golden.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.NotEmpty(parameters);
        Assert.Equal(network == "InferenceHead", !trained);
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Golden_tensors_have_consistent_shapes_types_and_finite_values(string network)
    {
        using var golden = SafeTensorsReader.Open(PathOf(network + ".safetensors"));
        var batch = int.Parse(golden.Metadata["batch"], System.Globalization.CultureInfo.InvariantCulture);
        var classes = int.Parse(golden.Metadata["classes"], System.Globalization.CultureInfo.InvariantCulture);
        var input = JsonSerializer.Deserialize<int[]>(golden.Metadata["input_shape"])!;

        Assert.Equal(new[] { batch }.Concat(input), golden["input"].Shape);
        Assert.Equal(SafeTensorsDType.I64, golden["labels"].DType);
        Assert.All(golden.ReadLongs("labels"), label => Assert.InRange(label, 0, classes - 1));
        foreach (var tensor in golden.Tensors)
        {
            var baseName = StateName(tensor.Name);
            if (tensor.Name.StartsWith("output.", StringComparison.Ordinal))
            {
                Assert.Equal(new[] { batch, classes }, tensor.Shape);
            }
            else if (baseName != tensor.Name)
            {
                Assert.Equal(golden[baseName].Shape, tensor.Shape);
                Assert.Equal(golden[baseName].DType, tensor.DType);
            }
            if (tensor.Name.EndsWith(StateDictLayout.CounterSuffix, StringComparison.Ordinal))
            {
                Assert.Equal(SafeTensorsDType.I64, tensor.DType);
                Assert.Empty(tensor.Shape);
            }
            else if (tensor.Name != "labels")
            {
                Assert.Equal(SafeTensorsDType.F32, tensor.DType);
                Assert.All(golden.ReadFloats(tensor.Name), value => Assert.True(float.IsFinite(value), $"{tensor.Name} holds {value}"));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Every_optimizer_moved_every_parameter_with_a_gradient(string network)
    {
        using var golden = SafeTensorsReader.Open(PathOf(network + ".safetensors"));
        if (golden.Metadata["eval_only"] == "true")
        {
            return;
        }
        var optimizers = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(golden.Metadata["optimizers"])!;
        Assert.Equal(Optimizers.Order(StringComparer.Ordinal), optimizers.Keys.Order(StringComparer.Ordinal));
        foreach (var parameter in JsonSerializer.Deserialize<string[]>(golden.Metadata["parameters"])!)
        {
            var initial = golden.ReadFloats(parameter);
            if (golden.ReadFloats("grad." + parameter).All(g => Math.Abs(g) < 1e-12f))
            {
                // Only a bias that feeds a BatchNorm has no gradient: the normalization subtracts it again.
                Assert.EndsWith(".bias", parameter, StringComparison.Ordinal);
                continue;
            }
            foreach (var optimizer in Optimizers)
            {
                Assert.NotEqual(initial, golden.ReadFloats(optimizer + "." + parameter));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void The_CSharp_twin_declares_the_golden_input_shape(string network)
    {
        using var golden = SafeTensorsReader.Open(PathOf(network + ".safetensors"));
        var input = JsonSerializer.Deserialize<int[]>(golden.Metadata["input_shape"])!;

        var type = typeof(GoldenFileTests).Assembly.GetType("Cnn.Dsl.Tests.Golden." + network);

        Assert.NotNull(type);
        var declared = type.GetCustomAttribute<NetworkAttribute>()!;
        Assert.Equal(input, new[] { declared.Channels, declared.Height, declared.Width });
    }

    [Fact]
    public void Golden_files_stay_small()
    {
        var bytes = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Golden"), "*.safetensors").Sum(f => new FileInfo(f).Length);

        Assert.InRange(bytes, 1, 1_500_000);
    }

    /// <summary>The state_dict name a derived tensor is about: <c>grad.conv1.weight</c> → <c>conv1.weight</c>.</summary>
    private static string StateName(string name)
    {
        foreach (var prefix in Optimizers.Append("grad").Append("train_forward"))
        {
            if (name.StartsWith(prefix + ".", StringComparison.Ordinal))
            {
                return name[(prefix.Length + 1)..];
            }
        }
        return name;
    }
}
