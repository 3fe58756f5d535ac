using System;

namespace Cnn.Dsl.Tests.Network;

/// <summary>
/// Batch-1 inference takes its own kernels (direct convolution, unpacked dense rows): every golden
/// network, run on each of its samples alone, must still reproduce PyTorch's evaluation output, with
/// one worker and with two.
/// </summary>
public sealed class SingleSampleTests
{
    [Theory]
    [MemberData(nameof(GoldenFile.Names), MemberType = typeof(GoldenFile))]
    public void Each_sample_evaluated_alone_matches_PyTorch(string name)
    {
        using var golden = new GoldenFile(name);
        using var single = golden.CreateNetwork(seed: 1);
        using var pair = golden.CreateNetwork(seed: 1, workers: 2);
        golden.LoadInitialState(single);
        golden.LoadInitialState(pair);
        var expected = golden.Floats("output.eval");
        int inputLength = single.InputShape.Elements, outputLength = single.OutputShape.Elements;
        for (var s = 0; s < golden.Batch; s++)
        {
            var sample = golden.Input.AsSpan(s * inputLength, inputLength).ToArray();
            var alone = single.Forward(sample, 1).ToArray();
            NumericAssert.Close(expected.AsSpan(s * outputLength, outputLength), alone, 1e-4, $"{name} sample {s}");
            Assert.Equal(alone, pair.Forward(sample, 1).ToArray());
        }
    }
}
