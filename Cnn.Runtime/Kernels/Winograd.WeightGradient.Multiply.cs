using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

internal static unsafe partial class Winograd
{
    /// <summary>
    /// The weight gradient's 16 GEMMs over one strip, <c>dU[ξ][c][k] += Σ_t V[ξ][c][t] · dM[ξ][t][k]</c>, t over
    /// <paramref name="lanes"/> (a multiple of 16): register tiles of 16 input channels × 1 vector of output channels (16
    /// of them) or 8 × 2 (more), one or two loads of dM and 16 broadcasts of V (its 16 channels of a lane 16 floats apart,
    /// V being chunked) per step of the depth. The last tile of channels that do not fill one ends at the last channel and
    /// adds only the rows and vectors the tile before did not.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyGradient(in Plan plan, float* v, float* dm, int lanes, float* du)
    {
        int inChannels = plan.InChannels, outChannels = plan.OutChannels, vectors = outChannels / 16;
        long inputPointStride = (long)inChannels * plan.TileStride, productPointStride = (long)plan.TileStride * outChannels;
        var rows = vectors == 1 ? 16 : 8;
        for (var point = 0; point < Points; point++)
        {
            var vp = v + (point * inputPointStride);
            var mp = dm + (point * productPointStride);
            var up = du + (point * (long)inChannels * outChannels);
            for (var c = 0; c < inChannels; c += rows)
            {
                var c0 = Math.Min(c, inChannels - rows);
                if (vectors == 1)
                {
                    Tile16(vp + (16 * c0), inChannels, mp, lanes, up + (c0 * 16), c - c0);
                    continue;
                }
                for (var k = 0; k < vectors; k += 2)
                {
                    var k0 = Math.Min(k, vectors - 2);
                    Tile8x2(vp + (16 * c0), inChannels, mp + (16 * k0), outChannels, lanes, up + (c0 * outChannels) + (16 * k0), c - c0, k - k0);
                }
            }
        }
    }

