using System;
using System.IO;
using Cnn.Runtime.Weights;

namespace Cnn.Dsl.Tests.Network;

/// <summary>
/// One-sample inference runs LeNet-5's first convolution, ReLU and pooling as one pooled convolution
/// (<c>LayerOps.ConvMaxPoolRelu</c>, <c>DirectConvPool</c> on Vector512): each sample predicted alone must reproduce PyTorch's
/// output with PyTorch's weights, on one worker and on two, and a training-mode pass (which keeps the convolution's output
/// for backward) must give the same logits.
/// </summary>
public sealed class PooledConvolutionTests
{
    private static readonly string GoldenFolder = Path.Combine(AppContext.BaseDirectory, "Golden");

    [Fact]
    public void LeNet5_samples_predicted_alone_reproduce_PyTorchs_output()
    {
        using var single = new Golden.LeNet5(seed: 123);
        using var pair = new Golden.LeNet5(seed: 7, workers: 2);
        single.Load(Path.Combine(GoldenFolder, "lenet5_state_dict.safetensors"));
        pair.Load(Path.Combine(GoldenFolder, "lenet5_state_dict.safetensors"));
        using var expected = SafeTensorsReader.Open(Path.Combine(GoldenFolder, "lenet5_expected.safetensors"));
        var input = expected.ReadFloats("input");
        var output = expected.ReadFloats("output");
        for (var n = 0; n < input.Length / 784; n++)
        {
            var sample = input.AsSpan(n * 784, 784).ToArray();
            var alone = single.Predict(sample, 1).ToArray();
            NumericAssert.Close(output.AsSpan(n * 10, 10), alone, 1e-4, $"sample {n}");
            Assert.Equal(alone, pair.Predict(sample, 1).ToArray());
            NumericAssert.Close(single.Forward(sample, 1, training: true).ToArray(), alone, 1e-5, $"sample {n}, training-mode pass");
        }
    }
}
