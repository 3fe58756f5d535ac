using System;
using Cnn.Runtime.Optim;

namespace Cnn.Dsl.Tests.Optim;

public class FrozenLayersTests
{
    [Theory]
    [InlineData("layer1", "layer1.0.conv1", true)]
    [InlineData("layer1", "layer1", true)]
    [InlineData("layer1", "layer10.conv1", false)]
    [InlineData("conv1", "conv1", true)]
    [InlineData("conv1", "conv10", false)]
    [InlineData("conv", "conv1", false)]
    [InlineData("layer1.0", "layer1.0.downsample.0", true)]
    [InlineData("layer1.0", "layer1.1.conv1", false)]
    public void Prefixes_match_whole_path_segments(string prefix, string layer, bool frozen)
    {
        var layers = new FrozenLayers();
        layers.Add(prefix);
        Assert.Equal(frozen, layers.Freezes(layer));
    }

    [Fact]
    public void Removing_a_prefix_unfreezes_only_what_no_other_prefix_covers()
    {
        var layers = new FrozenLayers();
        layers.Add("layer1");
        layers.Add("layer1.0");

        Assert.True(layers.Remove("layer1"));
        Assert.True(layers.Freezes("layer1.0.conv1"));
        Assert.False(layers.Freezes("layer1.1.conv1"));
        Assert.Equal(["layer1.0"], layers);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".conv1")]
    [InlineData("layer1.")]
    [InlineData("layer1..conv1")]
    public void Malformed_prefixes_are_rejected(string prefix)
    {
        Assert.Throws<ArgumentException>(() => new FrozenLayers().Add(prefix));
    }
}
