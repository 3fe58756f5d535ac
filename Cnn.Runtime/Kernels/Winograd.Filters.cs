using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

internal static unsafe partial class Winograd
{
    /// <summary>Floats of stack the filter transform stages 16 filters' taps in (16 rows of 16, then their transpose).</summary>
    private const int StagingLength = 2 * 16 * 16;

    /// <summary>
    /// <c>U = G g Gᵀ</c> of every filter into the start of <paramref name="work"/>, laid out as <paramref name="plan"/> says. Forward
    /// (<see cref="Plan.TransposedFilters"/> false): g = weight[oc, ic] into U[ξ][oc][ic], rows oc ≥ OutChannels zero. Data gradient
    /// (true, <paramref name="plan"/> of the data-gradient convolution, <paramref name="weight"/> the layer's [C′][OC′][3][3]):
    /// g = weight[ic′, oc′] turned by 180° into U[ξ][ic′][oc′], so no flipped copy of the weights is made. Sixteen filters
    /// contiguous in memory at a time: their taps are transposed into lanes (<see cref="Transpose16"/>) and each ξ is one vector
    /// store.
    /// </summary>
    /// <param name="plan">The layer's plan.</param>
    /// <param name="weight">The layer's weights.</param>
    /// <param name="work">The scratch; U is written at its start.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void TransformFilters(in Plan plan, float* weight, float* work)
    {
        int outer, inner, rowLength;
        if (plan.TransposedFilters)
        {
            (outer, inner, rowLength) = (plan.InChannels, plan.OutChannels, plan.PaddedOut);
        }
        else
        {
            (outer, inner, rowLength) = (plan.OutChannels, plan.InChannels, plan.PaddedIn);
            for (var point = 0; point < Points; point++)
            {
                var padding = work + ((long)point * plan.FilterPointStride) + ((long)plan.OutChannels * rowLength);
                new Span<float>(padding, (plan.PaddedOut - plan.OutChannels) * rowLength).Clear();
            }
        }
        var staging = stackalloc float[StagingLength];
        var rows = stackalloc float*[16];
        for (var l = 0; l < 16; l++)
        {
            rows[l] = staging + (16 * l);
        }
        var taps = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(9)).AsSingle();
        for (var a = 0; a < outer; a++)
        {
            for (var b = 0; b < inner; b += 16)
            {
                var count = Math.Min(16, inner - b);
                var source = weight + ((((long)a * inner) + b) * 9);
                for (var l = 0; l < 16; l++)
                {
                    var row = l < count ? Avx512F.MaskLoad(source + (9 * l), taps, Vector512<float>.Zero) : Vector512<float>.Zero;
                    row.Store(rows[l]);
                }
                Transpose16.Run(rows, staging + 256, 16);
                TransformFilterLanes(staging + 256, plan.TransposedFilters, work + ((long)a * rowLength) + b, plan.FilterPointStride);
            }
        }
    }

    /// <summary>
    /// One vector of 16 filters: <paramref name="taps"/>[t] holds tap t (row-major 3×3) of each, or tap 8 − t when
    /// <paramref name="turned"/>; writes U[ξ] of each to <paramref name="target"/> + ξ·<paramref name="pointStride"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformFilterLanes(float* taps, bool turned, float* target, int pointStride)
    {
        var half = Vector512.Create(0.5f);
        var g = stackalloc Vector512<float>[9];
        for (var t = 0; t < 9; t++)
        {
            g[t] = Vector512.Load(taps + (16 * (turned ? 8 - t : t)));
        }
        // G·g: 4 rows of 3, per column b: g0b, ½(g0b + g1b + g2b), ½(g0b − g1b + g2b), g2b.
        var r = stackalloc Vector512<float>[12];
        for (var b = 0; b < 3; b++)
        {
            var outer = g[b] + g[6 + b];
            r[b] = g[b];
            r[3 + b] = half * (outer + g[3 + b]);
            r[6 + b] = half * (outer - g[3 + b]);
            r[9 + b] = g[6 + b];
        }
        // (G·g)·Gᵀ: per row i, the same combination of its three columns.
        for (var i = 0; i < 4; i++)
        {
            var outer = r[3 * i] + r[(3 * i) + 2];
            r[3 * i].Store(target + ((long)(4 * i) * pointStride));
            (half * (outer + r[(3 * i) + 1])).Store(target + ((long)((4 * i) + 1) * pointStride));
            (half * (outer - r[(3 * i) + 1])).Store(target + ((long)((4 * i) + 2) * pointStride));
            r[(3 * i) + 2].Store(target + ((long)((4 * i) + 3) * pointStride));
        }
    }
}
