using System;
using Cnn.Dsl.Tests.Infrastructure;
using Cnn.Runtime.Kernels;

namespace Cnn.Dsl.Tests.Kernels;

/// <summary>A training step must not allocate: every kernel, once warmed up, allocates zero bytes.</summary>
public class AllocationTests
{
    [Theory]
    [MemberData(nameof(Paths))]
    public void Kernels_allocate_nothing_after_warm_up(CpuPath path)
    {
        const int n = 4;
        var conv = new ConvGeometry(3, 12, 12, 8, 3, pad: 1);
        var depthwise = new ConvGeometry(8, 12, 12, 8, 3, pad: 1, groups: 8);
        var convT = new ConvTransposeGeometry(8, 6, 6, 3, 2, stride: 2);
        var pool = new PoolGeometry(8, 12, 12, 2);
        var x = KernelAssert.Random(n * 8 * 12 * 12, 1);
        var y = new float[n * 8 * 12 * 12];
        var dx = new float[x.Length];
        var w = KernelAssert.Random(8 * 8 * 9, 2);
        var dw = new float[w.Length];
        var b = new float[8];
        var db = new float[8];
        var scratch = new float[Math.Max(Math.Max(Conv2d.ScratchLength(conv, n), DirectConv.ScratchLength(conv)), Math.Max(ConvTranspose2d.ScratchLength(convT, n), Linear.ScratchLength(n, 64, 8)))];
        var argmax = new int[y.Length];
        var stats = new float[4][];
        for (var i = 0; i < stats.Length; i++)
        {
            stats[i] = new float[8];
        }
        var sums = new double[16];
        var labels = new int[n];
        var mask = new float[x.Length];

        void Step()
        {
            Gemm.AB(16, 16, 16, x, w, y, false, scratch, path);
            Conv2d.Forward(conv, n, x, w, b, y, scratch, path);
            Conv2d.BackwardData(conv, n, y, w, dx, false, scratch, path);
            Conv2d.BackwardWeights(conv, n, x, y, dw, db, false, scratch, path);
            if (DirectConv.Supports(conv, path))
            {
                DirectConv.Forward(conv, n, x, w, b, y, scratch, path);
            }
            Conv2d.Forward(depthwise, n, x, w, b, y, scratch, path);
            Conv2d.BackwardData(depthwise, n, y, w, dx, true, scratch, path);
            Conv2d.BackwardWeights(depthwise, n, x, y, dw, db, true, scratch, path);
            ConvTranspose2d.Forward(convT, n, x, w, b, y, scratch, path);
            ConvTranspose2d.BackwardData(convT, n, y, w, dx, false, scratch, path);
            ConvTranspose2d.BackwardWeights(convT, n, x, y, dw, db, false, scratch, path);
            Linear.Forward(n, 64, 8, x, w, b, y, scratch, path);
            Linear.BackwardData(n, 64, 8, y, w, dx, false, scratch, path);
            Linear.BackwardWeights(n, 64, 8, x, y, dw, db, false, scratch, path);
            MaxPool2d.Forward(pool, n, x, y, argmax, path);
            MaxPool2d.Backward(pool, n, y, argmax, dx, false, path);
            AvgPool2d.Forward(pool, n, x, y, path);
            AvgPool2d.Backward(pool, n, y, dx, false, path);
            GlobalAvgPool2d.Forward(n, 8, 144, x, y, path);
            GlobalAvgPool2d.Backward(n, 8, 144, y, dx, false, path);
            BatchNorm2d.ForwardTraining(n, 8, 144, x, stats[0], stats[1], y, stats[2], stats[3], b, db, 0.1f, 1e-5f, sums, path);
            BatchNorm2d.Backward(n, 8, 144, x, y, stats[0], stats[2], stats[3], dx, b, db, false, sums, path);
            Activations.Relu(x, y, path);
            Activations.ReluBackward(y, x, dx, path);
            Activations.Gelu(x, y, path);
            Activations.GeluBackward(x, y, dx, path);
            Activations.Tanh(x, y, path);
            Activations.Softmax(n, 10, x, y, path);
            Activations.SoftmaxBackward(n, 10, y, x, dx, path);
            InvertedDropout.Forward(n, 100, x, y, mask, 0.5f, 1, 2, 0, path);
            InvertedDropout.Backward(y, mask, dx, path);
            Losses.SoftmaxCrossEntropy(n, 10, x, labels, dx, path: path);
            Losses.MeanSquaredError(x.AsSpan(0, 40), y.AsSpan(0, 40), dx, path: path);
            TensorOps.AddInPlace(y, x, path);
            ChannelConcat.Forward(n, 144, 8, 2, 3, x, y);
            ChannelConcat.Backward(n, 144, 8, 2, 3, y, dx, true, path);
        }

        AllocationAssert.SteadyStateAllocatesNothing(Step, passesPerWindow: 1, warmUpPasses: 1);
    }

    public static TheoryData<CpuPath> Paths => KernelAssert.Paths();
}
