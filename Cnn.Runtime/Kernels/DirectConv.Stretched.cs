using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

public static partial class DirectConv
{
    /// <summary>
    /// <see cref="Tile512"/> stretched by a third vector of positions: 8 filters × 48 consecutive positions (24 accumulators), the
    /// third vector stored under a mask of its first <paramref name="lanes"/> lanes (1–16), for the last whole tile of a compact
    /// map whose positions run at most one vector past it (LeNet-5's 6 → 16 on 10×10 outputs: 100 = 32 + 48 + 20 unstored lanes).
    /// A one-vector tile of its own for those positions loads one input vector and 8 weights per 8 FMAs, more loads than FMAs, and
    /// its 8 accumulators wait on each other's latency; here they share the tile's weight loads. Each output is summed from its
    /// bias over every lowered row in order, as in <see cref="Tile512"/>, so the result is the same bit for bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Tile512x3(float* x, int* offsets, int rows, float** filters, float* bias, float* target, int stride, int lanes)
    {
        float* w0 = filters[0], w1 = filters[1], w2 = filters[2], w3 = filters[3], w4 = filters[4], w5 = filters[5], w6 = filters[6], w7 = filters[7];
        Vector512<float> a0 = Vector512.Create(bias[0]), a1 = Vector512.Create(bias[1]), a2 = Vector512.Create(bias[2]), a3 = Vector512.Create(bias[3]), a4 = Vector512.Create(bias[4]), a5 = Vector512.Create(bias[5]), a6 = Vector512.Create(bias[6]), a7 = Vector512.Create(bias[7]);
        Vector512<float> b0 = a0, b1 = a1, b2 = a2, b3 = a3, b4 = a4, b5 = a5, b6 = a6, b7 = a7;
        Vector512<float> c0 = a0, c1 = a1, c2 = a2, c3 = a3, c4 = a4, c5 = a5, c6 = a6, c7 = a7;
        for (var t = 0; t < rows; t++)
        {
            var p = x + offsets[t];
            var u = Vector512.Load(p);
            var v = Vector512.Load(p + 16);
            var s = Vector512.Load(p + 32);
            var f = Vector512.Create(w0[t]); a0 = Vector512.FusedMultiplyAdd(u, f, a0); b0 = Vector512.FusedMultiplyAdd(v, f, b0); c0 = Vector512.FusedMultiplyAdd(s, f, c0);
            f = Vector512.Create(w1[t]); a1 = Vector512.FusedMultiplyAdd(u, f, a1); b1 = Vector512.FusedMultiplyAdd(v, f, b1); c1 = Vector512.FusedMultiplyAdd(s, f, c1);
            f = Vector512.Create(w2[t]); a2 = Vector512.FusedMultiplyAdd(u, f, a2); b2 = Vector512.FusedMultiplyAdd(v, f, b2); c2 = Vector512.FusedMultiplyAdd(s, f, c2);
            f = Vector512.Create(w3[t]); a3 = Vector512.FusedMultiplyAdd(u, f, a3); b3 = Vector512.FusedMultiplyAdd(v, f, b3); c3 = Vector512.FusedMultiplyAdd(s, f, c3);
            f = Vector512.Create(w4[t]); a4 = Vector512.FusedMultiplyAdd(u, f, a4); b4 = Vector512.FusedMultiplyAdd(v, f, b4); c4 = Vector512.FusedMultiplyAdd(s, f, c4);
            f = Vector512.Create(w5[t]); a5 = Vector512.FusedMultiplyAdd(u, f, a5); b5 = Vector512.FusedMultiplyAdd(v, f, b5); c5 = Vector512.FusedMultiplyAdd(s, f, c5);
            f = Vector512.Create(w6[t]); a6 = Vector512.FusedMultiplyAdd(u, f, a6); b6 = Vector512.FusedMultiplyAdd(v, f, b6); c6 = Vector512.FusedMultiplyAdd(s, f, c6);
            f = Vector512.Create(w7[t]); a7 = Vector512.FusedMultiplyAdd(u, f, a7); b7 = Vector512.FusedMultiplyAdd(v, f, b7); c7 = Vector512.FusedMultiplyAdd(s, f, c7);
        }
        var mask = Vector512.LessThan(Vector512.CreateSequence(0, 1), Vector512.Create(lanes)).AsSingle();
        Store3(target, mask, a0, b0, c0); target += stride;
        Store3(target, mask, a1, b1, c1); target += stride;
        Store3(target, mask, a2, b2, c2); target += stride;
        Store3(target, mask, a3, b3, c3); target += stride;
        Store3(target, mask, a4, b4, c4); target += stride;
        Store3(target, mask, a5, b5, c5); target += stride;
        Store3(target, mask, a6, b6, c6); target += stride;
        Store3(target, mask, a7, b7, c7);
    }

    /// <summary>One filter's row of <see cref="Tile512x3"/>: two whole vectors, the third under <paramref name="mask"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store3(float* target, Vector512<float> mask, Vector512<float> a, Vector512<float> b, Vector512<float> c)
    {
        a.Store(target);
        b.Store(target + 16);
        Avx512F.MaskStore(target + 32, mask, c);
    }
}
