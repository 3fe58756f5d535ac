using System.Linq;
using Cnn.Runtime.Network;

namespace Cnn.Dsl.Tests.Network;

/// <summary>
/// Every golden network, generated from its DSL twin and loaded with PyTorch's initial state, must
/// reproduce PyTorch's evaluation output, training output, loss, running statistics after one
/// training forward, and every parameter gradient (relative 1e-4; values below 1% of a tensor's
/// largest are compared on that scale).
/// </summary>
public sealed class GoldenNetworkTests
{
    private const double Tolerance = 1e-4;

    private static NetworkBase Load(GoldenFile golden)
    {
        var network = golden.CreateNetwork(seed: 1);
        golden.LoadInitialState(network);
        return network;
    }

    [Theory]
    [MemberData(nameof(GoldenFile.Names), MemberType = typeof(GoldenFile))]
    public void Evaluation_output_matches_PyTorch(string name)
    {
        using var golden = new GoldenFile(name);
        using var network = Load(golden);
        var output = network.Forward(golden.Input, golden.Batch, training: false);
        NumericAssert.Close(golden.Floats("output.eval"), output, Tolerance, "output.eval");
    }

    [Theory]
    [MemberData(nameof(GoldenFile.Names), MemberType = typeof(GoldenFile))]
    public void Training_output_loss_statistics_and_gradients_match_PyTorch(string name)
    {
        using var golden = new GoldenFile(name);
        if (golden.EvalOnly)
        {
            return;
        }
        using var network = Load(golden);
        var output = network.Forward(golden.Input, golden.Batch, training: true);
        NumericAssert.Close(golden.Floats("output.train"), output, Tolerance, "output.train");
        var loss = network.Loss(golden.Labels);
        NumericAssert.Close(golden.Floats("loss"), [loss], Tolerance, "loss");
        foreach (var info in network.Layout.Where(i => i.IsBuffer))
        {
            NumericAssert.Close(golden.Floats("train_forward." + info.Name), network.Parameter(info.Name), Tolerance, "train_forward." + info.Name);
        }
        var counters = network.StateDictLayout.Counters;
        for (var i = 0; i < counters.Count; i++)
        {
            Assert.Equal(golden.Longs("train_forward." + counters[i])[0], network.BatchesTracked[i]);
        }
        network.Backward();
        foreach (var info in network.Layout.Where(i => !i.IsBuffer))
        {
            NumericAssert.Close(golden.Floats("grad." + info.Name), network.Gradient(info.Name), Tolerance, "grad." + info.Name);
        }
    }
}
