using System;
using System.IO;
using System.Linq;
using Cnn.Runtime.Weights;

namespace Cnn.Dsl.Tests.Network;

public sealed class WeightsTests
{
    private static readonly string GoldenFolder = Path.Combine(AppContext.BaseDirectory, "Golden");

    [Fact]
    public void LeNet5_loads_PyTorchs_state_dict_and_reproduces_its_output()
    {
        using var network = new Golden.LeNet5(seed: 123);
        network.Load(Path.Combine(GoldenFolder, "lenet5_state_dict.safetensors"));
        using var expected = SafeTensorsReader.Open(Path.Combine(GoldenFolder, "lenet5_expected.safetensors"));
        var input = expected.ReadFloats("input");
        var output = network.Predict(input, input.Length / 784);
        NumericAssert.Close(expected.ReadFloats("output"), output, 1e-4, "output");
    }

    [Fact]
    public void Save_then_load_restores_weights_statistics_and_counters()
    {
        using var trained = new Golden.MiniResNet(seed: 4);
        var input = Enumerable.Range(0, 2 * trained.InputShape.Elements).Select(i => MathF.Cos(i * 0.37f)).ToArray();
        trained.ForwardBackward(input, [0, 2], 2);
        var path = Path.Combine(Path.GetTempPath(), $"cnn-train-{Guid.NewGuid():N}.safetensors");
        try
        {
            trained.Save(path);
            using var loaded = new Golden.MiniResNet(seed: 5);
            Assert.NotEqual(trained.Parameters.ToArray(), loaded.Parameters.ToArray());
            loaded.Load(path);
            Assert.Equal(trained.Parameters.ToArray(), loaded.Parameters.ToArray());
            Assert.Equal(trained.Buffers.ToArray(), loaded.Buffers.ToArray());
            Assert.Equal(trained.BatchesTracked.ToArray(), loaded.BatchesTracked.ToArray());
            Assert.All(loaded.BatchesTracked.ToArray(), count => Assert.Equal(1L, count));
            Assert.Equal(trained.Predict(input, 2).ToArray(), loaded.Predict(input, 2).ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Loading_another_networks_weights_lists_every_difference_and_changes_nothing()
    {
        using var network = new Golden.ConvBasics(seed: 4);
        var before = network.Parameters.ToArray();
        var error = Assert.Throws<StateDictMismatchException>(() => network.Load(Path.Combine(GoldenFolder, "lenet5_state_dict.safetensors")));
        Assert.Contains("conv3.weight", error.Message);
        Assert.Contains("dense2.weight", error.Message);
        Assert.Equal(before, network.Parameters.ToArray());
    }
}
