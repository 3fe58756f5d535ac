using System;
using System.Linq;

namespace Cnn.Dsl.Tests.Network;

public sealed class GeneratedNetworkSmokeTests
{
    private const string LeNet = """
        namespace Nets;
        [Network(1, 28, 28)]
        [Conv(6, 5, pad: 2), Relu, MaxPool(2)]
        [Conv(16, 5), Relu, MaxPool(2)]
        [Flatten, Dense(120), Relu, Dense(84), Relu, Dense(10)]
        public partial class LeNet5;
        """;

    [Fact]
    public void LeNet5_runs_forward_and_backward()
    {
        using var net = GeneratedNetwork.Create(LeNet, "Nets.LeNet5", seed: 1);
        var input = Enumerable.Range(0, 2 * 784).Select(i => MathF.Sin(i * 0.01f)).ToArray();
        var output = net.Forward(input, 2).ToArray();
        Assert.Equal(20, output.Length);
        var loss = net.ForwardBackward(input, [3, 7], 2);
        Assert.InRange(loss, 1.5f, 3.5f);
        Assert.Contains(net.Gradient("conv1.weight").ToArray(), g => g != 0);
    }
}
