using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

internal static unsafe partial class Winograd
{
    /// <summary>
    /// The 16 GEMMs of a strip, <c>M[ξ][oc][t] = Σ_ic U[ξ][oc][ic] · V[ξ][ic][t]</c> over <paramref name="vectors"/> vectors of
    /// tiles: register tiles of 8 output channels × 3 vectors of 16 tiles (24 accumulators; the last tile columns take 2 or 1
    /// vectors, a last 4 two blocks of 2), U read by broadcasts from its 8 rows in either of its layouts (<see cref="Plan.FilterOutStride"/>,
    /// <see cref="Plan.FilterInStride"/>). A block of V (depth × 48 tiles) stays in L1 across the output channels. Only the blocks of 8
    /// output channels from <paramref name="firstBlock"/> up to <paramref name="endBlock"/> (clipped to the last) are computed, each as
    /// in a whole call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply(in Plan plan, float* u, float* v, float* m, int vectors, int firstBlock = 0, int endBlock = int.MaxValue)
    {
        int k = plan.InChannels, stride = plan.TileStride, blocks = Math.Min(endBlock, (plan.OutChannels + 7) / 8);
        int rowStride = plan.FilterOutStride, step = plan.FilterInStride;
        for (var point = 0; point < Points; point++)
        {
            var a = u + ((long)point * plan.FilterPointStride);
            var b = v + ((long)point * k * stride);
            var c = m + ((long)point * plan.PaddedOut * stride);
            for (var t = 0; t < vectors;)
            {
                // Blocks of 3 vectors, the last 4 as 2 + 2 rather than 3 + 1 (a 1-vector tile loads 9 values per 8 FMAs).
                var width = vectors - t == 4 ? 2 : Math.Min(3, vectors - t);
                for (var block = firstBlock; block < blocks; block++)
                {
                    var rows = a + ((long)block * 8 * rowStride);
                    var product = c + ((long)block * 8 * stride) + (t * 16);
                    switch (width)
                    {
                        case 3:
                            Block3(rows, rowStride, step, k, b + (t * 16), stride, product, stride);
                            break;
                        case 2:
                            Block2(rows, rowStride, step, k, b + (t * 16), stride, product, stride);
                            break;
                        default:
                            Block1(rows, rowStride, step, k, b + (t * 16), stride, product, stride);
                            break;
                    }
                }
                t += width;
            }
        }
    }

