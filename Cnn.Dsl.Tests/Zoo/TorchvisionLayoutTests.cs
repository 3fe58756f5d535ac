using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using Cnn.Examples.Models;
using Cnn.Runtime.Model;

namespace Cnn.Dsl.Tests.Zoo;

/// <summary>
/// The generated layouts against torchvision's own state_dicts (written by
/// <c>Torchvision/state_dicts.py</c>, num_batches_tracked left out): the same tensors, shapes and
/// order, and for the networks written with torchvision's names, the same names, so its weights
/// load without renaming.
/// </summary>
public class TorchvisionLayoutTests
{
    public static TheoryData<string> NamedLikeTorchvision => new() { "resnet18", "resnet50", "googlenet" };

    [Theory]
    [MemberData(nameof(NamedLikeTorchvision))]
    public void Names_and_shapes_are_torchvisions_in_its_order(string network)
    {
        var expected = Torchvision(network);
        var actual = Layout(network).Select(p => p.Name + " " + string.Join(",", p.Shape)).ToList();

        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("alexnet")]
    [InlineData("vgg16")]
    public void Shapes_are_torchvisions_in_its_order(string network)
    {
        // torchvision names these by position in nn.Sequential (features.0); the DSL's are conv1, dense1….
        var expected = Torchvision(network).Select(line => line.Split(' ')[1]);
        var actual = Layout(network).Select(p => string.Join(",", p.Shape));

        Assert.Equal(expected, actual);
    }

    private static IReadOnlyList<ParameterInfo> Layout(string network) => network switch
    {
        "alexnet" => AlexNet.ParameterLayout,
        "vgg16" => Vgg16.ParameterLayout,
        "resnet18" => ResNet18.ParameterLayout,
        "resnet50" => ResNet50.ParameterLayout,
        "googlenet" => GoogLeNet.ParameterLayout,
        _ => throw new System.ArgumentException(network),
    };

    private static List<string> Torchvision(string network, [CallerFilePath] string here = "") =>
        File.ReadAllLines(Path.Combine(Path.GetDirectoryName(here)!, "Torchvision", network + ".txt")).Where(l => l.Length > 0).ToList();
}
