using System;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Data.Augmentations;

/// <summary>
/// A small random rotation about the image centre plus a random translation, resampled
/// bilinearly, with <see cref="Fill"/> where the source falls outside the image (torchvision's
/// <c>RandomAffine(degrees, translate)</c>, with bilinear rather than nearest sampling and
/// sub-pixel rather than whole-pixel shifts).
/// </summary>
public sealed class RandomAffine : Augmentation
{
    /// <summary>Creates the transform.</summary>
    /// <param name="maxDegrees">The angle is uniform in [−maxDegrees, maxDegrees]; at most 180.</param>
    /// <param name="maxTranslate">Each shift is uniform in ±maxTranslate times the width (or height); in [0, 1).</param>
    /// <param name="fill">Value outside the source image.</param>
    public RandomAffine(float maxDegrees, float maxTranslate = 0f, float fill = 0f)
    {
        if (!(maxDegrees >= 0 && maxDegrees <= 180))
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegrees), maxDegrees, "the angle must be in [0, 180] degrees");
        }
        if (!(maxTranslate >= 0 && maxTranslate < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(maxTranslate), maxTranslate, "the translation must be a fraction of the size in [0, 1)");
        }
        MaxDegrees = maxDegrees;
        MaxTranslate = maxTranslate;
        Fill = fill;
    }

    /// <summary>Largest rotation either way, in degrees.</summary>
    public float MaxDegrees { get; }

    /// <summary>Largest shift either way, as a fraction of the width or height.</summary>
    public float MaxTranslate { get; }

    /// <summary>Value outside the source image.</summary>
    public float Fill { get; }

    /// <inheritdoc/>
    public override void Apply(Span<float> sample, TensorShape shape, ref SampleRandom random, Span<float> scratch)
    {
        var degrees = random.NextSingle(-MaxDegrees, MaxDegrees);
        var shiftX = random.NextSingle(-MaxTranslate, MaxTranslate) * shape.W;
        var shiftY = random.NextSingle(-MaxTranslate, MaxTranslate) * shape.H;
        var source = scratch[..sample.Length];
        sample.CopyTo(source);
        Transform(source, sample, shape, degrees, shiftX, shiftY, Fill);
    }

    /// <summary>
    /// Rotates <paramref name="source"/> by <paramref name="degrees"/> (counter-clockwise as
    /// displayed, rows running down) about its centre, then shifts it right by
    /// <paramref name="shiftX"/> and down by <paramref name="shiftY"/> pixels, into
    /// <paramref name="destination"/>. Each output pixel samples the source bilinearly at the
    /// inverse-mapped point; the result stays within the range of the source and fill values.
    /// </summary>
    public static void Transform(ReadOnlySpan<float> source, Span<float> destination, TensorShape shape, float degrees, float shiftX, float shiftY, float fill)
    {
        int h = shape.H, w = shape.W, plane = h * w;
        var (sin, cos) = Math.SinCos(degrees * Math.PI / 180);
        float centreX = (w - 1) / 2f, centreY = (h - 1) / 2f;
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                // Inverse map: source = R(−θ)·(output − centre − shift) + centre.
                float u = x - centreX - shiftX, v = y - centreY - shiftY;
                var sx = (float)(cos * u - sin * v) + centreX;
                var sy = (float)(sin * u + cos * v) + centreY;
                var x0 = (int)MathF.Floor(sx);
                var y0 = (int)MathF.Floor(sy);
                var at = y * w + x;
                if (x0 < -1 || x0 >= w || y0 < -1 || y0 >= h)
                {
                    for (var c = 0; c < shape.C; c++)
                    {
                        destination[c * plane + at] = fill;
                    }
                    continue;
                }
                float fx = sx - x0, fy = sy - y0;
                for (var c = 0; c < shape.C; c++)
                {
                    var channel = source.Slice(c * plane, plane);
                    var top = Lerp(Pixel(channel, w, h, x0, y0, fill), Pixel(channel, w, h, x0 + 1, y0, fill), fx);
                    var bottom = Lerp(Pixel(channel, w, h, x0, y0 + 1, fill), Pixel(channel, w, h, x0 + 1, y0 + 1, fill), fx);
                    destination[c * plane + at] = Lerp(top, bottom, fy);
                }
            }
        }
    }

    private static float Pixel(ReadOnlySpan<float> channel, int w, int h, int x, int y, float fill) =>
        (uint)x < (uint)w && (uint)y < (uint)h ? channel[y * w + x] : fill;

    // Clamped to the endpoints so rounding never carries a value past them (outputs stay in range).
    private static float Lerp(float a, float b, float t) =>
        Math.Clamp(a + (b - a) * t, MathF.Min(a, b), MathF.Max(a, b));
}
