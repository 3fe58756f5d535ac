using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// GEMM micro-kernels: each keeps an MR×NR tile of C in registers while it streams packed panels
/// of A (MR values per k step) and B (NR values per k step), one FMA per register per step. The Vector512
/// kernels read B's rows through <see cref="IPanelRows{TSelf}"/>: a packed panel, or (stride-1 convolutions)
/// shifted slices of a padded image that need no packing.
/// Unrolled by hand because the JIT keeps only named locals in registers.
/// </summary>
[SkipLocalsInit]
internal static class GemmMicroKernels
{
    /// <summary>Vector512 tile rows.</summary>
    internal const int Mr512 = 12;
    /// <summary>Vector512 tile columns.</summary>
    internal const int Nr512 = 32;
    /// <summary>Vector256 tile rows.</summary>
    internal const int Mr256 = 6;
    /// <summary>Vector256 tile columns.</summary>
    internal const int Nr256 = 16;
    /// <summary>Scalar tile rows.</summary>
    internal const int MrScalar = 4;
    /// <summary>Scalar tile columns.</summary>
    internal const int NrScalar = 4;

    /// <summary>12×32 tile with Vector512: C[12,32] (+)= Ap[12,kc]·Bp[kc,32] from packed panels.</summary>
    internal static unsafe void Kernel512<TRows>(int kc, float* ap, TRows bp, float* c, int ldc, bool accumulate, int mr, int nr)
        where TRows : struct, IPanelRows<TRows>
    {
        var c0_0 = Vector512<float>.Zero;
        var c0_1 = Vector512<float>.Zero;
        var c1_0 = Vector512<float>.Zero;
        var c1_1 = Vector512<float>.Zero;
        var c2_0 = Vector512<float>.Zero;
        var c2_1 = Vector512<float>.Zero;
        var c3_0 = Vector512<float>.Zero;
        var c3_1 = Vector512<float>.Zero;
        var c4_0 = Vector512<float>.Zero;
        var c4_1 = Vector512<float>.Zero;
        var c5_0 = Vector512<float>.Zero;
        var c5_1 = Vector512<float>.Zero;
        var c6_0 = Vector512<float>.Zero;
        var c6_1 = Vector512<float>.Zero;
        var c7_0 = Vector512<float>.Zero;
        var c7_1 = Vector512<float>.Zero;
        var c8_0 = Vector512<float>.Zero;
        var c8_1 = Vector512<float>.Zero;
        var c9_0 = Vector512<float>.Zero;
        var c9_1 = Vector512<float>.Zero;
        var c10_0 = Vector512<float>.Zero;
        var c10_1 = Vector512<float>.Zero;
        var c11_0 = Vector512<float>.Zero;
        var c11_1 = Vector512<float>.Zero;
        for (var p = 0; p < kc; p++)
        {
            var row = bp.Row(p);
            var b0 = bp.Low(row);
            var b1 = bp.High(row);
            var a0 = Vector512.Create(ap[0]);
            c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector512.Create(ap[1]);
            c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector512.Create(ap[2]);
            c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector512.Create(ap[3]);
            c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
            var a4 = Vector512.Create(ap[4]);
            c4_0 = Vector512.FusedMultiplyAdd(a4, b0, c4_0);
            c4_1 = Vector512.FusedMultiplyAdd(a4, b1, c4_1);
            var a5 = Vector512.Create(ap[5]);
            c5_0 = Vector512.FusedMultiplyAdd(a5, b0, c5_0);
            c5_1 = Vector512.FusedMultiplyAdd(a5, b1, c5_1);
            var a6 = Vector512.Create(ap[6]);
            c6_0 = Vector512.FusedMultiplyAdd(a6, b0, c6_0);
            c6_1 = Vector512.FusedMultiplyAdd(a6, b1, c6_1);
            var a7 = Vector512.Create(ap[7]);
            c7_0 = Vector512.FusedMultiplyAdd(a7, b0, c7_0);
            c7_1 = Vector512.FusedMultiplyAdd(a7, b1, c7_1);
            var a8 = Vector512.Create(ap[8]);
            c8_0 = Vector512.FusedMultiplyAdd(a8, b0, c8_0);
            c8_1 = Vector512.FusedMultiplyAdd(a8, b1, c8_1);
            var a9 = Vector512.Create(ap[9]);
            c9_0 = Vector512.FusedMultiplyAdd(a9, b0, c9_0);
            c9_1 = Vector512.FusedMultiplyAdd(a9, b1, c9_1);
            var a10 = Vector512.Create(ap[10]);
            c10_0 = Vector512.FusedMultiplyAdd(a10, b0, c10_0);
            c10_1 = Vector512.FusedMultiplyAdd(a10, b1, c10_1);
            var a11 = Vector512.Create(ap[11]);
            c11_0 = Vector512.FusedMultiplyAdd(a11, b0, c11_0);
            c11_1 = Vector512.FusedMultiplyAdd(a11, b1, c11_1);
            ap += 12;
        }
        if (mr == 12 && nr == 32)
        {
            if (accumulate)
            {
                c0_0 += Vector512.Load(c + (0 * ldc) + 0);
                c0_1 += Vector512.Load(c + (0 * ldc) + 16);
                c1_0 += Vector512.Load(c + (1 * ldc) + 0);
                c1_1 += Vector512.Load(c + (1 * ldc) + 16);
                c2_0 += Vector512.Load(c + (2 * ldc) + 0);
                c2_1 += Vector512.Load(c + (2 * ldc) + 16);
                c3_0 += Vector512.Load(c + (3 * ldc) + 0);
                c3_1 += Vector512.Load(c + (3 * ldc) + 16);
                c4_0 += Vector512.Load(c + (4 * ldc) + 0);
                c4_1 += Vector512.Load(c + (4 * ldc) + 16);
                c5_0 += Vector512.Load(c + (5 * ldc) + 0);
                c5_1 += Vector512.Load(c + (5 * ldc) + 16);
                c6_0 += Vector512.Load(c + (6 * ldc) + 0);
                c6_1 += Vector512.Load(c + (6 * ldc) + 16);
                c7_0 += Vector512.Load(c + (7 * ldc) + 0);
                c7_1 += Vector512.Load(c + (7 * ldc) + 16);
                c8_0 += Vector512.Load(c + (8 * ldc) + 0);
                c8_1 += Vector512.Load(c + (8 * ldc) + 16);
                c9_0 += Vector512.Load(c + (9 * ldc) + 0);
                c9_1 += Vector512.Load(c + (9 * ldc) + 16);
                c10_0 += Vector512.Load(c + (10 * ldc) + 0);
                c10_1 += Vector512.Load(c + (10 * ldc) + 16);
                c11_0 += Vector512.Load(c + (11 * ldc) + 0);
                c11_1 += Vector512.Load(c + (11 * ldc) + 16);
            }
            c0_0.Store(c + (0 * ldc) + 0);
            c0_1.Store(c + (0 * ldc) + 16);
            c1_0.Store(c + (1 * ldc) + 0);
            c1_1.Store(c + (1 * ldc) + 16);
            c2_0.Store(c + (2 * ldc) + 0);
            c2_1.Store(c + (2 * ldc) + 16);
            c3_0.Store(c + (3 * ldc) + 0);
            c3_1.Store(c + (3 * ldc) + 16);
            c4_0.Store(c + (4 * ldc) + 0);
            c4_1.Store(c + (4 * ldc) + 16);
            c5_0.Store(c + (5 * ldc) + 0);
            c5_1.Store(c + (5 * ldc) + 16);
            c6_0.Store(c + (6 * ldc) + 0);
            c6_1.Store(c + (6 * ldc) + 16);
            c7_0.Store(c + (7 * ldc) + 0);
            c7_1.Store(c + (7 * ldc) + 16);
            c8_0.Store(c + (8 * ldc) + 0);
            c8_1.Store(c + (8 * ldc) + 16);
            c9_0.Store(c + (9 * ldc) + 0);
            c9_1.Store(c + (9 * ldc) + 16);
            c10_0.Store(c + (10 * ldc) + 0);
            c10_1.Store(c + (10 * ldc) + 16);
            c11_0.Store(c + (11 * ldc) + 0);
            c11_1.Store(c + (11 * ldc) + 16);
            return;
        }
        var tile = stackalloc float[384];
        c0_0.Store(tile + 0);
        c0_1.Store(tile + 16);
        c1_0.Store(tile + 32);
        c1_1.Store(tile + 48);
        c2_0.Store(tile + 64);
        c2_1.Store(tile + 80);
        c3_0.Store(tile + 96);
        c3_1.Store(tile + 112);
        c4_0.Store(tile + 128);
        c4_1.Store(tile + 144);
        c5_0.Store(tile + 160);
        c5_1.Store(tile + 176);
        c6_0.Store(tile + 192);
        c6_1.Store(tile + 208);
        c7_0.Store(tile + 224);
        c7_1.Store(tile + 240);
        c8_0.Store(tile + 256);
        c8_1.Store(tile + 272);
        c9_0.Store(tile + 288);
        c9_1.Store(tile + 304);
        c10_0.Store(tile + 320);
        c10_1.Store(tile + 336);
        c11_0.Store(tile + 352);
        c11_1.Store(tile + 368);
        StoreEdge(tile, 32, c, ldc, accumulate, mr, nr);
    }

