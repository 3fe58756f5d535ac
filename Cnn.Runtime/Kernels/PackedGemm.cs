using System;
using System.Runtime.Intrinsics;
using static Cnn.Runtime.Kernels.GemmMicroKernels;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// The loops around the micro-kernel (BLIS, Van Zee and van de Geijn): B is packed in KC×NC blocks
/// (kept in L2/L3), A in MC×KC blocks (kept in L2), both into panels whose k-major order lets the
/// micro-kernel read them with unit stride. Transposes are absorbed by the packing.
/// </summary>
internal static class PackedGemm
{
    /// <summary>Depth of a packed block: an MR×KC panel of A plus a KC×NR panel of B stay in L1.</summary>
    private const int Kc = 256;

    /// <summary>Rows of A packed at once (a multiple of every path's MR).</summary>
    private const int Mc = 96;

    /// <summary>Columns of B packed at once (a multiple of every path's NR).</summary>
    private const int Nc = 1024;

    private const int MaxMr = Mr512 > Mr256 ? Mr512 : Mr256;

    /// <summary>Scratch floats for the packed A block and B block.</summary>
    internal static int ScratchLength(int m, int n, int k)
    {
        if (m <= 0 || n <= 0 || k <= 0)
        {
            return 0;
        }
        var kc = Math.Min(k, Kc);
        var nc = RoundUp(Math.Min(n, Nc), Nr512);
        var mc = RoundUp(Math.Min(m, Mc), MaxMr);
        return (kc * nc) + (mc * kc);
    }

    internal static unsafe void Run(
        bool transposeA, bool transposeB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate, Span<float> scratch, CpuPath path)
    {
        var (mr, nr) = path switch
        {
            CpuPath.Vector512 => (Mr512, Nr512),
            CpuPath.Vector256 => (Mr256, Nr256),
            _ => (MrScalar, NrScalar),
        };
        var kcMax = Math.Min(k, Kc);
        var ncMax = RoundUp(Math.Min(n, Nc), Nr512);
        fixed (float* aBase = a, bBase = b, cBase = c, work = scratch)
        {
            var bPacked = work;
            var aPacked = work + (kcMax * ncMax);
            for (var jc = 0; jc < n; jc += Nc)
            {
                var nc = Math.Min(Nc, n - jc);
                for (var pc = 0; pc < k; pc += Kc)
                {
                    var kc = Math.Min(Kc, k - pc);
                    PackB(transposeB, bBase, ldb, pc, jc, kc, nc, nr, bPacked, path);
                    var addToC = accumulate || pc > 0;
                    for (var ic = 0; ic < m; ic += Mc)
                    {
                        var mc = Math.Min(Mc, m - ic);
                        PackA(transposeA, aBase, lda, ic, pc, mc, kc, mr, aPacked);
                        for (var jr = 0; jr < nc; jr += nr)
                        {
                            var nrHere = Math.Min(nr, nc - jr);
                            var bPanel = bPacked + (jr * kc);
                            for (var ir = 0; ir < mc; ir += mr)
                            {
                                var mrHere = Math.Min(mr, mc - ir);
                                var cTile = cBase + ((long)(ic + ir) * ldc) + jc + jr;
                                var aPanel = aPacked + (ir * kc);
                                switch (path)
                                {
                                    case CpuPath.Vector512:
                                        Kernel512(kc, aPanel, bPanel, cTile, ldc, addToC, mrHere, nrHere);
                                        break;
                                    case CpuPath.Vector256:
                                        Kernel256(kc, aPanel, bPanel, cTile, ldc, addToC, mrHere, nrHere);
                                        break;
                                    default:
                                        KernelScalar(kc, aPanel, bPanel, cTile, ldc, addToC, mrHere, nrHere);
                                        break;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs op(A)[ic..ic+mc, pc..pc+kc] as consecutive MR-row panels, each k-major (MR values per k),
    /// zero-padding the last panel's missing rows.
    /// </summary>
    private static unsafe void PackA(bool transposed, float* a, int lda, int ic, int pc, int mc, int kc, int mr, float* packed)
    {
        for (var ir = 0; ir < mc; ir += mr)
        {
            var rows = Math.Min(mr, mc - ir);
            var panel = packed + (ir * kc);
            if (transposed)
            {
                // op(A)(i, p) = a[p·lda + i]: each k step is a contiguous run of rows.
                for (var p = 0; p < kc; p++)
                {
                    var source = a + ((long)(pc + p) * lda) + ic + ir;
                    var target = panel + (p * mr);
                    var r = 0;
                    for (; r < rows; r++)
                    {
                        target[r] = source[r];
                    }
                    for (; r < mr; r++)
                    {
                        target[r] = 0f;
                    }
                }
            }
            else
            {
                // op(A)(i, p) = a[i·lda + p]: read each row once, scatter with stride MR.
                for (var r = 0; r < rows; r++)
                {
                    var source = a + ((long)(ic + ir + r) * lda) + pc;
                    var target = panel + r;
                    for (var p = 0; p < kc; p++)
                    {
                        target[p * mr] = source[p];
                    }
                }
                for (var r = rows; r < mr; r++)
                {
                    for (var p = 0; p < kc; p++)
                    {
                        panel[(p * mr) + r] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs op(B)[pc..pc+kc, jc..jc+nc] as consecutive NR-column panels, each k-major (NR values per k),
    /// zero-padding the last panel's missing columns.
    /// </summary>
    private static unsafe void PackB(bool transposed, float* b, int ldb, int pc, int jc, int kc, int nc, int nr, float* packed, CpuPath path)
    {
        for (var jr = 0; jr < nc; jr += nr)
        {
            var columns = Math.Min(nr, nc - jr);
            var panel = packed + (jr * kc);
            if (transposed)
            {
                // op(B)(p, j) = b[j·ldb + p]: read each stored row once, scatter with stride NR.
                for (var j = 0; j < columns; j++)
                {
                    var source = b + ((long)(jc + jr + j) * ldb) + pc;
                    var target = panel + j;
                    for (var p = 0; p < kc; p++)
                    {
                        target[p * nr] = source[p];
                    }
                }
                for (var j = columns; j < nr; j++)
                {
                    for (var p = 0; p < kc; p++)
                    {
                        panel[(p * nr) + j] = 0f;
                    }
                }
            }
            else if (columns == nr)
            {
                // op(B)(p, j) = b[p·ldb + j]: each k step copies NR contiguous values.
                for (var p = 0; p < kc; p++)
                {
                    CopyRow(b + ((long)(pc + p) * ldb) + jc + jr, panel + (p * nr), nr, path);
                }
            }
            else
            {
                for (var p = 0; p < kc; p++)
                {
                    var source = b + ((long)(pc + p) * ldb) + jc + jr;
                    var target = panel + (p * nr);
                    var j = 0;
                    for (; j < columns; j++)
                    {
                        target[j] = source[j];
                    }
                    for (; j < nr; j++)
                    {
                        target[j] = 0f;
                    }
                }
            }
        }
    }

    private static unsafe void CopyRow(float* source, float* target, int count, CpuPath path)
    {
        if (path == CpuPath.Vector512 && count == 32)
        {
            Vector512.Load(source).Store(target);
            Vector512.Load(source + 16).Store(target + 16);
            return;
        }
        if (path == CpuPath.Vector256 && count == 16)
        {
            Vector256.Load(source).Store(target);
            Vector256.Load(source + 8).Store(target + 8);
            return;
        }
        new ReadOnlySpan<float>(source, count).CopyTo(new Span<float>(target, count));
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
