using System;
using System.Linq;
using Cnn.Runtime.Data;
using Cnn.Runtime.Data.Augmentations;
using Cnn.Runtime.Model;
using FsCheck;
using FsCheck.Fluent;

namespace Cnn.Dsl.Tests.Data;

public sealed class AugmentationTests
{
    /// <summary>A random shape (1 or 3 channels, 1–9 rows and columns) and a seed for the sample's values.</summary>
    private static readonly Arbitrary<(TensorShape Shape, int Seed)> Samples = Arb.From(
        from c in Gen.Elements(1, 3)
        from h in Gen.Choose(1, 9)
        from w in Gen.Choose(1, 9)
        from seed in Gen.Choose(0, int.MaxValue)
        select (new TensorShape(c, h, w), seed));

    private static float[] Values(TensorShape shape, int seed)
    {
        var random = new SampleRandom((ulong)seed, 99, 0);
        return Enumerable.Range(0, shape.Elements).Select(_ => random.NextSingle()).ToArray();
    }

    [Fact]
    public void Flip_reverses_rows_and_twice_is_the_identity()
    {
        var row = new float[] { 1, 2, 3, 4, 5, 6 };
        RandomHorizontalFlip.Flip(row, new TensorShape(2, 1, 3));
        Assert.Equal([3f, 2, 1, 6, 5, 4], row);

        Prop.ForAll(Samples, s =>
        {
            var original = Values(s.Shape, s.Seed);
            var sample = (float[])original.Clone();
            RandomHorizontalFlip.Flip(sample, s.Shape);
            RandomHorizontalFlip.Flip(sample, s.Shape);
            return sample.SequenceEqual(original);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Crop_at_the_centre_of_any_padding_is_the_identity()
    {
        Prop.ForAll(Samples, Arb.From(Gen.Choose(0, 5)), (s, padding) =>
        {
            var original = Values(s.Shape, s.Seed);
            var cropped = new float[original.Length];
            RandomCrop.Crop(original, cropped, s.Shape, padding, padding, padding, fill: 0.5f);
            return cropped.SequenceEqual(original);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Random_crop_without_padding_is_the_identity_and_with_padding_shifts_in_the_fill()
    {
        var shape = new TensorShape(1, 2, 2);
        var sample = new float[] { 1, 2, 3, 4 };
        var random = new SampleRandom(5, 0, 0);
        new RandomCrop(0).Apply(sample, shape, ref random, new float[4]);
        Assert.Equal([1f, 2, 3, 4], sample);

        var cornered = new float[4];
        RandomCrop.Crop([1, 2, 3, 4], cornered, shape, padding: 1, top: 0, left: 0, fill: 0);
        Assert.Equal([0f, 0, 0, 1], cornered);
        RandomCrop.Crop([1, 2, 3, 4], cornered, shape, padding: 1, top: 1, left: 2, fill: 9);
        Assert.Equal([2f, 9, 4, 9], cornered);
        RandomCrop.Crop([1, 2, 3, 4], cornered, shape, padding: 3, top: 0, left: 6, fill: 9);
        Assert.Equal([9f, 9, 9, 9], cornered);
    }

    [Fact]
    public void Affine_with_no_rotation_and_no_shift_is_the_identity()
    {
        Prop.ForAll(Samples, s =>
        {
            var original = Values(s.Shape, s.Seed);
            var result = new float[original.Length];
            RandomAffine.Transform(original, result, s.Shape, 0, 0, 0, fill: 0.5f);
            return result.SequenceEqual(original);
        }).QuickCheckThrowOnFailure();

        var sample = new float[] { 0.1f, 0.2f, 0.3f, 0.4f };
        var random = new SampleRandom(1, 2, 3);
        new RandomAffine(0).Apply(sample, new TensorShape(1, 2, 2), ref random, new float[4]);
        Assert.Equal([0.1f, 0.2f, 0.3f, 0.4f], sample);
    }

    [Fact]
    public void Affine_whole_pixel_shift_equals_the_padded_crop()
    {
        Prop.ForAll(Samples, Arb.From(Gen.Choose(-3, 3)), Arb.From(Gen.Choose(-3, 3)), (s, dx, dy) =>
        {
            var original = Values(s.Shape, s.Seed);
            var shifted = new float[original.Length];
            var cropped = new float[original.Length];
            RandomAffine.Transform(original, shifted, s.Shape, 0, dx, dy, fill: 0.25f);
            RandomCrop.Crop(original, cropped, s.Shape, padding: 3, top: 3 - dy, left: 3 - dx, fill: 0.25f);
            return shifted.SequenceEqual(cropped);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Affine_quarter_turn_moves_pixels_counter_clockwise()
    {
        var shape = new TensorShape(2, 5, 5);
        var original = Values(shape, 17);
        var rotated = new float[original.Length];

        RandomAffine.Transform(original, rotated, shape, 90, 0, 0, fill: 0);

        // Counter-clockwise on screen: output (x, y) shows source (w − 1 − y, x); the top row shows the right column.
        for (var c = 0; c < 2; c++)
        {
            for (var y = 0; y < 5; y++)
            {
                for (var x = 0; x < 5; x++)
                {
                    Assert.Equal(original[c * 25 + x * 5 + (4 - y)], rotated[c * 25 + y * 5 + x], 5);
                }
            }
        }
    }

    [Fact]
    public void Every_augmentation_keeps_values_in_range()
    {
        Augmentation[] pipeline = [new RandomCrop(3, fill: 1), new RandomHorizontalFlip(), new RandomAffine(30, 0.3f, fill: 0), new ColorJitter(0.8f, 0.8f)];
        Prop.ForAll(Samples, s =>
        {
            var sample = Values(s.Shape, s.Seed);
            var random = new SampleRandom((ulong)s.Seed, 1, 2);
            var scratch = new float[sample.Length];
            foreach (var augmentation in s.Shape.C == 3 ? [.. pipeline, new ColorJitter(saturation: 0.9f)] : pipeline)
            {
                augmentation.Apply(sample, s.Shape, ref random, scratch);
            }
            return sample.All(v => v is >= 0f and <= 1f);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Color_adjustments_at_factor_one_are_the_identity_and_at_zero_collapse()
    {
        var shape = new TensorShape(3, 2, 3);
        var original = Values(shape, 4);

        var same = (float[])original.Clone();
        ColorJitter.AdjustBrightness(same, 1);
        ColorJitter.AdjustContrast(same, shape, 1);
        ColorJitter.AdjustSaturation(same, shape, 1);
        Assert.Equal(original, same, new FloatTolerance(1e-6f));

        var grey = (float[])original.Clone();
        ColorJitter.AdjustSaturation(grey, shape, 0);
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(0.299f * original[i] + 0.587f * original[6 + i] + 0.114f * original[12 + i], grey[i], 6);
            Assert.Equal(grey[i], grey[6 + i]);
            Assert.Equal(grey[i], grey[12 + i]);
        }

        var flat = (float[])original.Clone();
        ColorJitter.AdjustContrast(flat, shape, 0);
        Assert.All(flat, v => Assert.Equal(flat[0], v));

        var dark = (float[])original.Clone();
        ColorJitter.AdjustBrightness(dark, 0);
        Assert.All(dark, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Flip_probability_is_honoured()
    {
        var shape = new TensorShape(1, 1, 2);
        var flip = new RandomHorizontalFlip(0.5f);
        var flipped = 0;
        for (var i = 0; i < 2000; i++)
        {
            var sample = new float[] { 0, 1 };
            var random = new SampleRandom(3, 0, i);
            flip.Apply(sample, shape, ref random, new float[2]);
            flipped += sample[0] == 1 ? 1 : 0;
        }
        Assert.InRange(flipped, 900, 1100);
    }

    [Fact]
    public void Invalid_settings_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomCrop(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomHorizontalFlip(1.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomAffine(200));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomAffine(10, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ColorJitter(brightness: float.NaN));
        Assert.Throws<ArgumentException>(() => new ColorJitter(contrast: 0.2f).Validate(new TensorShape(2, 4, 4)));
    }

    [Fact]
    public void Sample_random_is_uniform_enough_and_keyed()
    {
        var random = new SampleRandom(1, 2, 3);
        var counts = new int[7];
        for (var i = 0; i < 7000; i++)
        {
            counts[random.NextInt(7)]++;
        }
        Assert.All(counts, n => Assert.InRange(n, 850, 1150));
        Assert.Equal(new SampleRandom(1, 2, 3).NextUInt64(), new SampleRandom(1, 2, 3).NextUInt64());
        Assert.NotEqual(new SampleRandom(1, 2, 3).NextUInt64(), new SampleRandom(1, 2, 4).NextUInt64());
        Assert.NotEqual(new SampleRandom(1, 2, 3).NextUInt64(), new SampleRandom(1, 3, 3).NextUInt64());
    }

    private sealed class FloatTolerance(float tolerance) : System.Collections.Generic.IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
