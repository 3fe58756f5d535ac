using System.Collections.Generic;
using Cnn.Benchmarks.Models;
using Cnn.Benchmarks.Profiling;

namespace Cnn.Benchmarks;

/// <summary>
/// The four models of torch_reference.py. Each one's profile plan spells out the kernel geometries
/// of the DSL model; <see cref="ProfilePlan.Verify"/> checks it against the generated summary, so
/// the profile cannot drift from the network it claims to describe.
/// </summary>
internal static class ModelCatalog
{
    /// <summary>Every model, by name, in torch_reference.py's order.</summary>
    public static IReadOnlyDictionary<string, BenchmarkModel> All { get; } = new Dictionary<string, BenchmarkModel>
    {
        ["lenet5"] = new("lenet5", LeNet5.Summary, (seed, workers) => new LeNet5(seed, workers), static () => new ProfilePlan(LeNet5.Summary.Input)
            .Conv("conv1", 6, 5, pad: 2).Relu("relu1").MaxPool("maxpool1", 2)
            .Conv("conv2", 16, 5).Relu("relu2").MaxPool("maxpool2", 2)
            .Dense("dense1", 120).Relu("relu3").Dense("dense2", 84).Relu("relu4").Dense("dense3", 10)),
        ["bn2conv"] = new("bn2conv", Bn2Conv.Summary, (seed, workers) => new Bn2Conv(seed, workers), static () => new ProfilePlan(Bn2Conv.Summary.Input)
            .Conv("conv1", 32, 3, pad: 1).BatchNorm("bn1").Relu("relu1").MaxPool("maxpool1", 2)
            .Conv("conv2", 64, 3, pad: 1).BatchNorm("bn2").Relu("relu2").MaxPool("maxpool2", 2)
            .Dense("dense1", 128).Relu("relu3").Dropout("dropout1", 0.3f).Dense("dense2", 10)),
        ["simplecnn"] = new("simplecnn", SimpleCnn.Summary, (seed, workers) => new SimpleCnn(seed, workers), static () => new ProfilePlan(SimpleCnn.Summary.Input)
            .Conv("conv1", 32, 3, pad: 1).Relu("relu1").MaxPool("maxpool1", 2)
            .Conv("conv2", 64, 3, pad: 1).Relu("relu2").MaxPool("maxpool2", 2)
            .Dense("dense1", 512).Relu("relu3").Dense("dense2", 10)),
        ["resnet8"] = new("resnet8", ResNet8.Summary, (seed, workers) => new ResNet8(seed, workers), static () => new ProfilePlan(ResNet8.Summary.Input)
            .Conv("conv1", 16, 3, pad: 1, bias: false).BatchNorm("bn1").Relu("relu1")
            .Residual("res1", body => BasicBody(body, 16, 1)).Relu("relu2")
            .Residual("res2", body => BasicBody(body, 32, 2), shortcut => Projection(shortcut, 32, 2)).Relu("relu3")
            .Residual("res3", body => BasicBody(body, 64, 2), shortcut => Projection(shortcut, 64, 2)).Relu("relu4")
            .GlobalAvgPool("gap1").Dense("dense1", 10)),
    };

    private static void BasicBody(ProfilePlan plan, int filters, int stride) => plan
        .Conv("conv1", filters, 3, stride, pad: 1, bias: false).BatchNorm("bn1").Relu("relu1")
        .Conv("conv2", filters, 3, pad: 1, bias: false).BatchNorm("bn2");

    private static void Projection(ProfilePlan plan, int filters, int stride) => plan
        .Conv("conv1", filters, 1, stride, bias: false).BatchNorm("bn1");
}