    /// <summary>8×32 tile with Vector512: C[8,32] (+)= Ap[8,kc]·Bp[kc,32] from packed panels.</summary>
    internal static unsafe void Kernel512x8<TRows>(int kc, float* ap, TRows bp, float* c, int ldc, bool accumulate, int mr, int nr)
        where TRows : struct, IPanelRows<TRows>
    {
        var c0_0 = Vector512<float>.Zero;
        var c0_1 = Vector512<float>.Zero;
        var c1_0 = Vector512<float>.Zero;
        var c1_1 = Vector512<float>.Zero;
        var c2_0 = Vector512<float>.Zero;
        var c2_1 = Vector512<float>.Zero;
        var c3_0 = Vector512<float>.Zero;
        var c3_1 = Vector512<float>.Zero;
        var c4_0 = Vector512<float>.Zero;
        var c4_1 = Vector512<float>.Zero;
        var c5_0 = Vector512<float>.Zero;
        var c5_1 = Vector512<float>.Zero;
        var c6_0 = Vector512<float>.Zero;
        var c6_1 = Vector512<float>.Zero;
        var c7_0 = Vector512<float>.Zero;
        var c7_1 = Vector512<float>.Zero;
        for (var p = 0; p < kc; p++)
        {
            var row = bp.Row(p);
            var b0 = bp.Low(row);
            var b1 = bp.High(row);
            var a0 = Vector512.Create(ap[0]);
            c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector512.Create(ap[1]);
            c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector512.Create(ap[2]);
            c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector512.Create(ap[3]);
            c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
            var a4 = Vector512.Create(ap[4]);
            c4_0 = Vector512.FusedMultiplyAdd(a4, b0, c4_0);
            c4_1 = Vector512.FusedMultiplyAdd(a4, b1, c4_1);
            var a5 = Vector512.Create(ap[5]);
            c5_0 = Vector512.FusedMultiplyAdd(a5, b0, c5_0);
            c5_1 = Vector512.FusedMultiplyAdd(a5, b1, c5_1);
            var a6 = Vector512.Create(ap[6]);
            c6_0 = Vector512.FusedMultiplyAdd(a6, b0, c6_0);
            c6_1 = Vector512.FusedMultiplyAdd(a6, b1, c6_1);
            var a7 = Vector512.Create(ap[7]);
            c7_0 = Vector512.FusedMultiplyAdd(a7, b0, c7_0);
            c7_1 = Vector512.FusedMultiplyAdd(a7, b1, c7_1);
            ap += 8;
        }
        if (mr == 8 && nr == 32)
        {
            if (accumulate)
            {
                c0_0 += Vector512.Load(c + (0 * ldc) + 0);
                c0_1 += Vector512.Load(c + (0 * ldc) + 16);
                c1_0 += Vector512.Load(c + (1 * ldc) + 0);
                c1_1 += Vector512.Load(c + (1 * ldc) + 16);
                c2_0 += Vector512.Load(c + (2 * ldc) + 0);
                c2_1 += Vector512.Load(c + (2 * ldc) + 16);
                c3_0 += Vector512.Load(c + (3 * ldc) + 0);
                c3_1 += Vector512.Load(c + (3 * ldc) + 16);
                c4_0 += Vector512.Load(c + (4 * ldc) + 0);
                c4_1 += Vector512.Load(c + (4 * ldc) + 16);
                c5_0 += Vector512.Load(c + (5 * ldc) + 0);
                c5_1 += Vector512.Load(c + (5 * ldc) + 16);
                c6_0 += Vector512.Load(c + (6 * ldc) + 0);
                c6_1 += Vector512.Load(c + (6 * ldc) + 16);
                c7_0 += Vector512.Load(c + (7 * ldc) + 0);
                c7_1 += Vector512.Load(c + (7 * ldc) + 16);
            }
            c0_0.Store(c + (0 * ldc) + 0);
            c0_1.Store(c + (0 * ldc) + 16);
            c1_0.Store(c + (1 * ldc) + 0);
            c1_1.Store(c + (1 * ldc) + 16);
            c2_0.Store(c + (2 * ldc) + 0);
            c2_1.Store(c + (2 * ldc) + 16);
            c3_0.Store(c + (3 * ldc) + 0);
            c3_1.Store(c + (3 * ldc) + 16);
            c4_0.Store(c + (4 * ldc) + 0);
            c4_1.Store(c + (4 * ldc) + 16);
            c5_0.Store(c + (5 * ldc) + 0);
            c5_1.Store(c + (5 * ldc) + 16);
            c6_0.Store(c + (6 * ldc) + 0);
            c6_1.Store(c + (6 * ldc) + 16);
            c7_0.Store(c + (7 * ldc) + 0);
            c7_1.Store(c + (7 * ldc) + 16);
            return;
        }
        var tile = stackalloc float[256];
        c0_0.Store(tile + 0);
        c0_1.Store(tile + 16);
        c1_0.Store(tile + 32);
        c1_1.Store(tile + 48);
        c2_0.Store(tile + 64);
        c2_1.Store(tile + 80);
        c3_0.Store(tile + 96);
        c3_1.Store(tile + 112);
        c4_0.Store(tile + 128);
        c4_1.Store(tile + 144);
        c5_0.Store(tile + 160);
        c5_1.Store(tile + 176);
        c6_0.Store(tile + 192);
        c6_1.Store(tile + 208);
        c7_0.Store(tile + 224);
        c7_1.Store(tile + 240);
        StoreEdge(tile, 32, c, ldc, accumulate, mr, nr);
    }

