using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

// The end of a call: each accumulator's 16 lanes summed into its weight's gradient.
public static unsafe partial class PositionLaneWeightGradient
{
    /// <summary>
    /// dW[f, r] = (accumulate ? dW[f, r] : 0) + the lane sum of the accumulator for (f, r) in its tile. The accumulators are
    /// reduced 16 at a time (<see cref="LaneSums"/>: 30 shuffles and 15 additions for 16 sums), each sum written over its own
    /// accumulator's first values (accumulator k's sum at float k, below every accumulator not yet read), then copied to dW
    /// tile by tile without a division. One <c>Vector512.Sum</c> and four divisions per weight were 15 % of a one-sample
    /// call's perf samples on ResNet-8's 16→16 layer; now the store and its lane sums are 5.5 %. It is paid once per call.
    /// </summary>
    private static void Store(in Plan plan, int filters, int patch, Vector512<float>* sums, float* gradWeight, bool accumulate)
    {
        var count = plan.Tiles * TileSums;
        var values = (float*)sums;
        var first = 0;
        for (; first + Lanes <= count; first += Lanes)
        {
            var reduced = LaneSums(sums + first);
            for (var lane = 0; lane < Lanes; lane++)
            {
                // LaneSums' lane 4q + m holds accumulator 4m + q of the sixteen.
                values[first + (4 * (lane % 4)) + (lane / 4)] = reduced.GetElement(lane);
            }
        }
        for (; first < count; first++)
        {
            values[first] = Vector512.Sum(sums[first]);
        }
        int tileFilters = plan.TileFilters, tileTaps = plan.TileTaps;
        for (var ft = 0; ft < plan.FilterTiles; ft++)
        {
            for (var tt = 0; tt < plan.TapTiles; tt++)
            {
                var tile = values + (((ft * plan.TapTiles) + tt) * TileSums);
                for (var wf = 0; wf < tileFilters && (ft * tileFilters) + wf < filters; wf++)
                {
                    var row = gradWeight + ((((ft * tileFilters) + wf) * patch) + (tt * tileTaps));
                    var taps = Math.Min(tileTaps, patch - (tt * tileTaps));
                    for (var wt = 0; wt < taps; wt++)
                    {
                        var value = tile[(wf * tileTaps) + wt];
                        row[wt] = accumulate ? row[wt] + value : value;
                    }
                }
            }
        }
    }

    /// <summary>
    /// The lane sums of the 16 vectors at <paramref name="v"/>, lane 4q + m holding that of v[4m + q]: 256-bit halves added,
    /// then 128-bit quarters (two 128-bit lane shuffles per pair), then pairs and single values within 128-bit lanes.
    /// </summary>
    private static Vector512<float> LaneSums(Vector512<float>* v)
    {
        var halves = stackalloc Vector512<float>[8];
        for (var i = 0; i < 8; i++)
        {
            Vector512<float> x = v[2 * i], y = v[(2 * i) + 1];
            halves[i] = Avx512F.Shuffle4x128(x, y, 0x44) + Avx512F.Shuffle4x128(x, y, 0xEE);
        }
        Vector512<float> q0 = Quarters(halves[0], halves[1]), q1 = Quarters(halves[2], halves[3]), q2 = Quarters(halves[4], halves[5]), q3 = Quarters(halves[6], halves[7]);
        Vector512<float> p0 = Avx512F.Shuffle(q0, q1, 0x44) + Avx512F.Shuffle(q0, q1, 0xEE), p1 = Avx512F.Shuffle(q2, q3, 0x44) + Avx512F.Shuffle(q2, q3, 0xEE);
        return Avx512F.Shuffle(p0, p1, 0x88) + Avx512F.Shuffle(p0, p1, 0xDD);
    }

    /// <summary>Two vectors of two inputs' 8 partial sums each into one of four inputs' 4: each 128-bit lane one input's.</summary>
    private static Vector512<float> Quarters(Vector512<float> a, Vector512<float> b) =>
        Avx512F.Shuffle4x128(a, b, 0x88) + Avx512F.Shuffle4x128(a, b, 0xDD);
}
