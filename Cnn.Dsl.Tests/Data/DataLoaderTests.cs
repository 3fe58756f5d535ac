using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Cnn.Dsl.Tests.Infrastructure;
using Cnn.Runtime.Data;
using Cnn.Runtime.Data.Augmentations;
using Cnn.Runtime.Model;

namespace Cnn.Dsl.Tests.Data;

public sealed class DataLoaderTests
{
    private static readonly TensorShape Rgb6x5 = new(3, 6, 5);

    /// <summary>Samples whose pixels vary (so augmentations change them) and whose label is the index mod 10.</summary>
    private static Dataset Samples(int count, TensorShape shape)
    {
        var images = new float[count * shape.Elements];
        for (var i = 0; i < images.Length; i++)
        {
            images[i] = (i * 7919 % 1000) / 999f;
        }
        return new Dataset(images, Enumerable.Range(0, count).Select(i => i % 10).ToArray(), shape, 10);
    }

    private static DataLoaderOptions Augmented(ulong seed) => new()
    {
        Seed = seed,
        Augmentations = [new RandomCrop(2), new RandomHorizontalFlip(), new RandomAffine(15, 0.1f), new ColorJitter(0.4f, 0.4f, 0.4f)],
        Normalization = new ChannelNormalization([0.5f, 0.4f, 0.3f], [0.2f, 0.25f, 0.3f]),
    };

    /// <summary>Copies of an epoch's batches (the loader refills one buffer).</summary>
    private static List<(int[] Indices, int[] Labels, float[] Images)> Epoch(DataLoader loader, int epoch)
    {
        var batches = new List<(int[] Indices, int[] Labels, float[] Images)>();
        foreach (var batch in loader.Epoch(epoch))
        {
            batches.Add((batch.Indices.ToArray(), batch.Labels.ToArray(), batch.Images.ToArray()));
        }
        return batches;
    }

    [Fact]
    public void Each_epoch_visits_every_sample_once_in_batches_of_the_batch_size()
    {
        var loader = new DataLoader(Samples(23, Rgb6x5), 5);

        var batches = Epoch(loader, 0);

        Assert.Equal(5, loader.BatchCount);
        Assert.Equal([5, 5, 5, 5, 3], batches.Select(b => b.Indices.Length));
        Assert.Equal(Enumerable.Range(0, 23), batches.SelectMany(b => b.Indices).Order());
        Assert.NotEqual(Enumerable.Range(0, 23), batches.SelectMany(b => b.Indices));
        foreach (var (indices, labels, images) in batches)
        {
            for (var i = 0; i < indices.Length; i++)
            {
                Assert.Equal(indices[i] % 10, labels[i]);
                Assert.Equal(loader.Dataset.Image(indices[i]).ToArray(), images.AsSpan(i * Rgb6x5.Elements, Rgb6x5.Elements).ToArray());
            }
        }
    }

    [Fact]
    public void Drop_last_skips_the_partial_batch()
    {
        var loader = new DataLoader(Samples(23, Rgb6x5), 5, new DataLoaderOptions { DropLast = true });

        Assert.Equal(4, loader.BatchCount);
        Assert.All(Epoch(loader, 0), b => Assert.Equal(5, b.Indices.Length));
        Assert.Throws<ArgumentException>(() => new DataLoader(Samples(3, Rgb6x5), 5, new DataLoaderOptions { DropLast = true }));
    }

    [Fact]
    public void Without_shuffle_batches_follow_dataset_order()
    {
        var loader = new DataLoader(Samples(7, Rgb6x5), 3, new DataLoaderOptions { Shuffle = false });

        Assert.Equal(Enumerable.Range(0, 7), Epoch(loader, 4).SelectMany(b => b.Indices));
    }

    [Fact]
    public void Same_seed_gives_the_same_batches_and_other_seeds_or_epochs_other_orders()
    {
        var data = Samples(40, Rgb6x5);
        var first = new DataLoader(data, 8, Augmented(7));
        var again = new DataLoader(data, 8, Augmented(7));
        var otherSeed = new DataLoader(data, 8, Augmented(8));

        var reference = Epoch(first, 2);

        Assert.Equal(reference, Epoch(again, 2), BatchComparer.Instance);
        Assert.NotEqual(reference.SelectMany(b => b.Indices), Epoch(otherSeed, 2).SelectMany(b => b.Indices));
        Assert.NotEqual(reference.SelectMany(b => b.Indices), Epoch(first, 3).SelectMany(b => b.Indices));
        // An epoch's order never depends on the epochs visited before it.
        Assert.Equal(reference, Epoch(first, 2), BatchComparer.Instance);
    }

