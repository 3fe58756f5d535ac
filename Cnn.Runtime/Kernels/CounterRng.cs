using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// A counter-based generator: the random bits of element i of sample s at step t are a pure hash of
/// (seed, t, s, i), so a sample's dropout mask does not depend on which worker or in which order it is
/// drawn. A 64-bit SplitMix finalizer derives a per-sample key; two rounds of the 32-bit "lowbias32"
/// integer hash (Wellons) mix the element index with it, which vectorizes with 32-bit multiplies.
/// </summary>
internal static class CounterRng
{
    internal static ulong SampleKey(ulong seed, long step, long sample)
    {
        var key = Mix64(seed + (0x9E3779B97F4A7C15UL * (ulong)(step + 1)));
        return Mix64(key ^ (0xD1B54A32D192ED03UL * (ulong)(sample + 1)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Bits(ulong key, uint index) => Hash32(Hash32(index + (uint)key) ^ (uint)(key >> 32));

    internal static Vector512<uint> Bits(ulong key, Vector512<uint> index)
        => Hash32(Hash32(index + Vector512.Create((uint)key)) ^ Vector512.Create((uint)(key >> 32)));

    internal static Vector256<uint> Bits(ulong key, Vector256<uint> index)
        => Hash32(Hash32(index + Vector256.Create((uint)key)) ^ Vector256.Create((uint)(key >> 32)));

    private static ulong Mix64(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash32(uint x)
    {
        x ^= x >> 16;
        x *= 0x7FEB352DU;
        x ^= x >> 15;
        x *= 0x846CA68BU;
        return x ^ (x >> 16);
    }

    private static Vector512<uint> Hash32(Vector512<uint> x)
    {
        x ^= Vector512.ShiftRightLogical(x, 16);
        x *= Vector512.Create(0x7FEB352DU);
        x ^= Vector512.ShiftRightLogical(x, 15);
        x *= Vector512.Create(0x846CA68BU);
        return x ^ Vector512.ShiftRightLogical(x, 16);
    }

    private static Vector256<uint> Hash32(Vector256<uint> x)
    {
        x ^= Vector256.ShiftRightLogical(x, 16);
        x *= Vector256.Create(0x7FEB352DU);
        x ^= Vector256.ShiftRightLogical(x, 15);
        x *= Vector256.Create(0x846CA68BU);
        return x ^ Vector256.ShiftRightLogical(x, 16);
    }
}
