using System;
using System.Linq;
using Cnn.Runtime.Model;
using Cnn.Runtime.Weights;

namespace Cnn.Dsl.Tests.Weights;

public sealed class StateDictTests : IDisposable
{
    /// <summary>A conv, a BatchNorm and a dense layer, as a generated network lays them out.</summary>
    private static readonly StateDictLayout Layout = StateDictLayout.FromParameters(new[]
    {
        new ParameterInfo("conv1.weight", "conv1", new[] { 2, 1, 3, 3 }, 0, ParameterRole.Weight),
        new ParameterInfo("conv1.bias", "conv1", new[] { 2 }, 18, ParameterRole.Bias),
        new ParameterInfo("bn1.weight", "bn1", new[] { 2 }, 20, ParameterRole.Scale),
        new ParameterInfo("bn1.bias", "bn1", new[] { 2 }, 22, ParameterRole.Shift),
        new ParameterInfo("bn1.running_mean", "bn1", new[] { 2 }, 0, ParameterRole.RunningMean),
        new ParameterInfo("bn1.running_var", "bn1", new[] { 2 }, 2, ParameterRole.RunningVar),
        new ParameterInfo("dense1.weight", "dense1", new[] { 3, 2 }, 24, ParameterRole.Weight),
    });

    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Batch_norm_layers_get_a_num_batches_tracked_counter()
    {
        Assert.Equal(new[] { "bn1.num_batches_tracked" }, Layout.Counters);
    }

    [Fact]
    public void Saved_arenas_load_back_into_fresh_arenas()
    {
        var path = _directory.File("model.safetensors");
        var parameters = Enumerable.Range(1, 30).Select(i => i / 10f).ToArray();
        var buffers = new[] { 0.5f, -0.5f, 1.5f, 2.5f };
        var counters = new long[] { 17 };
        StateDict.Save(path, Layout, parameters, buffers, counters);

        var loadedParameters = new float[30];
        var loadedBuffers = new float[4];
        var loadedCounters = new long[1];
        StateDict.Load(path, Layout, loadedParameters, loadedBuffers, loadedCounters);

        Assert.Equal(parameters, loadedParameters);
        Assert.Equal(buffers, loadedBuffers);
        Assert.Equal(counters, loadedCounters);
    }

    [Fact]
    public void Saved_file_has_PyTorch_names_shapes_and_types()
    {
        var path = _directory.File("model.safetensors");
        StateDict.Save(path, Layout, new float[30], new float[4], new long[1]);

        using var reader = SafeTensorsReader.Open(path);

        Assert.Equal(
            new[] { "conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "dense1.weight", "bn1.num_batches_tracked" },
            reader.Tensors.Select(t => t.Name));
        Assert.Equal(new[] { 3, 2 }, reader["dense1.weight"].Shape);
        Assert.Equal(SafeTensorsDType.I64, reader["bn1.num_batches_tracked"].DType);
        Assert.Empty(reader["bn1.num_batches_tracked"].Shape);
        Assert.Equal("pt", reader.Metadata["format"]);
    }

    [Fact]
    public void Every_difference_is_listed_in_one_exception_and_nothing_is_copied()
    {
        var path = _directory.File("other.safetensors");
        new SafeTensorsWriter()
            .Add("conv1.weight", new[] { 2, 1, 5, 5 }, new float[50])
            .Add("bn1.weight", new[] { 2 }, new float[2])
            .Add("bn1.bias", new[] { 2 }, new float[2])
            .Add("bn1.running_mean", new[] { 2 }, new float[2])
            .Add("bn1.running_var", new[] { 2 }, new float[2])
            .Add("bn1.num_batches_tracked", new[] { 1 }, new float[1])
            .Add("dense1.weight", new[] { 3, 2 }, new float[6])
            .Add("fc.weight", new[] { 10, 4 }, new float[40])
            .Save(path);
        var parameters = Enumerable.Repeat(7f, 30).ToArray();
        var buffers = Enumerable.Repeat(7f, 4).ToArray();
        var counters = new long[] { 7 };

        var error = Assert.Throws<StateDictMismatchException>(() => StateDict.Load(path, Layout, parameters, buffers, counters));

        Assert.Equal(path, error.FilePath);
        Assert.Equal(new[]
        {
            "shape: conv1.weight is [2, 1, 5, 5] in the file, the network expects [2, 1, 3, 3]",
            "missing: conv1.bias [2] is not in the file",
            "shape: bn1.num_batches_tracked is [1] in the file, the network expects []",
            "dtype: bn1.num_batches_tracked is F32 in the file, the network expects an integer (I64) tensor",
            "unexpected: fc.weight F32 [10, 4] is in the file but not in the network",
        }, error.Differences);
        Assert.StartsWith(path + " does not match the network (5 differences):", error.Message);
        Assert.Contains("missing: conv1.bias", error.Message);
        Assert.All(parameters, value => Assert.Equal(7f, value));
        Assert.All(buffers, value => Assert.Equal(7f, value));
        Assert.Equal(7, counters[0]);
    }

    [Fact]
    public void Arenas_too_small_for_the_layout_are_a_programming_error()
    {
        var path = _directory.File("model.safetensors");

        Assert.Contains("dense1.weight", Assert.Throws<ArgumentException>(() =>
            StateDict.Save(path, Layout, new float[29], new float[4], new long[1])).Message);
        Assert.Contains("counter arena", Assert.Throws<ArgumentException>(() =>
            StateDict.Save(path, Layout, new float[30], new float[4], Array.Empty<long>())).Message);
    }

    [Fact]
    public void A_layout_with_two_tensors_of_one_name_is_rejected()
    {
        var twice = new ParameterInfo("conv1.weight", "conv1", new[] { 1 }, 0, ParameterRole.Weight);

        Assert.Throws<ArgumentException>(() => new StateDictLayout(new[] { twice, twice with { Offset = 1 } }, Array.Empty<string>()));
        Assert.Throws<ArgumentException>(() => new StateDictLayout(new[] { twice }, new[] { "conv1.weight" }));
    }
}
