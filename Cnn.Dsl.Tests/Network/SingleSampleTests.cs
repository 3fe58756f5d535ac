using System;
using System.Linq;
using Cnn.Dsl.Tests.Infrastructure;
using Cnn.Runtime.Network;

namespace Cnn.Dsl.Tests.Network;

/// <summary>
/// Batch-1 inference takes its own kernels (direct convolution, unpacked dense rows): every golden
/// network, run on each of its samples alone, must still reproduce PyTorch's evaluation output, with
/// one worker and with two; outputs must not depend on the worker count, and a pass must not allocate.
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

    [Fact]
    public void One_sample_passes_are_bit_identical_for_any_worker_count_and_close_to_the_batched_pass()
    {
        const int samples = 24;
        using var one = new Work.Wide(seed: 3, workers: 1);
        using var two = new Work.Wide(seed: 3, workers: 2);
        using var three = new Work.Wide(seed: 3, workers: 3);
        var length = one.InputShape.Elements;
        var input = new float[samples * length];
        new SeededRandom(5).FillUniform(input, -1f, 1f);
        OneSampleAssert.WorkerCountsAgree(one, two, three, input, samples, batchedBetween: false);
    }

    [Fact]
    public void One_sample_passes_allocate_nothing_after_warm_up()
    {
        using var network = new Work.Wide(seed: 3, workers: 2);
        var sample = Enumerable.Range(0, network.InputShape.Elements).Select(i => (float)Math.Sin(i)).ToArray();
        AllocationAssert.SteadyStateAllocatesNothing(() => network.Predict(sample, 1), passesPerWindow: 100);
    }
}
