using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Cnn.Generators.Models;

namespace Cnn.Dsl.Tests.Shapes;

/// <summary>Whole networks with published parameter counts, written in the DSL and run through the real parser.</summary>
public class ReferenceNetworkTests
{
    private const string ResNet18 = """
        [Block]
        [Conv(Arg.A, 3, stride: Arg.B, pad: 1, bias: false), BatchNorm, Relu]
        [Conv(Arg.A, 3, pad: 1, bias: false), BatchNorm]
        public class Basic;

        // torchvision's downsample: Sequential(conv1x1, BatchNorm2d), so its layers are named 0 and 1.
        [Block]
        [Conv(Arg.A, 1, stride: Arg.B, bias: false, Name = "0"), BatchNorm(Name = "1")]
        public class Projection;

        // A BasicBlock keeping its shape; Name = "" puts the body's layers right in the block's scope (layer1.0.conv1).
        [Block, Residual<Basic>(Arg.A, 1, Name = ""), Relu]
        public class Unit;

        // A BasicBlock that halves the size and widens, then one that keeps it: layer2.0, layer2.1.
        [Block]
        [Residual<Basic, Projection>(Arg.A, 2, Name = "0", ShortcutName = "downsample"), Relu]
        [Use<Unit>(Arg.A, Name = "1")]
        public class DownStage;

        [Network(3, 224, 224)]
        [Conv(64, 7, stride: 2, pad: 3, bias: false), BatchNorm, Relu, MaxPool(3, stride: 2, pad: 1)]
        [Repeat<Unit>(2, 64, Name = "layer1")]
        [Use<DownStage>(128, Name = "layer2"), Use<DownStage>(256, Name = "layer3"), Use<DownStage>(512, Name = "layer4")]
        [GlobalAvgPool, Flatten, Dense(1000, Name = "fc")]
        public partial class Net;
        """;

    [Fact]
    public void LeNet5_has_61706_parameters_and_classic_shapes()
    {
        var net = SpecBuilder.InferSource("""
            [Network(1, 28, 28)]
            [Conv(6, 5, pad: 2), Relu, MaxPool(2)]
            [Conv(16, 5), Relu, MaxPool(2)]
            [Flatten, Dense(120), Relu, Dense(84), Relu, Dense(10)]
            public partial class Net;
            """);

        Assert.Empty(net.Problems);
        Assert.Equal(61_706, net.Layers.Sum(l => l.Parameters));
        Assert.Equal(
            new[] { "6×28×28", "6×28×28", "6×14×14", "16×10×10", "16×10×10", "16×5×5", "400", "120", "120", "84", "84", "10" },
            net.Layers.Select(l => l.Out.ToString()));
        Assert.Equal(new long[] { 156, 0, 0, 2_416, 0, 0, 0, 48_120, 0, 10_164, 0, 850 }, net.Layers.Select(l => l.Parameters));
        Assert.Equal(
            new[] { "conv1", "relu1", "maxpool1", "conv2", "relu2", "maxpool2", "flatten1", "dense1", "relu3", "dense2", "relu4", "dense3" },
            net.Layers.Select(l => l.Path));
        Assert.Equal(Shape.Vector(10), net.Output);
        Assert.Equal(Shape.Map(1, 28, 28), net.Input);
        // Receptive field: 5, then pool 2 (jump 2), conv 5 → 5 + 1 + 4·2 = 14, pool → 16; the dense layer sees all 5×5 positions.
        Assert.Equal(new[] { 5, 5, 6, 14, 14, 16, 16, 32 }, net.Layers.Take(8).Select(l => l.ReceptiveField));
    }

    [Fact]
    public void ResNet18_has_torchvision_parameter_count_multiply_adds_and_receptive_field()
    {
        var net = SpecBuilder.InferSource(ResNet18);

        Assert.Empty(net.Problems);
        Assert.Equal(11_689_512, net.Layers.Sum(l => l.Parameters));
        // PyTorch forward hooks over Conv2d and Linear give 1,814,073,344 multiply-adds at 224×224.
        Assert.Equal(1_814_073_344, net.Layers.Sum(l => l.MultiplyAdds));
        Assert.Equal(Shape.Vector(1000), net.Output);
        var layer4 = net.Layers.Single(l => l.Path == "layer4");
        Assert.Equal(Shape.Map(512, 7, 7), layer4.Out);
        Assert.Equal(435, layer4.ReceptiveField);
        Assert.Equal(32, layer4.Jump);
    }