    /// <summary>6×32 tile with Vector512: C[6,32] (+)= Ap[6,kc]·Bp[kc,32] from packed panels.</summary>
    internal static unsafe void Kernel512x6<TRows>(int kc, float* ap, TRows bp, float* c, int ldc, bool accumulate, int mr, int nr)
        where TRows : struct, IPanelRows<TRows>
    {
        var c0_0 = Vector512<float>.Zero;
        var c0_1 = Vector512<float>.Zero;
        var c1_0 = Vector512<float>.Zero;
        var c1_1 = Vector512<float>.Zero;
        var c2_0 = Vector512<float>.Zero;
        var c2_1 = Vector512<float>.Zero;
        var c3_0 = Vector512<float>.Zero;
        var c3_1 = Vector512<float>.Zero;
        var c4_0 = Vector512<float>.Zero;
        var c4_1 = Vector512<float>.Zero;
        var c5_0 = Vector512<float>.Zero;
        var c5_1 = Vector512<float>.Zero;
        for (var p = 0; p < kc; p++)
        {
            var row = bp.Row(p);
            var b0 = bp.Low(row);
            var b1 = bp.High(row);
            var a0 = Vector512.Create(ap[0]);
            c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector512.Create(ap[1]);
            c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector512.Create(ap[2]);
            c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector512.Create(ap[3]);
            c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
            var a4 = Vector512.Create(ap[4]);
            c4_0 = Vector512.FusedMultiplyAdd(a4, b0, c4_0);
            c4_1 = Vector512.FusedMultiplyAdd(a4, b1, c4_1);
            var a5 = Vector512.Create(ap[5]);
            c5_0 = Vector512.FusedMultiplyAdd(a5, b0, c5_0);
            c5_1 = Vector512.FusedMultiplyAdd(a5, b1, c5_1);
            ap += 6;
        }
        if (mr == 6 && nr == 32)
        {
            if (accumulate)
            {
                c0_0 += Vector512.Load(c + (0 * ldc) + 0);
                c0_1 += Vector512.Load(c + (0 * ldc) + 16);
                c1_0 += Vector512.Load(c + (1 * ldc) + 0);
                c1_1 += Vector512.Load(c + (1 * ldc) + 16);
                c2_0 += Vector512.Load(c + (2 * ldc) + 0);
                c2_1 += Vector512.Load(c + (2 * ldc) + 16);
                c3_0 += Vector512.Load(c + (3 * ldc) + 0);
                c3_1 += Vector512.Load(c + (3 * ldc) + 16);
                c4_0 += Vector512.Load(c + (4 * ldc) + 0);
                c4_1 += Vector512.Load(c + (4 * ldc) + 16);
                c5_0 += Vector512.Load(c + (5 * ldc) + 0);
                c5_1 += Vector512.Load(c + (5 * ldc) + 16);
            }
            c0_0.Store(c + (0 * ldc) + 0);
            c0_1.Store(c + (0 * ldc) + 16);
            c1_0.Store(c + (1 * ldc) + 0);
            c1_1.Store(c + (1 * ldc) + 16);
            c2_0.Store(c + (2 * ldc) + 0);
            c2_1.Store(c + (2 * ldc) + 16);
            c3_0.Store(c + (3 * ldc) + 0);
            c3_1.Store(c + (3 * ldc) + 16);
            c4_0.Store(c + (4 * ldc) + 0);
            c4_1.Store(c + (4 * ldc) + 16);
            c5_0.Store(c + (5 * ldc) + 0);
            c5_1.Store(c + (5 * ldc) + 16);
            return;
        }
        var tile = stackalloc float[192];
        c0_0.Store(tile + 0);
        c0_1.Store(tile + 16);
        c1_0.Store(tile + 32);
        c1_1.Store(tile + 48);
        c2_0.Store(tile + 64);
        c2_1.Store(tile + 80);
        c3_0.Store(tile + 96);
        c3_1.Store(tile + 112);
        c4_0.Store(tile + 128);
        c4_1.Store(tile + 144);
        c5_0.Store(tile + 160);
        c5_1.Store(tile + 176);
        StoreEdge(tile, 32, c, ldc, accumulate, mr, nr);
    }

