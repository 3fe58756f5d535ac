using System;
using System.Numerics;

namespace Cnn.Runtime.Network;

/// <summary>
/// A small, fast, seedable random source (xoshiro128**, seeded through SplitMix64) whose sequence is
/// fixed by this code rather than by the framework's <see cref="Random"/>, so a seed means the same
/// initial weights and dropout masks on every .NET version. Not thread-safe: each worker owns one.
/// </summary>
public sealed class SeededRandom
{
    private uint _s0, _s1, _s2, _s3;

    /// <summary>A generator whose sequence is determined by <paramref name="seed"/> and <paramref name="stream"/>.</summary>
    /// <param name="seed">The user's seed.</param>
    /// <param name="stream">Which independent stream (worker index, purpose) of that seed.</param>
    public SeededRandom(long seed, long stream = 0)
    {
        var state = (ulong)seed ^ ((ulong)stream * 0xD1B54A32D192ED03UL);
        var a = SplitMix(ref state);
        var b = SplitMix(ref state);
        _s0 = (uint)a;
        _s1 = (uint)(a >> 32);
        _s2 = (uint)b;
        _s3 = (uint)(b >> 32);
        if ((_s0 | _s1 | _s2 | _s3) == 0)
        {
            _s0 = 1;
        }
    }

    /// <summary>The next 32 random bits.</summary>
    public uint NextUInt32()
    {
        var result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 9;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 11);
        return result;
    }

    /// <summary>A float uniform in [0, 1) with 24 random bits.</summary>
    public float NextSingle() => (NextUInt32() >> 8) * (1f / (1 << 24));

    /// <summary>Fills <paramref name="values"/> with floats uniform in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    /// <param name="values">Where to write.</param>
    /// <param name="low">Inclusive lower bound.</param>
    /// <param name="high">Exclusive upper bound.</param>
    public void FillUniform(Span<float> values, float low, float high)
    {
        var width = high - low;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = low + width * NextSingle();
        }
    }

    private static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