    [Fact]
    public void ResNet18_parameters_are_named_as_torchvision_state_dict()
    {
        var net = SpecBuilder.InferSource(ResNet18);

        var ours = ParameterNames(net.Layers).ToList();
        Assert.Equal(TorchvisionResNet18, ours.Select(p => p.Name + " " + p.Values.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// Learned tensors in PyTorch's order: Conv and Dense <c>weight</c> then <c>bias</c>,
    /// BatchNorm <c>weight</c> (γ) and <c>bias</c> (β), each under the layer's path.
    /// </summary>
    private static IEnumerable<(string Name, long Values)> ParameterNames(IEnumerable<LayerNode> layers)
    {
        foreach (var layer in layers)
        {
            switch (layer.Kind)
            {
                case LayerKind.Conv:
                    yield return (layer.Path + ".weight", (long)layer.Spec.Filters * (layer.In.C / layer.Spec.Groups) * layer.Spec.Kernel * layer.Spec.Kernel);
                    if (layer.Spec.Bias)
                    {
                        yield return (layer.Path + ".bias", layer.Spec.Filters);
                    }
                    break;
                case LayerKind.BatchNorm:
                    yield return (layer.Path + ".weight", layer.In.C);
                    yield return (layer.Path + ".bias", layer.In.C);
                    break;
                case LayerKind.Dense:
                    yield return (layer.Path + ".weight", layer.In.Elements * layer.Spec.Units);
                    if (layer.Spec.Bias)
                    {
                        yield return (layer.Path + ".bias", layer.Spec.Units);
                    }
                    break;
            }
            foreach (var inner in ParameterNames(layer.Paths.SelectMany(p => p.Layers)))
            {
                yield return inner;
            }
        }
    }

    /// <summary><c>[f"{n} {p.numel()}" for n, p in torchvision.models.resnet18().named_parameters()]</c> (torchvision 0.14).</summary>
    private static readonly string[] TorchvisionResNet18 = """
        conv1.weight 9408
        bn1.weight 64
        bn1.bias 64
        layer1.0.conv1.weight 36864
        layer1.0.bn1.weight 64
        layer1.0.bn1.bias 64
        layer1.0.conv2.weight 36864
        layer1.0.bn2.weight 64
        layer1.0.bn2.bias 64
        layer1.1.conv1.weight 36864
        layer1.1.bn1.weight 64
        layer1.1.bn1.bias 64
        layer1.1.conv2.weight 36864
        layer1.1.bn2.weight 64
        layer1.1.bn2.bias 64
        layer2.0.conv1.weight 73728
        layer2.0.bn1.weight 128
        layer2.0.bn1.bias 128
        layer2.0.conv2.weight 147456
        layer2.0.bn2.weight 128
        layer2.0.bn2.bias 128
        layer2.0.downsample.0.weight 8192
        layer2.0.downsample.1.weight 128
        layer2.0.downsample.1.bias 128
        layer2.1.conv1.weight 147456
        layer2.1.bn1.weight 128
        layer2.1.bn1.bias 128
        layer2.1.conv2.weight 147456
        layer2.1.bn2.weight 128
        layer2.1.bn2.bias 128
        layer3.0.conv1.weight 294912
        layer3.0.bn1.weight 256
        layer3.0.bn1.bias 256
        layer3.0.conv2.weight 589824
        layer3.0.bn2.weight 256
        layer3.0.bn2.bias 256
        layer3.0.downsample.0.weight 32768
        layer3.0.downsample.1.weight 256
        layer3.0.downsample.1.bias 256
        layer3.1.conv1.weight 589824
        layer3.1.bn1.weight 256
        layer3.1.bn1.bias 256
        layer3.1.conv2.weight 589824
        layer3.1.bn2.weight 256
        layer3.1.bn2.bias 256
        layer4.0.conv1.weight 1179648
        layer4.0.bn1.weight 512
        layer4.0.bn1.bias 512
        layer4.0.conv2.weight 2359296
        layer4.0.bn2.weight 512
        layer4.0.bn2.bias 512
        layer4.0.downsample.0.weight 131072
        layer4.0.downsample.1.weight 512
        layer4.0.downsample.1.bias 512
        layer4.1.conv1.weight 2359296
        layer4.1.bn1.weight 512
        layer4.1.bn1.bias 512
        layer4.1.conv2.weight 2359296
        layer4.1.bn2.weight 512
        layer4.1.bn2.bias 512
        fc.weight 512000
        fc.bias 1000
        """.Split('\n');
}
