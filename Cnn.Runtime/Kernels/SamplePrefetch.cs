using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Software prefetch of the next sample's tensors into L2, spread over the current sample's multiply: a few cache
/// lines after each micro-kernel tile, so the misses overlap the FMAs instead of stalling the copy that first reads
/// them (in the training step a convolution's input and output gradient were pushed out to L3 and memory by the
/// statements in between). At most two ranges, fetched one after the other; <c>default</c> fetches nothing, and so
/// does a prefetch for a sample of fewer than <see cref="MinFlopsPerLine"/> FLOPs per line.
/// </summary>
internal unsafe struct SamplePrefetch
{
    private const int Line = 64;

    /// <summary>
    /// FLOPs of the current sample per line of the next below which the prefetches cost more than the misses they hide:
    /// ResNet-8's 1×1 stride-2 shortcuts (about 170 and 340, their copies reading a quarter of the input) ran at 0.6–0.8×
    /// their speed with the lines already in cache (<c>--kernels</c>), its 3→16 stem's weight gradient (about 730) at 0.8×;
    /// its 3×3 layers are at 3,000–9,000.
    /// </summary>
    private const long MinFlopsPerLine = 1000;

    private byte* _next;
    private byte* _end;
    private byte* _secondNext;
    private byte* _secondEnd;
    private readonly int _perStep;

    /// <summary>
    /// Fetches <paramref name="firstLength"/> floats from <paramref name="first"/>, then <paramref name="secondLength"/> from
    /// <paramref name="second"/>, spread evenly over <paramref name="steps"/> calls of <see cref="Step"/>, for a sample of
    /// <paramref name="multiplyAdds"/> multiply-adds (nothing when too few to pay).
    /// </summary>
    internal SamplePrefetch(float* first, long firstLength, float* second, long secondLength, int steps, long multiplyAdds)
    {
        _next = (byte*)first;
        _end = (byte*)(first + firstLength);
        _secondNext = (byte*)second;
        _secondEnd = (byte*)(second + secondLength);
        var lines = Lines(firstLength) + Lines(secondLength);
        var pays = Sse.IsSupported && 2 * multiplyAdds >= MinFlopsPerLine * lines;
        _perStep = pays ? (int)Math.Min(int.MaxValue, (lines + Math.Max(1, steps) - 1) / Math.Max(1, steps)) : 0;
    }

    /// <summary>Whether every line of both ranges has been fetched.</summary>
    internal readonly bool IsDone => _next >= _end && _secondNext >= _secondEnd;

    /// <summary>Issues the next share of the prefetches.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Step()
    {
        if (_perStep > 0)
        {
            Issue();
        }
    }

    private static long Lines(long floats) => ((floats * sizeof(float)) + Line - 1) / Line;

    private void Issue()
    {
        for (var i = 0; i < _perStep; i++)
        {
            if (_next >= _end)
            {
                if (_secondNext >= _secondEnd)
                {
                    return;
                }
                _next = _secondNext;
                _end = _secondEnd;
                _secondNext = _secondEnd;
            }
            Sse.Prefetch1(_next);
            _next += Line;
        }
    }
}
