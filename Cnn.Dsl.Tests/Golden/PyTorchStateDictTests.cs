using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Cnn.Runtime.Model;
using Cnn.Runtime.Weights;

namespace Cnn.Dsl.Tests.Golden;

/// <summary>A state_dict written from PyTorch (LeNet-5, tools/golden/make_golden.py) loads into the runtime's layout unchanged.</summary>
public sealed class PyTorchStateDictTests : IDisposable
{
    /// <summary>LeNet-5's parameters as the generator lays them out: PyTorch's order and shapes, back to back.</summary>
    private static readonly StateDictLayout LeNet5 = StateDictLayout.FromParameters(Pack(
        ("conv1", new[] { 6, 1, 5, 5 }), ("conv2", new[] { 16, 6, 5, 5 }),
        ("dense1", new[] { 120, 400 }), ("dense2", new[] { 84, 120 }), ("dense3", new[] { 10, 84 })));

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cnndsl-" + Guid.NewGuid().ToString("N"));

    public PyTorchStateDictTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void PyTorch_state_dict_loads_with_the_values_PyTorch_summed()
    {
        var parameters = new float[61_706];
        using var file = SafeTensorsReader.Open(GoldenFileTests.PathOf("lenet5_state_dict.safetensors"));

        StateDict.Load(file, LeNet5, parameters, Span<float>.Empty, Span<long>.Empty);

        var checks = JsonSerializer.Deserialize<Dictionary<string, double[]>>(file.Metadata["checks"])!;
        Assert.Equal(LeNet5.Tensors.Select(t => t.Name), checks.Keys);
        foreach (var tensor in LeNet5.Tensors)
        {
            var values = parameters.AsSpan(tensor.Offset, tensor.Length).ToArray();
            var (sum, absSum, first, last) = (checks[tensor.Name][0], checks[tensor.Name][1], checks[tensor.Name][2], checks[tensor.Name][3]);
            Assert.Equal(sum, values.Sum(v => (double)v), 1e-9);
            Assert.Equal(absSum, values.Sum(v => Math.Abs((double)v)), 1e-9);
            Assert.Equal((float)first, values[0]);
            Assert.Equal((float)last, values[^1]);
        }
    }

    [Fact]
    public void Loaded_weights_reproduce_PyTorch_output_on_the_fixed_input()
    {
        var parameters = new float[61_706];
        StateDict.Load(GoldenFileTests.PathOf("lenet5_state_dict.safetensors"), LeNet5, parameters, Span<float>.Empty, Span<long>.Empty);
        using var expected = SafeTensorsReader.Open(GoldenFileTests.PathOf("lenet5_expected.safetensors"));
        var input = expected.ReadFloats("input");
        var output = expected.ReadFloats("output");

        for (var n = 0; n < 4; n++)
        {
            var logits = ReferenceLeNet5.Forward(parameters, input.AsSpan(n * 784, 784));
            for (var k = 0; k < 10; k++)
            {
                Assert.Equal(output[n * 10 + k], logits[k], 1e-5);
            }
        }
    }

    [Fact]
    public void Saving_the_loaded_state_dict_reproduces_PyTorch_file_byte_for_byte()
    {
        var source = GoldenFileTests.PathOf("lenet5_state_dict.safetensors");
        var parameters = new float[61_706];
        using var file = SafeTensorsReader.Open(source);
        StateDict.Load(file, LeNet5, parameters, Span<float>.Empty, Span<long>.Empty);
        var copy = Path.Combine(_directory, "lenet5.safetensors");

        StateDict.Save(copy, LeNet5, parameters, Span<float>.Empty, Span<long>.Empty,
            new Dictionary<string, string> { ["checks"] = file.Metadata["checks"] });

        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(copy));
    }

    private static ParameterInfo[] Pack(params (string Layer, int[] WeightShape)[] layers)
    {
        var tensors = new List<ParameterInfo>();
        var offset = 0;
        foreach (var (layer, shape) in layers)
        {
            var weight = new ParameterInfo(layer + ".weight", layer, shape, offset, ParameterRole.Weight);
            offset += weight.Length;
            tensors.Add(weight);
            tensors.Add(new ParameterInfo(layer + ".bias", layer, new[] { shape[0] }, offset, ParameterRole.Bias));
            offset += shape[0];
        }
        return tensors.ToArray();
    }
}
