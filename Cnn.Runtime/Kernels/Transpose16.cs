using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// A 16×16 float transpose in AVX-512 registers (unpack 32-bit, unpack 64-bit, two 128-bit lane
/// shuffles: 64 shuffles for 256 values), used to pack transposed GEMM operands at vector speed
/// instead of one scalar store per value.
/// </summary>
internal static class Transpose16
{
    /// <summary>
    /// Reads 16 rows of 16 floats (<paramref name="rows"/>[r] points at row r) and writes column q,
    /// 16 floats, to <paramref name="target"/> + q·<paramref name="targetStride"/>. Callers run on
    /// Avx512F only.
    /// </summary>
    internal static unsafe void Run(float** rows, float* target, int targetStride)
    {
        var r0 = Vector512.Load(rows[0]);
        var r1 = Vector512.Load(rows[1]);
        var r2 = Vector512.Load(rows[2]);
        var r3 = Vector512.Load(rows[3]);
        var r4 = Vector512.Load(rows[4]);
        var r5 = Vector512.Load(rows[5]);
        var r6 = Vector512.Load(rows[6]);
        var r7 = Vector512.Load(rows[7]);
        var r8 = Vector512.Load(rows[8]);
        var r9 = Vector512.Load(rows[9]);
        var r10 = Vector512.Load(rows[10]);
        var r11 = Vector512.Load(rows[11]);
        var r12 = Vector512.Load(rows[12]);
        var r13 = Vector512.Load(rows[13]);
        var r14 = Vector512.Load(rows[14]);
        var r15 = Vector512.Load(rows[15]);

        // Interleave row pairs: within each 128-bit lane, (a0 b0 a1 b1) and (a2 b2 a3 b3).
        var t0 = Avx512F.UnpackLow(r0, r1);
        var t1 = Avx512F.UnpackHigh(r0, r1);
        var t2 = Avx512F.UnpackLow(r2, r3);
        var t3 = Avx512F.UnpackHigh(r2, r3);
        var t4 = Avx512F.UnpackLow(r4, r5);
        var t5 = Avx512F.UnpackHigh(r4, r5);
        var t6 = Avx512F.UnpackLow(r6, r7);
        var t7 = Avx512F.UnpackHigh(r6, r7);
        var t8 = Avx512F.UnpackLow(r8, r9);
        var t9 = Avx512F.UnpackHigh(r8, r9);
        var t10 = Avx512F.UnpackLow(r10, r11);
        var t11 = Avx512F.UnpackHigh(r10, r11);
        var t12 = Avx512F.UnpackLow(r12, r13);
        var t13 = Avx512F.UnpackHigh(r12, r13);
        var t14 = Avx512F.UnpackLow(r14, r15);
        var t15 = Avx512F.UnpackHigh(r14, r15);

        // Pairs of pairs: lane k of u(4j + c) holds column 4k + c of rows 4j..4j+3.
        var u0 = UnpackLow64(t0, t2);
        var u1 = UnpackHigh64(t0, t2);
        var u2 = UnpackLow64(t1, t3);
        var u3 = UnpackHigh64(t1, t3);
        var u4 = UnpackLow64(t4, t6);
        var u5 = UnpackHigh64(t4, t6);
        var u6 = UnpackLow64(t5, t7);
        var u7 = UnpackHigh64(t5, t7);
        var u8 = UnpackLow64(t8, t10);
        var u9 = UnpackHigh64(t8, t10);
        var u10 = UnpackLow64(t9, t11);
        var u11 = UnpackHigh64(t9, t11);
        var u12 = UnpackLow64(t12, t14);
        var u13 = UnpackHigh64(t12, t14);
        var u14 = UnpackLow64(t13, t15);
        var u15 = UnpackHigh64(t13, t15);

        // Gather lanes: 0x88 takes lanes (0, 2) of each source, 0xDD lanes (1, 3). Column c + 4m comes from
        // u(c), u(4 + c), u(8 + c), u(12 + c); columns are stored in ascending order so a caller may let each
        // store run past its column (the next store overwrites the overrun).
        var even030 = Avx512F.Shuffle4x128(u0, u4, 0x88);
        var odd030 = Avx512F.Shuffle4x128(u0, u4, 0xDD);
        var even470 = Avx512F.Shuffle4x128(u8, u12, 0x88);
        var odd470 = Avx512F.Shuffle4x128(u8, u12, 0xDD);
        var even031 = Avx512F.Shuffle4x128(u1, u5, 0x88);
        var odd031 = Avx512F.Shuffle4x128(u1, u5, 0xDD);
        var even471 = Avx512F.Shuffle4x128(u9, u13, 0x88);
        var odd471 = Avx512F.Shuffle4x128(u9, u13, 0xDD);
        var even032 = Avx512F.Shuffle4x128(u2, u6, 0x88);
        var odd032 = Avx512F.Shuffle4x128(u2, u6, 0xDD);
        var even472 = Avx512F.Shuffle4x128(u10, u14, 0x88);
        var odd472 = Avx512F.Shuffle4x128(u10, u14, 0xDD);
        var even033 = Avx512F.Shuffle4x128(u3, u7, 0x88);
        var odd033 = Avx512F.Shuffle4x128(u3, u7, 0xDD);
        var even473 = Avx512F.Shuffle4x128(u11, u15, 0x88);
        var odd473 = Avx512F.Shuffle4x128(u11, u15, 0xDD);
        Avx512F.Shuffle4x128(even030, even470, 0x88).Store(target + (0 * targetStride));
        Avx512F.Shuffle4x128(even031, even471, 0x88).Store(target + (1 * targetStride));
        Avx512F.Shuffle4x128(even032, even472, 0x88).Store(target + (2 * targetStride));
        Avx512F.Shuffle4x128(even033, even473, 0x88).Store(target + (3 * targetStride));
        Avx512F.Shuffle4x128(odd030, odd470, 0x88).Store(target + (4 * targetStride));
        Avx512F.Shuffle4x128(odd031, odd471, 0x88).Store(target + (5 * targetStride));
        Avx512F.Shuffle4x128(odd032, odd472, 0x88).Store(target + (6 * targetStride));
        Avx512F.Shuffle4x128(odd033, odd473, 0x88).Store(target + (7 * targetStride));
        Avx512F.Shuffle4x128(even030, even470, 0xDD).Store(target + (8 * targetStride));
        Avx512F.Shuffle4x128(even031, even471, 0xDD).Store(target + (9 * targetStride));
        Avx512F.Shuffle4x128(even032, even472, 0xDD).Store(target + (10 * targetStride));
        Avx512F.Shuffle4x128(even033, even473, 0xDD).Store(target + (11 * targetStride));
        Avx512F.Shuffle4x128(odd030, odd470, 0xDD).Store(target + (12 * targetStride));
        Avx512F.Shuffle4x128(odd031, odd471, 0xDD).Store(target + (13 * targetStride));
        Avx512F.Shuffle4x128(odd032, odd472, 0xDD).Store(target + (14 * targetStride));
        Avx512F.Shuffle4x128(odd033, odd473, 0xDD).Store(target + (15 * targetStride));
    }

    private static Vector512<float> UnpackLow64(Vector512<float> a, Vector512<float> b)
        => Avx512F.UnpackLow(a.AsDouble(), b.AsDouble()).AsSingle();

    private static Vector512<float> UnpackHigh64(Vector512<float> a, Vector512<float> b)
        => Avx512F.UnpackHigh(a.AsDouble(), b.AsDouble()).AsSingle();
}