    /// <summary>C[8 rows, 48 tiles] = A[8 rows, k] · B[k, 48 tiles]: 24 accumulators, 3 loads of B and 8 broadcasts of A per step of k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block3(float* a, int rowStride, int step, int k, float* b, int bStride, float* c, int cStride)
    {
        float* a0 = a, a1 = a + rowStride, a2 = a + (2 * rowStride), a3 = a + (3 * rowStride);
        float* a4 = a + (4 * rowStride), a5 = a + (5 * rowStride), a6 = a + (6 * rowStride), a7 = a + (7 * rowStride);
        var c00 = Vector512<float>.Zero; var c01 = Vector512<float>.Zero; var c02 = Vector512<float>.Zero;
        var c10 = Vector512<float>.Zero; var c11 = Vector512<float>.Zero; var c12 = Vector512<float>.Zero;
        var c20 = Vector512<float>.Zero; var c21 = Vector512<float>.Zero; var c22 = Vector512<float>.Zero;
        var c30 = Vector512<float>.Zero; var c31 = Vector512<float>.Zero; var c32 = Vector512<float>.Zero;
        var c40 = Vector512<float>.Zero; var c41 = Vector512<float>.Zero; var c42 = Vector512<float>.Zero;
        var c50 = Vector512<float>.Zero; var c51 = Vector512<float>.Zero; var c52 = Vector512<float>.Zero;
        var c60 = Vector512<float>.Zero; var c61 = Vector512<float>.Zero; var c62 = Vector512<float>.Zero;
        var c70 = Vector512<float>.Zero; var c71 = Vector512<float>.Zero; var c72 = Vector512<float>.Zero;
        for (var i = 0; i < k; i++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var b2 = Vector512.Load(b + 32);
            var w0 = Vector512.Create(*a0);
            c00 = Vector512.FusedMultiplyAdd(w0, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(w0, b1, c01);
            c02 = Vector512.FusedMultiplyAdd(w0, b2, c02);
            var w1 = Vector512.Create(*a1);
            c10 = Vector512.FusedMultiplyAdd(w1, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(w1, b1, c11);
            c12 = Vector512.FusedMultiplyAdd(w1, b2, c12);
            var w2 = Vector512.Create(*a2);
            c20 = Vector512.FusedMultiplyAdd(w2, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(w2, b1, c21);
            c22 = Vector512.FusedMultiplyAdd(w2, b2, c22);
            var w3 = Vector512.Create(*a3);
            c30 = Vector512.FusedMultiplyAdd(w3, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(w3, b1, c31);
            c32 = Vector512.FusedMultiplyAdd(w3, b2, c32);
            var w4 = Vector512.Create(*a4);
            c40 = Vector512.FusedMultiplyAdd(w4, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(w4, b1, c41);
            c42 = Vector512.FusedMultiplyAdd(w4, b2, c42);
            var w5 = Vector512.Create(*a5);
            c50 = Vector512.FusedMultiplyAdd(w5, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(w5, b1, c51);
            c52 = Vector512.FusedMultiplyAdd(w5, b2, c52);
            var w6 = Vector512.Create(*a6);
            c60 = Vector512.FusedMultiplyAdd(w6, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(w6, b1, c61);
            c62 = Vector512.FusedMultiplyAdd(w6, b2, c62);
            var w7 = Vector512.Create(*a7);
            c70 = Vector512.FusedMultiplyAdd(w7, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(w7, b1, c71);
            c72 = Vector512.FusedMultiplyAdd(w7, b2, c72);
            b += bStride;
            a0 += step; a1 += step; a2 += step; a3 += step; a4 += step; a5 += step; a6 += step; a7 += step;
        }
        c00.Store(c);
        c01.Store(c + 16);
        c02.Store(c + 32);
        c10.Store(c + cStride);
        c11.Store(c + cStride + 16);
        c12.Store(c + cStride + 32);
        c20.Store(c + (2 * cStride));
        c21.Store(c + (2 * cStride) + 16);
        c22.Store(c + (2 * cStride) + 32);
        c30.Store(c + (3 * cStride));
        c31.Store(c + (3 * cStride) + 16);
        c32.Store(c + (3 * cStride) + 32);
        c40.Store(c + (4 * cStride));
        c41.Store(c + (4 * cStride) + 16);
        c42.Store(c + (4 * cStride) + 32);
        c50.Store(c + (5 * cStride));
        c51.Store(c + (5 * cStride) + 16);
        c52.Store(c + (5 * cStride) + 32);
        c60.Store(c + (6 * cStride));
        c61.Store(c + (6 * cStride) + 16);
        c62.Store(c + (6 * cStride) + 32);
        c70.Store(c + (7 * cStride));
        c71.Store(c + (7 * cStride) + 16);
        c72.Store(c + (7 * cStride) + 32);
    }

    /// <summary>C[8 rows, 32 tiles] = A[8 rows, k] · B[k, 32 tiles]: 16 accumulators, 2 loads of B and 8 broadcasts of A per step of k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block2(float* a, int rowStride, int step, int k, float* b, int bStride, float* c, int cStride)
    {
        float* a0 = a, a1 = a + rowStride, a2 = a + (2 * rowStride), a3 = a + (3 * rowStride);
        float* a4 = a + (4 * rowStride), a5 = a + (5 * rowStride), a6 = a + (6 * rowStride), a7 = a + (7 * rowStride);
        var c00 = Vector512<float>.Zero; var c01 = Vector512<float>.Zero;
        var c10 = Vector512<float>.Zero; var c11 = Vector512<float>.Zero;
        var c20 = Vector512<float>.Zero; var c21 = Vector512<float>.Zero;
        var c30 = Vector512<float>.Zero; var c31 = Vector512<float>.Zero;
        var c40 = Vector512<float>.Zero; var c41 = Vector512<float>.Zero;
        var c50 = Vector512<float>.Zero; var c51 = Vector512<float>.Zero;
        var c60 = Vector512<float>.Zero; var c61 = Vector512<float>.Zero;
        var c70 = Vector512<float>.Zero; var c71 = Vector512<float>.Zero;
        for (var i = 0; i < k; i++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var w0 = Vector512.Create(*a0);
            c00 = Vector512.FusedMultiplyAdd(w0, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(w0, b1, c01);
            var w1 = Vector512.Create(*a1);
            c10 = Vector512.FusedMultiplyAdd(w1, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(w1, b1, c11);
            var w2 = Vector512.Create(*a2);
            c20 = Vector512.FusedMultiplyAdd(w2, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(w2, b1, c21);
            var w3 = Vector512.Create(*a3);
            c30 = Vector512.FusedMultiplyAdd(w3, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(w3, b1, c31);
            var w4 = Vector512.Create(*a4);
            c40 = Vector512.FusedMultiplyAdd(w4, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(w4, b1, c41);
            var w5 = Vector512.Create(*a5);
            c50 = Vector512.FusedMultiplyAdd(w5, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(w5, b1, c51);
            var w6 = Vector512.Create(*a6);
            c60 = Vector512.FusedMultiplyAdd(w6, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(w6, b1, c61);
            var w7 = Vector512.Create(*a7);
            c70 = Vector512.FusedMultiplyAdd(w7, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(w7, b1, c71);
            b += bStride;
            a0 += step; a1 += step; a2 += step; a3 += step; a4 += step; a5 += step; a6 += step; a7 += step;
        }
        c00.Store(c);
        c01.Store(c + 16);
        c10.Store(c + cStride);
        c11.Store(c + cStride + 16);
        c20.Store(c + (2 * cStride));
        c21.Store(c + (2 * cStride) + 16);
        c30.Store(c + (3 * cStride));
        c31.Store(c + (3 * cStride) + 16);
        c40.Store(c + (4 * cStride));
        c41.Store(c + (4 * cStride) + 16);
        c50.Store(c + (5 * cStride));
        c51.Store(c + (5 * cStride) + 16);
        c60.Store(c + (6 * cStride));
        c61.Store(c + (6 * cStride) + 16);
        c70.Store(c + (7 * cStride));
        c71.Store(c + (7 * cStride) + 16);
    }

    /// <summary>C[8 rows, 16 tiles] = A[8 rows, k] · B[k, 16 tiles]: 8 accumulators, 1 loads of B and 8 broadcasts of A per step of k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block1(float* a, int rowStride, int step, int k, float* b, int bStride, float* c, int cStride)
    {
        float* a0 = a, a1 = a + rowStride, a2 = a + (2 * rowStride), a3 = a + (3 * rowStride);
        float* a4 = a + (4 * rowStride), a5 = a + (5 * rowStride), a6 = a + (6 * rowStride), a7 = a + (7 * rowStride);
        var c00 = Vector512<float>.Zero;
        var c10 = Vector512<float>.Zero;
        var c20 = Vector512<float>.Zero;
        var c30 = Vector512<float>.Zero;
        var c40 = Vector512<float>.Zero;
        var c50 = Vector512<float>.Zero;
        var c60 = Vector512<float>.Zero;
        var c70 = Vector512<float>.Zero;
        for (var i = 0; i < k; i++)
        {
            var b0 = Vector512.Load(b);
            var w0 = Vector512.Create(*a0);
            c00 = Vector512.FusedMultiplyAdd(w0, b0, c00);
            var w1 = Vector512.Create(*a1);
            c10 = Vector512.FusedMultiplyAdd(w1, b0, c10);
            var w2 = Vector512.Create(*a2);
            c20 = Vector512.FusedMultiplyAdd(w2, b0, c20);
            var w3 = Vector512.Create(*a3);
            c30 = Vector512.FusedMultiplyAdd(w3, b0, c30);
            var w4 = Vector512.Create(*a4);
            c40 = Vector512.FusedMultiplyAdd(w4, b0, c40);
            var w5 = Vector512.Create(*a5);
            c50 = Vector512.FusedMultiplyAdd(w5, b0, c50);
            var w6 = Vector512.Create(*a6);
            c60 = Vector512.FusedMultiplyAdd(w6, b0, c60);
            var w7 = Vector512.Create(*a7);
            c70 = Vector512.FusedMultiplyAdd(w7, b0, c70);
            b += bStride;
            a0 += step; a1 += step; a2 += step; a3 += step; a4 += step; a5 += step; a6 += step; a7 += step;
        }
        c00.Store(c);
        c10.Store(c + cStride);
        c20.Store(c + (2 * cStride));
        c30.Store(c + (3 * cStride));
        c40.Store(c + (4 * cStride));
        c50.Store(c + (5 * cStride));
        c60.Store(c + (6 * cStride));
        c70.Store(c + (7 * cStride));
    }
}
