using System;

namespace Cnn.Runtime.Data;

/// <summary>
/// A small random generator (SplitMix64) keyed by (seed, stream, index), so every sample of every
/// epoch gets its own sequence: augmentation results depend on the seed, the epoch and the
/// sample's dataset index, never on which thread or batch processed it.
/// </summary>
public struct SampleRandom
{
    private ulong _state;

    /// <summary>Starts the sequence for (<paramref name="seed"/>, <paramref name="stream"/>, <paramref name="index"/>).</summary>
    public SampleRandom(ulong seed, long stream, long index)
    {
        _state = Mix(Mix(Mix(seed) ^ (ulong)stream) + (ulong)index);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1), with 24 random bits (every float32 step of that range).</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public float NextSingle(float min, float max) => min + (max - min) * NextSingle();

    /// <summary>Uniform in [0, <paramref name="exclusiveMax"/>), unbiased (Lemire's multiply-and-reject).</summary>
    public int NextInt(int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exclusiveMax);
        var bound = (ulong)exclusiveMax;
        var threshold = (0UL - bound) % bound;
        while (true)
        {
            var product = Math.BigMul(NextUInt64(), bound, out var low);
            if (low >= threshold)
            {
                return (int)product;
            }
        }
    }

    /// <summary>True with probability <paramref name="probability"/>.</summary>
    public bool NextBool(float probability) => NextSingle() < probability;

    // SplitMix64's finalizer: a bijection that scatters nearby keys far apart.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