    /// <summary>4×32 tile with Vector512: C[4,32] (+)= Ap[4,kc]·Bp[kc,32] from packed panels.</summary>
    internal static unsafe void Kernel512x4<TRows>(int kc, float* ap, TRows bp, float* c, int ldc, bool accumulate, int mr, int nr)
        where TRows : struct, IPanelRows<TRows>
    {
        var c0_0 = Vector512<float>.Zero;
        var c0_1 = Vector512<float>.Zero;
        var c1_0 = Vector512<float>.Zero;
        var c1_1 = Vector512<float>.Zero;
        var c2_0 = Vector512<float>.Zero;
        var c2_1 = Vector512<float>.Zero;
        var c3_0 = Vector512<float>.Zero;
        var c3_1 = Vector512<float>.Zero;
        for (var p = 0; p < kc; p++)
        {
            var row = bp.Row(p);
            var b0 = bp.Low(row);
            var b1 = bp.High(row);
            var a0 = Vector512.Create(ap[0]);
            c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector512.Create(ap[1]);
            c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector512.Create(ap[2]);
            c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector512.Create(ap[3]);
            c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
            ap += 4;
        }
        if (mr == 4 && nr == 32)
        {
            if (accumulate)
            {
                c0_0 += Vector512.Load(c + (0 * ldc) + 0);
                c0_1 += Vector512.Load(c + (0 * ldc) + 16);
                c1_0 += Vector512.Load(c + (1 * ldc) + 0);
                c1_1 += Vector512.Load(c + (1 * ldc) + 16);
                c2_0 += Vector512.Load(c + (2 * ldc) + 0);
                c2_1 += Vector512.Load(c + (2 * ldc) + 16);
                c3_0 += Vector512.Load(c + (3 * ldc) + 0);
                c3_1 += Vector512.Load(c + (3 * ldc) + 16);
            }
            c0_0.Store(c + (0 * ldc) + 0);
            c0_1.Store(c + (0 * ldc) + 16);
            c1_0.Store(c + (1 * ldc) + 0);
            c1_1.Store(c + (1 * ldc) + 16);
            c2_0.Store(c + (2 * ldc) + 0);
            c2_1.Store(c + (2 * ldc) + 16);
            c3_0.Store(c + (3 * ldc) + 0);
            c3_1.Store(c + (3 * ldc) + 16);
            return;
        }
        var tile = stackalloc float[128];
        c0_0.Store(tile + 0);
        c0_1.Store(tile + 16);
        c1_0.Store(tile + 32);
        c1_1.Store(tile + 48);
        c2_0.Store(tile + 64);
        c2_1.Store(tile + 80);
        c3_0.Store(tile + 96);
        c3_1.Store(tile + 112);
        StoreEdge(tile, 32, c, ldc, accumulate, mr, nr);
    }

