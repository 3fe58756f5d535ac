using System;
using System.Linq;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Kernels.Reference;

namespace Cnn.Dsl.Tests.Kernels;

public class LossTests
{
    public static TheoryData<CpuPath> Paths => KernelAssert.Paths();

    [Theory]
    [MemberData(nameof(Paths))]
    public void Softmax_cross_entropy_matches_the_reference_and_its_gradient_finite_differences(CpuPath path)
    {
        foreach (var (n, classes) in new[] { (1, 1), (3, 7), (17, 10), (5, 33) })
        {
            var logits = KernelAssert.Random(n * classes, 1, 30f);
            var labels = Enumerable.Range(0, n).Select(i => (i * 7) % classes).ToArray();
            var dLogits = new float[logits.Length];
            var loss = Losses.SoftmaxCrossEntropy(n, classes, logits, labels, dLogits, path: path);
            var expected = ReferenceLosses.SoftmaxCrossEntropy<double>(n, classes, KernelAssert.ToDouble(logits), labels);
            Assert.Equal(expected, loss, 1e-4 * (1 + expected));
            var numeric = KernelAssert.NumericalGradient(z => ReferenceLosses.SoftmaxCrossEntropy<double>(n, classes, z, labels), KernelAssert.ToDouble(logits));
            KernelAssert.Close(numeric, dLogits, 1e-4, 1e-6, $"dlogits {n}×{classes}");
            Assert.Equal(loss, Losses.SoftmaxCrossEntropy(n, classes, logits, labels, [], path: path), 1e-5);
        }
    }

    [Fact]
    public void Halves_with_the_whole_batch_as_divisor_add_up_to_the_whole()
    {
        int n = 8, classes = 5;
        var logits = KernelAssert.Random(n * classes, 2, 4f);
        var labels = Enumerable.Range(0, n).Select(i => i % classes).ToArray();
        var whole = new float[logits.Length];
        var split = new float[logits.Length];
        var loss = Losses.SoftmaxCrossEntropy(n, classes, logits, labels, whole);
        var first = Losses.SoftmaxCrossEntropy(3, classes, logits, labels, split, meanOver: n);
        var second = Losses.SoftmaxCrossEntropy(5, classes, logits.AsSpan(3 * classes), labels.AsSpan(3), split.AsSpan(3 * classes), meanOver: n);
        Assert.Equal(loss, first + second, 1e-5);
        KernelAssert.Close(KernelAssert.ToDouble(whole), split, 1e-6, 1e-7, "split dlogits");
    }

    [Fact]
    public void Extreme_logits_stay_finite_and_bad_labels_are_refused()
    {
        var logits = new float[] { 1e4f, -1e4f, 0f };
        var d = new float[3];
        var loss = Losses.SoftmaxCrossEntropy(1, 3, logits, [1], d);
        Assert.Equal(2e4f, loss, 1f);
        Assert.True(d.All(float.IsFinite));
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.SoftmaxCrossEntropy(1, 3, logits, [3], d));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Mean_squared_error_and_its_gradient(CpuPath path)
    {
        foreach (var length in new[] { 1, 7, 33, 2500 })
        {
            var p = KernelAssert.Random(length, 3);
            var t = KernelAssert.Random(length, 4);
            var d = new float[length];
            var loss = Losses.MeanSquaredError(p, t, d, path: path);
            var td = KernelAssert.ToDouble(t);
            Assert.Equal(ReferenceLosses.MeanSquaredError<double>(KernelAssert.ToDouble(p), td), loss, 1e-5);
            var numeric = KernelAssert.NumericalGradient(v => ReferenceLosses.MeanSquaredError<double>(v, td), KernelAssert.ToDouble(p));
            KernelAssert.Close(numeric, d, 1e-4, 1e-7, "mse grad");
        }
    }

    [Fact]
    public void Count_correct_takes_the_first_maximum()
        => Assert.Equal(2, Losses.CountCorrect(3, 3, [0, 2, 1, 5, 5, 0, 0, 0, 1], [1, 0, 0]));
}
