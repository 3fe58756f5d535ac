using System;
using Cnn.Runtime.Data;
using Cnn.Runtime.Model;

namespace Cnn.Dsl.Tests.Data;

public sealed class DatasetTests
{
    private static readonly TensorShape Gray2x2 = new(1, 2, 2);

    [Fact]
    public void From_bytes_divides_by_255_and_infers_the_class_count()
    {
        var dataset = Dataset.FromBytes([0, 51, 255, 128], [2], Gray2x2);

        Assert.Equal([0f, 0.2f, 1f, 128 / 255f], dataset.Images.ToArray());
        Assert.Equal(3, dataset.ClassCount);
        Assert.Equal(4, dataset.SampleSize);
    }

    [Fact]
    public void Arrays_must_agree_with_the_shape_and_labels_with_the_class_count()
    {
        Assert.Throws<ArgumentException>(() => new Dataset(new float[7], [0, 1], Gray2x2));
        Assert.Throws<ArgumentException>(() => new Dataset(new float[4], [-1], Gray2x2));
        var outside = Assert.Throws<ArgumentException>(() => new Dataset(new float[8], [0, 10], Gray2x2, classCount: 10));
        Assert.StartsWith("label 10 at index 1 is outside 0–9", outside.Message);
        Assert.Throws<ArgumentException>(() => new Dataset(new float[4], [0], new TensorShape(4, 1, 1, IsVector: true)));
    }

    [Fact]
    public void Split_per_class_keeps_each_class_in_proportion_and_in_order()
    {
        // 10 samples of class 0, 5 of class 1, interleaved; the value of sample i is i.
        var labels = new int[15];
        for (var i = 0; i < 15; i++)
        {
            labels[i] = i % 3 == 2 ? 1 : 0;
        }
        var images = new float[15 * 4];
        for (var i = 0; i < images.Length; i++)
        {
            images[i] = i / 4;
        }
        var dataset = new Dataset(images, labels, Gray2x2);

        var (first, second) = dataset.SplitPerClass(0.2);

        Assert.Equal([8, 4], first.ClassCounts());
        Assert.Equal([2, 1], second.ClassCounts());
        // The last 20% of each class, in dataset order: class 0's last two are samples 12 and 13, class 1's last is 14.
        Assert.Equal([12f, 13f, 14f], [second.Image(0)[0], second.Image(1)[0], second.Image(2)[0]]);
        Assert.Equal(0f, first.Image(0)[0]);
    }

    [Fact]
    public void Subset_copies_samples_in_the_given_order()
    {
        var dataset = new Dataset([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3], [0, 1, 2], Gray2x2);

        var subset = dataset.Subset([2, 0]);

        Assert.Equal([3f, 3f, 3f, 3f, 1f, 1f, 1f, 1f], subset.Images.ToArray());
        Assert.Equal([2, 0], subset.Labels.ToArray());
        Assert.Equal(3, subset.ClassCount);
    }

    [Fact]
    public void Measured_normalization_gives_each_channel_mean_0_and_std_1()
    {
        var images = new float[3 * 2 * 4];
        for (var i = 0; i < images.Length; i++)
        {
            images[i] = (i * 37 % 11) / 10f;
        }
        var shape = new TensorShape(2, 2, 2);
        var dataset = new Dataset(images, [0, 1, 0], shape);

        var normalization = ChannelNormalization.Measure(dataset);
        var normalized = (float[])images.Clone();
        for (var i = 0; i < 3; i++)
        {
            normalization.Apply(normalized.AsSpan(i * 8, 8), shape);
        }

        for (var c = 0; c < 2; c++)
        {
            double sum = 0, squares = 0;
            for (var i = 0; i < 3; i++)
            {
                foreach (var v in normalized.AsSpan(i * 8 + c * 4, 4))
                {
                    sum += v;
                    squares += v * v;
                }
            }
            Assert.Equal(0, sum / 12, 5);
            Assert.Equal(1, squares / 12, 5);
        }
    }

    [Fact]
    public void Normalization_needs_positive_deviations_and_one_per_mean()
    {
        Assert.Throws<ArgumentException>(() => new ChannelNormalization([0.5f], [0f]));
        Assert.Throws<ArgumentException>(() => new ChannelNormalization([0.5f, 0.5f], [1f]));
    }
}