    /// <summary>16 input channels × the 16 output channels: <c>du[i][0..16) += Σ_t a[t / 16][i][t % 16] · b[t][0..16)</c>, rows from <paramref name="skip"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile16(float* a, int inChannels, float* b, int lanes, float* du, int skip)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        Vector512<float> c8 = default, c9 = default, c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        var chunk = 16 * inChannels;
        for (var t = 0; t < lanes; t += 16, a += chunk)
        {
            var p = a;
            for (var l = 0; l < 16; l++, p++, b += 16)
            {
                var d = Vector512.Load(b);
                c0 = Vector512.FusedMultiplyAdd(Vector512.Create(p[0]), d, c0);
                c1 = Vector512.FusedMultiplyAdd(Vector512.Create(p[16]), d, c1);
                c2 = Vector512.FusedMultiplyAdd(Vector512.Create(p[32]), d, c2);
                c3 = Vector512.FusedMultiplyAdd(Vector512.Create(p[48]), d, c3);
                c4 = Vector512.FusedMultiplyAdd(Vector512.Create(p[64]), d, c4);
                c5 = Vector512.FusedMultiplyAdd(Vector512.Create(p[80]), d, c5);
                c6 = Vector512.FusedMultiplyAdd(Vector512.Create(p[96]), d, c6);
                c7 = Vector512.FusedMultiplyAdd(Vector512.Create(p[112]), d, c7);
                c8 = Vector512.FusedMultiplyAdd(Vector512.Create(p[128]), d, c8);
                c9 = Vector512.FusedMultiplyAdd(Vector512.Create(p[144]), d, c9);
                c10 = Vector512.FusedMultiplyAdd(Vector512.Create(p[160]), d, c10);
                c11 = Vector512.FusedMultiplyAdd(Vector512.Create(p[176]), d, c11);
                c12 = Vector512.FusedMultiplyAdd(Vector512.Create(p[192]), d, c12);
                c13 = Vector512.FusedMultiplyAdd(Vector512.Create(p[208]), d, c13);
                c14 = Vector512.FusedMultiplyAdd(Vector512.Create(p[224]), d, c14);
                c15 = Vector512.FusedMultiplyAdd(Vector512.Create(p[240]), d, c15);
            }
        }
        Add(du, 0, c0, skip); Add(du + 16, 1, c1, skip); Add(du + 32, 2, c2, skip); Add(du + 48, 3, c3, skip);
        Add(du + 64, 4, c4, skip); Add(du + 80, 5, c5, skip); Add(du + 96, 6, c6, skip); Add(du + 112, 7, c7, skip);
        Add(du + 128, 8, c8, skip); Add(du + 144, 9, c9, skip); Add(du + 160, 10, c10, skip); Add(du + 176, 11, c11, skip);
        Add(du + 192, 12, c12, skip); Add(du + 208, 13, c13, skip); Add(du + 224, 14, c14, skip); Add(du + 240, 15, c15, skip);
    }

    /// <summary>
    /// 8 input channels × 2 vectors of output channels: <c>du[i][0..32) += Σ_t a[t / 16][i][t % 16] · b[t][0..32)</c> (b's rows
    /// <paramref name="stride"/> apart), rows from <paramref name="skip"/>, vectors from <paramref name="skipVectors"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile8x2(float* a, int inChannels, float* b, int stride, int lanes, float* du, int skip, int skipVectors)
    {
        Vector512<float> c00 = default, c10 = default, c20 = default, c30 = default, c40 = default, c50 = default, c60 = default, c70 = default;
        Vector512<float> c01 = default, c11 = default, c21 = default, c31 = default, c41 = default, c51 = default, c61 = default, c71 = default;
        var chunk = 16 * inChannels;
        for (var t = 0; t < lanes; t += 16, a += chunk)
        {
            var p = a;
            for (var l = 0; l < 16; l++, p++, b += stride)
            {
                Vector512<float> d0 = Vector512.Load(b), d1 = Vector512.Load(b + 16);
                var x0 = Vector512.Create(p[0]);
                c00 = Vector512.FusedMultiplyAdd(x0, d0, c00);
                c01 = Vector512.FusedMultiplyAdd(x0, d1, c01);
                var x1 = Vector512.Create(p[16]);
                c10 = Vector512.FusedMultiplyAdd(x1, d0, c10);
                c11 = Vector512.FusedMultiplyAdd(x1, d1, c11);
                var x2 = Vector512.Create(p[32]);
                c20 = Vector512.FusedMultiplyAdd(x2, d0, c20);
                c21 = Vector512.FusedMultiplyAdd(x2, d1, c21);
                var x3 = Vector512.Create(p[48]);
                c30 = Vector512.FusedMultiplyAdd(x3, d0, c30);
                c31 = Vector512.FusedMultiplyAdd(x3, d1, c31);
                var x4 = Vector512.Create(p[64]);
                c40 = Vector512.FusedMultiplyAdd(x4, d0, c40);
                c41 = Vector512.FusedMultiplyAdd(x4, d1, c41);
                var x5 = Vector512.Create(p[80]);
                c50 = Vector512.FusedMultiplyAdd(x5, d0, c50);
                c51 = Vector512.FusedMultiplyAdd(x5, d1, c51);
                var x6 = Vector512.Create(p[96]);
                c60 = Vector512.FusedMultiplyAdd(x6, d0, c60);
                c61 = Vector512.FusedMultiplyAdd(x6, d1, c61);
                var x7 = Vector512.Create(p[112]);
                c70 = Vector512.FusedMultiplyAdd(x7, d0, c70);
                c71 = Vector512.FusedMultiplyAdd(x7, d1, c71);
            }
        }
        AddPair(du, 0, c00, c01, skip, skipVectors);
        AddPair(du + stride, 1, c10, c11, skip, skipVectors);
        AddPair(du + (2 * stride), 2, c20, c21, skip, skipVectors);
        AddPair(du + (3 * stride), 3, c30, c31, skip, skipVectors);
        AddPair(du + (4 * stride), 4, c40, c41, skip, skipVectors);
        AddPair(du + (5 * stride), 5, c50, c51, skip, skipVectors);
        AddPair(du + (6 * stride), 6, c60, c61, skip, skipVectors);
        AddPair(du + (7 * stride), 7, c70, c71, skip, skipVectors);
    }

    /// <summary>Adds <paramref name="sum"/> at <paramref name="target"/> unless row <paramref name="row"/> is before <paramref name="skip"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(float* target, int row, Vector512<float> sum, int skip)
    {
        if (row >= skip)
        {
            (Vector512.Load(target) + sum).Store(target);
        }
    }

    /// <summary>As <see cref="Add"/> for a row's two vectors, the first only from <paramref name="skipVectors"/> 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddPair(float* target, int row, Vector512<float> first, Vector512<float> second, int skip, int skipVectors)
    {
        if (row < skip)
        {
            return;
        }
        if (skipVectors == 0)
        {
            (Vector512.Load(target) + first).Store(target);
        }
        (Vector512.Load(target + 16) + second).Store(target + 16);
    }
}
