using System;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Inverted dropout (PyTorch's Dropout in training): each value is kept with probability 1 − rate and
/// scaled by 1/(1 − rate), so inference is the identity. The mask is a pure function of
/// (seed, step, global sample index, element index) through <see cref="CounterRng"/>: the same on every
/// path and whichever worker runs the sample. It is saved as the per-element factor (0 or 1/(1 − rate)).
/// </summary>
public static class InvertedDropout
{
    /// <summary><c>mask = keep ? 1/(1 − rate) : 0</c>, <c>y = x·mask</c>.</summary>
    /// <param name="n">Samples in this call.</param>
    /// <param name="sampleLength">Floats per sample.</param>
    /// <param name="x">Input, [n, sampleLength].</param>
    /// <param name="y">Output (may be x).</param>
    /// <param name="mask">Receives the factors, [n, sampleLength].</param>
    /// <param name="rate">Drop probability in [0, 1).</param>
    /// <param name="seed">The run's seed.</param>
    /// <param name="step">The training step (so each step draws a new mask).</param>
    /// <param name="firstSample">Index in the whole batch of this call's first sample (a worker's offset).</param>
    /// <param name="path">The instruction set to use.</param>
    public static void Forward(int n, int sampleLength, ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float rate, ulong seed, long step, int firstSample, CpuPath path = CpuPath.Auto)
    {
        if (rate < 0f || rate >= 1f)
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "Dropout rate must be in [0, 1).");
        }
        var scale = 1f / (1f - rate);
        // Drop when the top 24 bits fall below rate·2²⁴.
        var threshold = (uint)Math.Round(rate * (1 << 24));
        var resolved = CpuPaths.Resolve(path);
        for (var s = 0; s < n; s++)
        {
            var key = CounterRng.SampleKey(seed, step, firstSample + s);
            var factors = mask.Slice(s * sampleLength, sampleLength);
            var i = 0;
            if (resolved == CpuPath.Vector512)
            {
                var lanes = Vector512.CreateSequence(0u, 1u);
                for (; i <= sampleLength - Vector512<float>.Count; i += Vector512<float>.Count)
                {
                    var bits = Vector512.ShiftRightLogical(CounterRng.Bits(key, lanes + Vector512.Create((uint)i)), 8);
                    var keep = Vector512.GreaterThanOrEqual(bits, Vector512.Create(threshold)).AsSingle();
                    (keep & Vector512.Create(scale)).CopyTo(factors[i..]);
                }
            }
            else if (resolved == CpuPath.Vector256)
            {
                var lanes = Vector256.CreateSequence(0u, 1u);
                for (; i <= sampleLength - Vector256<float>.Count; i += Vector256<float>.Count)
                {
                    var bits = Vector256.ShiftRightLogical(CounterRng.Bits(key, lanes + Vector256.Create((uint)i)), 8);
                    var keep = Vector256.GreaterThanOrEqual(bits, Vector256.Create(threshold)).AsSingle();
                    (keep & Vector256.Create(scale)).CopyTo(factors[i..]);
                }
            }
            for (; i < sampleLength; i++)
            {
                factors[i] = CounterRng.Bits(key, (uint)i) >> 8 >= threshold ? scale : 0f;
            }
        }
        Elementwise.Map(default(MultiplyOp), x[..(n * sampleLength)], mask, y, path);
    }

    /// <summary><c>dx = dy·mask</c>.</summary>
    /// <param name="dy">Output gradient.</param>
    /// <param name="mask">The factors the forward pass saved.</param>
    /// <param name="dx">Input gradient (may be dy).</param>
    /// <param name="path">The instruction set to use.</param>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> mask, Span<float> dx, CpuPath path = CpuPath.Auto)
        => Elementwise.Map(default(MultiplyOp), dy, mask, dx, path);
}