    [Fact]
    public void A_sample_is_augmented_the_same_whatever_batch_size_or_fill_order()
    {
        var data = Samples(30, Rgb6x5);
        var bySample = new DataLoader(data, 1, Augmented(11) with { Shuffle = false });
        var byBatch = new DataLoader(data, 7, Augmented(11));

        // Fill byBatch's batches concurrently, last first, into buffers of their own.
        var batches = Enumerable.Range(0, byBatch.BatchCount).Select(_ => byBatch.CreateBatch()).ToArray();
        Parallel.For(0, batches.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, k => byBatch.Fill(5, batches.Length - 1 - k, batches[batches.Length - 1 - k]));

        var single = bySample.CreateBatch();
        foreach (var batch in batches)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                bySample.Fill(5, batch.Indices[i], single);
                Assert.Equal(single.Images.ToArray(), batch.Images.Slice(i * Rgb6x5.Elements, Rgb6x5.Elements).ToArray());
            }
        }
    }

    [Fact]
    public void Augmentations_change_samples_and_normalization_follows_them()
    {
        var data = Samples(10, Rgb6x5);
        var normalization = new ChannelNormalization([0.5f, 0.4f, 0.3f], [0.2f, 0.25f, 0.3f]);
        var plain = new DataLoader(data, 10, new DataLoaderOptions { Shuffle = false, Normalization = normalization });
        var augmented = new DataLoader(data, 10, Augmented(3) with { Shuffle = false });

        var plainImages = Epoch(plain, 0)[0].Images;
        var augmentedImages = Epoch(augmented, 0)[0].Images;

        Assert.NotEqual(plainImages, augmentedImages);
        // Plain: exactly (x − mean) / std for channel 2 of sample 4.
        var offset = 4 * Rgb6x5.Elements + 2 * 30 + 13;
        Assert.Equal((data.Images[offset] - 0.3f) / 0.3f, plainImages[offset]);
        // Augmented values were in [0, 1] before normalization.
        for (var i = 0; i < augmentedImages.Length; i++)
        {
            var channel = i % Rgb6x5.Elements / 30;
            var raw = augmentedImages[i] * normalization.Std[channel] + normalization.Mean[channel];
            Assert.InRange(raw, -1e-5f, 1 + 1e-5f);
        }
    }

    [Fact]
    public void Filling_allocates_nothing_after_warm_up()
    {
        var loader = new DataLoader(Samples(64, Rgb6x5), 16, Augmented(1));
        // Warm-up: the first epoch creates the loader's batch.
        foreach (var _ in loader.Epoch(0))
        {
        }

        var epoch = 0;
        var seen = 0;
        AllocationAssert.SteadyStateAllocatesNothing(() =>
        {
            epoch++;
            foreach (var batch in loader.Epoch(epoch))
            {
                seen += batch.Count;
            }
        }, passesPerWindow: 3, warmUpPasses: 0);

        Assert.Equal(epoch * 64, seen);
    }

    [Fact]
    public void Mismatched_options_are_refused_when_the_loader_is_built()
    {
        var gray = Samples(4, new TensorShape(1, 4, 4));

        Assert.Throws<ArgumentException>(() => new DataLoader(gray, 2, new DataLoaderOptions { Normalization = Cifar10.Normalization }));
        Assert.Throws<ArgumentException>(() => new DataLoader(gray, 2, new DataLoaderOptions { Augmentations = [new ColorJitter(saturation: 0.2f)] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(gray, 0));
        var loader = new DataLoader(gray, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => loader.Fill(0, 2, loader.CreateBatch()));
        Assert.Throws<ArgumentException>(() => loader.Fill(0, 0, new DataLoader(gray, 3).CreateBatch()));
    }

    private sealed class BatchComparer : IEqualityComparer<(int[] Indices, int[] Labels, float[] Images)>
    {
        public static readonly BatchComparer Instance = new();

        public bool Equals((int[] Indices, int[] Labels, float[] Images) x, (int[] Indices, int[] Labels, float[] Images) y) =>
            x.Indices.SequenceEqual(y.Indices) && x.Labels.SequenceEqual(y.Labels) && x.Images.SequenceEqual(y.Images);

        public int GetHashCode((int[] Indices, int[] Labels, float[] Images) obj) => obj.Indices.Length;
    }
}
