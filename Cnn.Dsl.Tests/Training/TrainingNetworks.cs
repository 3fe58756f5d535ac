using System;
using Cnn.Dsl;
using Cnn.Runtime.Data;
using Cnn.Runtime.Model;

namespace Cnn.Dsl.Tests.Training;

/// <summary>A small classifier with every stateful piece a checkpoint must carry: BatchNorm statistics and counters, dropout masks.</summary>
[Network(1, 6, 6)]
[Conv(4, 3, pad: 1), BatchNorm, Relu, MaxPool(2)]
[Flatten, Dropout(0.2), Dense(3)]
public partial class TinyClassifier;

/// <summary>Synthetic data the tiny networks can learn quickly.</summary>
internal static class SyntheticData
{
    public static readonly TensorShape Shape = new(1, 6, 6, false);

    /// <summary>
    /// <paramref name="count"/> 6×6 images of 3 classes: noise in [0, 0.3) with a bright band on rows
    /// 2c and 2c+1 for class c. Labels cycle 0, 1, 2 so every class has the same share.
    /// </summary>
    public static Dataset Bands(int count, int seed)
    {
        var random = new Random(seed);
        var images = new float[count * 36];
        var labels = new int[count];
        for (var n = 0; n < count; n++)
        {
            var label = n % 3;
            labels[n] = label;
            for (var i = 0; i < 36; i++)
            {
                var row = i / 6;
                var band = row / 2 == label;
                images[n * 36 + i] = (float)(random.NextDouble() * 0.3 + (band ? 0.6 : 0));
            }
        }
        return new Dataset(images, labels, Shape, 3);
    }

    /// <summary>The images of <paramref name="data"/> with labels drawn at random: nothing to learn.</summary>
    public static Dataset Shuffled(Dataset data, int seed)
    {
        var random = new Random(seed);
        var labels = new int[data.Count];
        for (var n = 0; n < labels.Length; n++)
        {
            labels[n] = random.Next(3);
        }
        return new Dataset(data.Images.ToArray(), labels, data.SampleShape, 3);
    }
}