    /// <summary>6×16 tile with Vector256: C[6,16] (+)= Ap[6,kc]·Bp[kc,16] from packed panels.</summary>
    internal static unsafe void Kernel256(int kc, float* ap, float* bp, float* c, int ldc, bool accumulate, int mr, int nr)
    {
        var c0_0 = Vector256<float>.Zero;
        var c0_1 = Vector256<float>.Zero;
        var c1_0 = Vector256<float>.Zero;
        var c1_1 = Vector256<float>.Zero;
        var c2_0 = Vector256<float>.Zero;
        var c2_1 = Vector256<float>.Zero;
        var c3_0 = Vector256<float>.Zero;
        var c3_1 = Vector256<float>.Zero;
        var c4_0 = Vector256<float>.Zero;
        var c4_1 = Vector256<float>.Zero;
        var c5_0 = Vector256<float>.Zero;
        var c5_1 = Vector256<float>.Zero;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(bp + 0);
            var b1 = Vector256.Load(bp + 8);
            var a0 = Vector256.Create(ap[0]);
            c0_0 = Vector256.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector256.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector256.Create(ap[1]);
            c1_0 = Vector256.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector256.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector256.Create(ap[2]);
            c2_0 = Vector256.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector256.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector256.Create(ap[3]);
            c3_0 = Vector256.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector256.FusedMultiplyAdd(a3, b1, c3_1);
            var a4 = Vector256.Create(ap[4]);
            c4_0 = Vector256.FusedMultiplyAdd(a4, b0, c4_0);
            c4_1 = Vector256.FusedMultiplyAdd(a4, b1, c4_1);
            var a5 = Vector256.Create(ap[5]);
            c5_0 = Vector256.FusedMultiplyAdd(a5, b0, c5_0);
            c5_1 = Vector256.FusedMultiplyAdd(a5, b1, c5_1);
            ap += 6;
            bp += 16;
        }
        if (mr == 6 && nr == 16)
        {
            if (accumulate)
            {
                c0_0 += Vector256.Load(c + (0 * ldc) + 0);
                c0_1 += Vector256.Load(c + (0 * ldc) + 8);
                c1_0 += Vector256.Load(c + (1 * ldc) + 0);
                c1_1 += Vector256.Load(c + (1 * ldc) + 8);
                c2_0 += Vector256.Load(c + (2 * ldc) + 0);
                c2_1 += Vector256.Load(c + (2 * ldc) + 8);
                c3_0 += Vector256.Load(c + (3 * ldc) + 0);
                c3_1 += Vector256.Load(c + (3 * ldc) + 8);
                c4_0 += Vector256.Load(c + (4 * ldc) + 0);
                c4_1 += Vector256.Load(c + (4 * ldc) + 8);
                c5_0 += Vector256.Load(c + (5 * ldc) + 0);
                c5_1 += Vector256.Load(c + (5 * ldc) + 8);
            }
            c0_0.Store(c + (0 * ldc) + 0);
            c0_1.Store(c + (0 * ldc) + 8);
            c1_0.Store(c + (1 * ldc) + 0);
            c1_1.Store(c + (1 * ldc) + 8);
            c2_0.Store(c + (2 * ldc) + 0);
            c2_1.Store(c + (2 * ldc) + 8);
            c3_0.Store(c + (3 * ldc) + 0);
            c3_1.Store(c + (3 * ldc) + 8);
            c4_0.Store(c + (4 * ldc) + 0);
            c4_1.Store(c + (4 * ldc) + 8);
            c5_0.Store(c + (5 * ldc) + 0);
            c5_1.Store(c + (5 * ldc) + 8);
            return;
        }
        var tile = stackalloc float[96];
        c0_0.Store(tile + 0);
        c0_1.Store(tile + 8);
        c1_0.Store(tile + 16);
        c1_1.Store(tile + 24);
        c2_0.Store(tile + 32);
        c2_1.Store(tile + 40);
        c3_0.Store(tile + 48);
        c3_1.Store(tile + 56);
        c4_0.Store(tile + 64);
        c4_1.Store(tile + 72);
        c5_0.Store(tile + 80);
        c5_1.Store(tile + 88);
        StoreEdge(tile, 16, c, ldc, accumulate, mr, nr);
    }

    /// <summary>4×4 tile in scalar registers: C[4,4] (+)= Ap[4,kc]·Bp[kc,4].</summary>
    internal static unsafe void KernelScalar(int kc, float* ap, float* bp, float* c, int ldc, bool accumulate, int mr, int nr)
    {
        var c0_0 = 0f;
        var c0_1 = 0f;
        var c0_2 = 0f;
        var c0_3 = 0f;
        var c1_0 = 0f;
        var c1_1 = 0f;
        var c1_2 = 0f;
        var c1_3 = 0f;
        var c2_0 = 0f;
        var c2_1 = 0f;
        var c2_2 = 0f;
        var c2_3 = 0f;
        var c3_0 = 0f;
        var c3_1 = 0f;
        var c3_2 = 0f;
        var c3_3 = 0f;
        for (var p = 0; p < kc; p++)
        {
            var b0 = bp[0];
            var b1 = bp[1];
            var b2 = bp[2];
            var b3 = bp[3];
            var a0 = ap[0];
            c0_0 += a0 * b0;
            c0_1 += a0 * b1;
            c0_2 += a0 * b2;
            c0_3 += a0 * b3;
            var a1 = ap[1];
            c1_0 += a1 * b0;
            c1_1 += a1 * b1;
            c1_2 += a1 * b2;
            c1_3 += a1 * b3;
            var a2 = ap[2];
            c2_0 += a2 * b0;
            c2_1 += a2 * b1;
            c2_2 += a2 * b2;
            c2_3 += a2 * b3;
            var a3 = ap[3];
            c3_0 += a3 * b0;
            c3_1 += a3 * b1;
            c3_2 += a3 * b2;
            c3_3 += a3 * b3;
            ap += 4;
            bp += 4;
        }
        var tile = stackalloc float[16];
        tile[0] = c0_0;
        tile[1] = c0_1;
        tile[2] = c0_2;
        tile[3] = c0_3;
        tile[4] = c1_0;
        tile[5] = c1_1;
        tile[6] = c1_2;
        tile[7] = c1_3;
        tile[8] = c2_0;
        tile[9] = c2_1;
        tile[10] = c2_2;
        tile[11] = c2_3;
        tile[12] = c3_0;
        tile[13] = c3_1;
        tile[14] = c3_2;
        tile[15] = c3_3;
        StoreEdge(tile, 4, c, ldc, accumulate, mr, nr);
    }

    /// <summary>Writes the valid mr×nr corner of a computed tile into C (edge tiles of a matrix).</summary>
    private static unsafe void StoreEdge(float* tile, int tileColumns, float* c, int ldc, bool accumulate, int mr, int nr)
    {
        for (var r = 0; r < mr; r++)
        {
            var source = tile + (r * tileColumns);
            var target = c + (r * ldc);
            if (accumulate)
            {
                for (var j = 0; j < nr; j++)
                {
                    target[j] += source[j];
                }
            }
            else
            {
                for (var j = 0; j < nr; j++)
                {
                    target[j] = source[j];
                }
            }
        }
    }
}
