using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Software prefetch of the next sample's tensors into L2, spread over the current sample's multiply: a few cache
/// lines after each micro-kernel tile, so the misses overlap the FMAs instead of stalling the copy that first reads
/// them (in the training step a convolution's input and output gradient were pushed out to L3 and memory by the
/// statements in between). At most two ranges, fetched one after the other; <c>default</c> fetches nothing.
/// </summary>
/// <remarks>
/// With the lines already in cache the prefetches cost their issue: ResNet-8's 1×1 stride-2 shortcuts, whose samples
/// take about 170 and 340 FLOPs per line fetched, ran at 0.6–0.85× their speed alone (in-process alternation, load 16),
/// its 3×3 layers (3,000–9,000 FLOPs per line) at 0.95–0.99×. In the training step their tensors are cold, and leaving
/// out samples under 1,000 FLOPs per line cost the shortcuts' statements 270/448 and 169/308 µs against 194/422 and
/// 134/236 (forward/backward, worker 0's medians of 4 alternated runs), the stem's backward 296 against 235: no layer
/// is left out.
/// </remarks>
internal unsafe struct SamplePrefetch
{
    private const int Line = 64;

    private byte* _next;
    private byte* _end;
    private byte* _secondNext;
    private byte* _secondEnd;
    private readonly int _perStep;

    /// <summary>
    /// Fetches <paramref name="firstLength"/> floats from <paramref name="first"/>, then <paramref name="secondLength"/> from
    /// <paramref name="second"/>, spread evenly over <paramref name="steps"/> calls of <see cref="Step"/>.
    /// </summary>
    internal SamplePrefetch(float* first, long firstLength, float* second, long secondLength, int steps)
    {
        _next = (byte*)first;
        _end = (byte*)(first + firstLength);
        _secondNext = (byte*)second;
        _secondEnd = (byte*)(second + secondLength);
        var lines = Lines(firstLength) + Lines(secondLength);
        _perStep = Sse.IsSupported ? (int)Math.Min(int.MaxValue, (lines + Math.Max(1, steps) - 1) / Math.Max(1, steps)) : 0;
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
