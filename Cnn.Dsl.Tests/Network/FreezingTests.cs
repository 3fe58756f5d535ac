using System;
using System.Linq;
using Cnn.Dsl;
using Cnn.Runtime.Model;

namespace Cnn.Dsl.Tests.Network;

public sealed class FreezingTests
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
    public void Prefixes_match_whole_path_segments(string prefix, string layer, bool under)
    {
        Assert.Equal(under, LayerPath.IsUnder(layer, prefix));
    }

    [Fact]
    public void A_scope_freezes_everything_under_it_and_unfreezing_a_part_keeps_the_rest_frozen()
    {
        using var network = new FreezeScopes(seed: 1);

        network.Freeze("res1");
        Assert.Equal(["res1.conv1.weight", "res1.conv1.bias", "res1.bn1.weight", "res1.bn1.bias"], FrozenNames(network));

        network.Unfreeze("res1.conv1");
        Assert.Equal(["res1.bn1.weight", "res1.bn1.bias"], FrozenNames(network));

        network.Freeze("conv1", "dense1");
        Assert.Equal(["conv1.weight", "conv1.bias", "res1.bn1.weight", "res1.bn1.bias", "dense1.weight", "dense1.bias"], FrozenNames(network));

        network.Unfreeze();
        Assert.Empty(FrozenNames(network));
    }

    [Fact]
    public void The_layout_is_a_live_view_of_the_networks_frozen_state()
    {
        using var network = new FreezeScopes(seed: 1);
        var layout = network.Layout;

        network.Freeze("res1.bn1");

        for (var i = 0; i < layout.Count; i++)
        {
            Assert.Equal(network.IsFrozen(layout[i]), layout.IsFrozen(i));
        }
        Assert.False(layout.IsFrozen(layout.ToList().FindIndex(t => t.Name == "res1.bn1.running_mean")));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".conv1")]
    [InlineData("res1.")]
    [InlineData("res1..conv1")]
    [InlineData("res")]
    [InlineData("relu1")]
    public void Malformed_or_unknown_prefixes_are_rejected(string prefix)
    {
        using var network = new FreezeScopes(seed: 1);
        Assert.Throws<ArgumentException>(() => network.Freeze(prefix));
        Assert.Throws<ArgumentException>(() => network.Unfreeze(prefix));
    }

    private static string[] FrozenNames(FreezeScopes network) =>
        network.Layout.Where(network.IsFrozen).Select(t => t.Name).ToArray();
}

/// <summary>Layers at the top level and in a residual's scope: <c>conv1</c>, <c>res1.conv1</c>, <c>res1.bn1</c>, <c>dense1</c>.</summary>
[Network(1, 4, 4)]
[Conv(2, 1), Residual<FreezeBody>, Flatten, Dense(2)]
public partial class FreezeScopes;

/// <summary>The residual body of <see cref="FreezeScopes"/>.</summary>
[Block]
[Conv(2, 1), BatchNorm]
public partial class FreezeBody;
