using System;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Data.Augmentations;

/// <summary>
/// Random brightness, contrast and saturation changes (torchvision's <c>ColorJitter</c> without
/// hue), each factor uniform in [max(0, 1 − s), 1 + s] for its strength s, applied in that fixed
/// order and clamped to [0, 1]. Brightness scales the values; contrast blends with the mean
/// grey level; saturation (RGB only) blends each pixel with its own grey level, grey being
/// 0.299 R + 0.587 G + 0.114 B as in torchvision.
/// </summary>
public sealed class ColorJitter : Augmentation
{
    private const float Red = 0.299f, Green = 0.587f, Blue = 0.114f;

    /// <summary>Creates the jitter; a strength of 0 leaves that property alone.</summary>
    public ColorJitter(float brightness = 0f, float contrast = 0f, float saturation = 0f)
    {
        Brightness = Strength(brightness, nameof(brightness));
        Contrast = Strength(contrast, nameof(contrast));
        Saturation = Strength(saturation, nameof(saturation));
    }

    /// <summary>Brightness strength.</summary>
    public float Brightness { get; }

    /// <summary>Contrast strength.</summary>
    public float Contrast { get; }

    /// <summary>Saturation strength.</summary>
    public float Saturation { get; }

    /// <inheritdoc/>
    public override void Validate(TensorShape shape)
    {
        if (Saturation > 0 && shape.C != 3)
        {
            throw new ArgumentException($"saturation jitter needs RGB samples (3 channels), not {shape}");
        }
        if (Contrast > 0 && shape.C is not (1 or 3))
        {
            throw new ArgumentException($"contrast jitter needs grey (1 channel) or RGB (3 channels) samples, not {shape}");
        }
    }

    /// <inheritdoc/>
    public override void Apply(Span<float> sample, TensorShape shape, ref SampleRandom random, Span<float> scratch)
    {
        var brightness = Factor(ref random, Brightness);
        var contrast = Factor(ref random, Contrast);
        var saturation = Factor(ref random, Saturation);
        if (brightness != 1f)
        {
            AdjustBrightness(sample, brightness);
        }
        if (contrast != 1f)
        {
            AdjustContrast(sample, shape, contrast);
        }
        if (saturation != 1f)
        {
            AdjustSaturation(sample, shape, saturation);
        }
    }

    /// <summary><c>x ← clamp(f·x)</c>.</summary>
    public static void AdjustBrightness(Span<float> sample, float factor)
    {
        foreach (ref var v in sample)
        {
            v = Math.Clamp(v * factor, 0f, 1f);
        }
    }

    /// <summary><c>x ← clamp(m + f·(x − m))</c>, m the sample's mean grey level.</summary>
    public static void AdjustContrast(Span<float> sample, TensorShape shape, float factor)
    {
        var plane = shape.H * shape.W;
        double sum = 0;
        for (var i = 0; i < plane; i++)
        {
            sum += shape.C == 3 ? Grey(sample, plane, i) : sample[i];
        }
        var mean = (float)(sum / plane);
        foreach (ref var v in sample)
        {
            v = Math.Clamp(mean + factor * (v - mean), 0f, 1f);
        }
    }

    /// <summary><c>x ← clamp(g + f·(x − g))</c>, g each pixel's grey level (RGB samples).</summary>
    public static void AdjustSaturation(Span<float> sample, TensorShape shape, float factor)
    {
        var plane = shape.H * shape.W;
        for (var i = 0; i < plane; i++)
        {
            var grey = Grey(sample, plane, i);
            for (var c = 0; c < 3; c++)
            {
                ref var v = ref sample[c * plane + i];
                v = Math.Clamp(grey + factor * (v - grey), 0f, 1f);
            }
        }
    }

    private static float Grey(Span<float> sample, int plane, int i) =>
        Red * sample[i] + Green * sample[plane + i] + Blue * sample[2 * plane + i];

    private static float Factor(ref SampleRandom random, float strength) =>
        strength == 0 ? 1f : random.NextSingle(MathF.Max(0f, 1f - strength), 1f + strength);

    private static float Strength(float value, string name) =>
        value >= 0 && float.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, "a jitter strength must be a finite number ≥ 0");
}
