using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Cnn.Runtime.Kernels.GemmMicroKernels;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// The loops around the micro-kernel (BLIS, Van Zee and van de Geijn): B is packed in KC×NC blocks
/// (kept in L2/L3), A in MC×KC blocks (kept in L2), both into panels whose k-major order lets the
/// micro-kernel read them with unit stride. Transposes are absorbed by the packing.
/// </summary>
[SkipLocalsInit]
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
        var kc = DepthBlock(k);
        var nc = WidthBlock(n);
        var mc = RoundUp(Math.Min(m, Mc), MaxMr);
        // Slack: a 16-wide transposed store of a 12-row A panel runs 4 floats past the panel.
        return (kc * nc) + (mc * kc) + 16;
    }

    internal static unsafe void Run(
        bool transposeA, bool transposeB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate, Span<float> scratch, CpuPath path)
    {
        fixed (float* aBase = a, bBase = b, cBase = c, work = scratch)
        {
            Loop(m, n, k, new MatrixA(transposeA, aBase, lda), new MatrixB(transposeB, bBase, ldb), cBase, ldc, accumulate, work, path);
        }
    }

    /// <summary>
    /// The BLIS loops over any source of packed panels: B is packed per KC×NC block by <paramref name="b"/>,
    /// A per MC×KC block by <paramref name="a"/> (which may hand out blocks packed beforehand).
    /// <paramref name="work"/> holds at least <see cref="ScratchLength"/>(m, n, k) floats.
    /// </summary>
    internal static unsafe void Loop<TA, TB>(int m, int n, int k, TA a, TB b, float* c, int ldc, bool accumulate, float* work, CpuPath path)
        where TA : struct, IPackedA
        where TB : struct, IPackedB
    {
        var none = default(SamplePrefetch);
        Run<TA, Packing<TB>, PackedRows>(m, n, k, a, new Packing<TB>(b), c, ldc, accumulate, work, path, ref none);
    }

    /// <summary>
    /// The depth of every K block but the last: K split into equal blocks of at most KC (288 as 144 + 144, not
    /// 256 + 32, whose short second block would spend as long loading and storing C as multiplying).
    /// </summary>
    internal static int DepthBlock(int k)
    {
        var blocks = (k + Kc - 1) / Kc;
        return blocks <= 1 ? k : (k + blocks - 1) / blocks;
    }

    /// <summary>The width of every N block but the last: N split into equal blocks of at most NC, rounded up to whole panels.</summary>
    private static int WidthBlock(int n)
    {
        var blocks = (n + Nc - 1) / Nc;
        return RoundUp((n + blocks - 1) / Math.Max(blocks, 1), Nr512);
    }

    /// <summary>The micro-kernel tile (MR, NR) of a path.</summary>
    internal static (int Mr, int Nr) Tile(CpuPath path) => path switch
    {
        CpuPath.Vector512 => (Mr512, Nr512),
        CpuPath.Vector256 => (Mr256, Nr256),
        _ => (MrScalar, NrScalar),
    };

    /// <summary>Floats that <see cref="PackAll"/> writes for an m×k matrix (on any path).</summary>
    internal static int PackedALength(int m, int k) => (m + MaxMr) * k;

    /// <summary>
    /// Packs all of op(A) [m, k] once, block by block in the order <see cref="Loop"/> asks for them, so a
    /// matrix multiplied by many right-hand sides (a convolution's weights, sample after sample) is packed once.
    /// </summary>
    /// <returns>The packed rows, for <see cref="PrepackedA"/>.</returns>
    internal static unsafe int PackAll(bool transposed, float* a, int lda, int m, int k, float* packed, CpuPath path)
    {
        var (mr, _) = Tile(path);
        var rows = PackedRows(m, mr, path);
        var kcBlock = DepthBlock(k);
        for (var pc = 0; pc < k; pc += kcBlock)
        {
            var kc = Math.Min(kcBlock, k - pc);
            for (var ic = 0; ic < m; ic += Mc)
            {
                PackA(transposed, a, lda, ic, pc, Math.Min(Mc, m - ic), kc, mr, packed + ((long)pc * rows) + ((long)ic * kc), path);
            }
        }
        return rows;
    }

    /// <summary>Rows of all of A's packed panels: every MC block is whole panels, the last one rounded up.</summary>
    private static int PackedRows(int m, int mr, CpuPath path)
    {
        var rows = m / Mc * Mc;
        for (var remaining = m % Mc; remaining > 0;)
        {
            var panel = PanelRows(path, mr, remaining);
            rows += panel;
            remaining -= Math.Min(panel, remaining);
        }
        return rows;
    }

    /// <summary>
    /// <see cref="Loop"/> on the Vector512 path with B's row p at <c>data + offsets[p]</c> (a convolution's padded
    /// image, <see cref="ShiftedRows"/>: column j at position (j / outWidth)·stride + j mod outWidth), read in place:
    /// only A is packed (and callers pass it packed beforehand). <paramref name="work"/> holds at least
    /// <see cref="ScratchLength"/>(m, n, k) floats.
    /// </summary>
    internal static unsafe void LoopShifted<TA>(int m, int n, int k, TA a, float* data, int* offsets, int outWidth, int stride, float* c, int ldc, bool accumulate, float* work, CpuPath path)
        where TA : struct, IPackedA
    {
        var none = default(SamplePrefetch);
        LoopShifted(m, n, k, a, data, offsets, outWidth, stride, c, ldc, accumulate, work, path, ref none);
    }

    /// <summary><see cref="LoopShifted{TA}(int, int, int, TA, float*, int*, int, int, float*, int, bool, float*, CpuPath)"/>, stepping <paramref name="prefetch"/> after every tile.</summary>
    internal static unsafe void LoopShifted<TA>(int m, int n, int k, TA a, float* data, int* offsets, int outWidth, int stride, float* c, int ldc, bool accumulate, float* work, CpuPath path,
        ref SamplePrefetch prefetch)
        where TA : struct, IPackedA
    {
        if (outWidth % 16 == 8)
        {
            Run<TA, InPlaceHalves, HalfShiftedRows>(m, n, k, a, new InPlaceHalves(data, offsets, outWidth, stride), c, ldc, accumulate, work, path, ref prefetch);
        }
        else
        {
            Run<TA, InPlace, ShiftedRows>(m, n, k, a, new InPlace(data, offsets, outWidth, stride), c, ldc, accumulate, work, path, ref prefetch);
        }
    }

    /// <summary>Micro-kernel tiles <see cref="Run"/> computes for C [m, n] with depth k (what a <see cref="SamplePrefetch"/> spreads its lines over).</summary>
    internal static int Tiles(int m, int n, int k, CpuPath path)
    {
        var (mr, nr) = Tile(path);
        var panels = 0;
        for (var ic = 0; ic < m; ic += Mc)
        {
            var mc = Math.Min(Mc, m - ic);
            for (var ir = 0; ir < mc; ir += PanelRows(path, mr, mc - ir))
            {
                panels++;
            }
        }
        var kcBlock = DepthBlock(k);
        return panels * ((n + nr - 1) / nr) * ((k + kcBlock - 1) / kcBlock);
    }

    /// <summary>The loops themselves, over any source of B blocks (packed into work, or read in place).</summary>
    private static unsafe void Run<TA, TB, TRows>(int m, int n, int k, TA a, TB b, float* c, int ldc, bool accumulate, float* work, CpuPath path, ref SamplePrefetch prefetch)
        where TA : struct, IPackedA
        where TB : struct, IBlockSource<TRows>
        where TRows : struct, IPanelRows<TRows>
    {
        var (mr, nr) = Tile(path);
        var kcMax = DepthBlock(k);
        var ncMax = WidthBlock(n);
        var bWork = work;
        var aWork = work + (kcMax * ncMax);
        for (var jc = 0; jc < n; jc += ncMax)
        {
            var nc = Math.Min(ncMax, n - jc);
            for (var pc = 0; pc < k; pc += kcMax)
            {
                var kc = Math.Min(kcMax, k - pc);
                var rows = b.Block(pc, kc, jc, nc, nr, bWork, path);
                for (var ic = 0; ic < m; ic += Mc)
                {
                    var mc = Math.Min(Mc, m - ic);
                    var aPacked = a.Block(ic, pc, mc, kc, mr, aWork, path);
                    MacroKernel(mc, nc, kc, mr, nr, aPacked, rows, c + ((long)ic * ldc) + jc, ldc, accumulate || pc > 0, path, ref prefetch);
                }
            }
        }
    }

    /// <summary>Where <see cref="Run"/> gets B's KC×NC block from.</summary>
    private unsafe interface IBlockSource<TRows>
        where TRows : struct, IPanelRows<TRows>
    {
        TRows Block(int pc, int kc, int jc, int nc, int nr, float* work, CpuPath path);
    }

    /// <summary>Packs each block into the work space.</summary>
    private readonly unsafe struct Packing<TB>(TB packer) : IBlockSource<PackedRows>
        where TB : struct, IPackedB
    {
        public PackedRows Block(int pc, int kc, int jc, int nc, int nr, float* work, CpuPath path)
        {
            packer.Pack(pc, kc, jc, nc, nr, work, path);
            return new PackedRows(work, nr);
        }
    }

    /// <summary>Reads each block in place: row p of the block at column jc is row pc + p of the image's slices from column jc.</summary>
    private readonly unsafe struct InPlace(float* data, int* offsets, int outWidth, int stride) : IBlockSource<ShiftedRows>
    {
        public ShiftedRows Block(int pc, int kc, int jc, int nc, int nr, float* work, CpuPath path) => new(data, offsets + pc, jc, outWidth, stride);
    }

    /// <summary><see cref="InPlace"/> for output rows an odd multiple of 8 wide.</summary>
    private readonly unsafe struct InPlaceHalves(float* data, int* offsets, int outWidth, int stride) : IBlockSource<HalfShiftedRows>
    {
        public HalfShiftedRows Block(int pc, int kc, int jc, int nc, int nr, float* work, CpuPath path) => new(data, offsets + pc, jc, outWidth, stride);
    }

    /// <summary>C[mc, nc] (+)= the packed A block times the B block, tile by tile.</summary>
    private static unsafe void MacroKernel<TRows>(int mc, int nc, int kc, int mr, int nr, float* aPacked, TRows bBlock, float* c, int ldc, bool addToC, CpuPath path,
        ref SamplePrefetch prefetch)
        where TRows : struct, IPanelRows<TRows>
    {
        for (var jr = 0; jr < nc; jr += nr)
        {
            var nrHere = Math.Min(nr, nc - jr);
            var bPanel = bBlock.Panel(jr, kc);
            for (var ir = 0; ir < mc;)
            {
                var panelRows = PanelRows(path, mr, mc - ir);
                var mrHere = Math.Min(panelRows, mc - ir);
                var cTile = c + ((long)ir * ldc) + jr;
                var aPanel = aPacked + (ir * kc);
                ir += panelRows;
                switch (path)
                {
                    case CpuPath.Vector512 when panelRows == Mr512:
                        Kernel512(kc, aPanel, bPanel, cTile, ldc, addToC, mrHere, nrHere);
                        break;
                    case CpuPath.Vector512 when panelRows == 8:
                        Kernel512x8(kc, aPanel, bPanel, cTile, ldc, addToC, mrHere, nrHere);
                        break;
                    case CpuPath.Vector512 when panelRows == 6:
                        Kernel512x6(kc, aPanel, bPanel, cTile, ldc, addToC, mrHere, nrHere);
                        break;
                    case CpuPath.Vector512:
                        Kernel512x4(kc, aPanel, bPanel, cTile, ldc, addToC, mrHere, nrHere);
                        break;
                    // The narrower paths only ever see packed panels, whose row 0 is the panel.
                    case CpuPath.Vector256:
                        Kernel256(kc, aPanel, bPanel.Row(0), cTile, ldc, addToC, mrHere, nrHere);
                        break;
                    default:
                        KernelScalar(kc, aPanel, bPanel.Row(0), cTile, ldc, addToC, mrHere, nrHere);
                        break;
                }
                prefetch.Step();
            }
        }
    }

    /// <summary>
    /// Packs op(A)[ic..ic+mc, pc..pc+kc] as consecutive MR-row panels, each k-major (MR values per k),
    /// zero-padding the last panel's missing rows.
    /// </summary>
    internal static unsafe void PackA(bool transposed, float* a, int lda, int ic, int pc, int mc, int kc, int mr, float* packed, CpuPath path)
    {
        var rowStarts = stackalloc float*[16];
        for (var ir = 0; ir < mc;)
        {
            var panelRows = PanelRows(path, mr, mc - ir);
            var rows = Math.Min(panelRows, mc - ir);
            var panel = packed + (ir * kc);
            ir += panelRows;
            if (transposed)
            {
                // op(A)(i, p) = a[p·lda + i]: each k step is a contiguous run of rows.
                for (var p = 0; p < kc; p++)
                {
                    var source = a + ((long)(pc + p) * lda) + ic + ir - panelRows;
                    var target = panel + (p * panelRows);
                    var r = 0;
                    for (; r < rows; r++)
                    {
                        target[r] = source[r];
                    }
                    for (; r < panelRows; r++)
                    {
                        target[r] = 0f;
                    }
                }
            }
            else
            {
                // op(A)(i, p) = a[i·lda + p]: a transpose. Blocks of 16 k steps go through registers; rows
                // past the panel's real rows repeat its first row, so their lanes hold finite values that
                // either the next ascending store overwrites or the micro-kernel computes into discarded rows.
                var vectorSteps = 0;
                if (path == CpuPath.Vector512 && Avx512F.IsSupported)
                {
                    for (; vectorSteps + 16 <= kc; vectorSteps += 16)
                    {
                        for (var r = 0; r < 16; r++)
                        {
                            rowStarts[r] = a + ((long)(ic + ir - panelRows + (r < rows ? r : 0)) * lda) + pc + vectorSteps;
                        }
                        Transpose16.Run(rowStarts, panel + (vectorSteps * panelRows), panelRows);
                    }
                }
                for (var r = 0; r < rows; r++)
                {
                    var source = a + ((long)(ic + ir - panelRows + r) * lda) + pc;
                    var target = panel + r;
                    for (var p = vectorSteps; p < kc; p++)
                    {
                        target[p * panelRows] = source[p];
                    }
                }
                for (var r = rows; r < panelRows; r++)
                {
                    for (var p = vectorSteps; p < kc; p++)
                    {
                        panel[(p * panelRows) + r] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs op(B)[pc..pc+kc, jc..jc+nc] as consecutive NR-column panels, each k-major (NR values per k),
    /// zero-padding the last panel's missing columns.
    /// </summary>
    internal static unsafe void PackB(bool transposed, float* b, int ldb, int pc, int jc, int kc, int nc, int nr, float* packed, CpuPath path)
    {
        var rowStarts = stackalloc float*[16];
        for (var jr = 0; jr < nc; jr += nr)
        {
            var columns = Math.Min(nr, nc - jr);
            var panel = packed + (jr * kc);
            if (transposed)
            {
                // op(B)(p, j) = b[j·ldb + p]: a transpose, 16×16 blocks through registers; columns past the
                // panel's real ones repeat its first, so the micro-kernel computes finite values it then discards.
                var vectorSteps = 0;
                if (path == CpuPath.Vector512 && Avx512F.IsSupported)
                {
                    for (; vectorSteps + 16 <= kc; vectorSteps += 16)
                    {
                        for (var half = 0; half < nr; half += 16)
                        {
                            for (var j = 0; j < 16; j++)
                            {
                                rowStarts[j] = b + ((long)(jc + jr + (half + j < columns ? half + j : 0)) * ldb) + pc + vectorSteps;
                            }
                            Transpose16.Run(rowStarts, panel + (vectorSteps * nr) + half, nr);
                        }
                    }
                }
                for (var j = 0; j < columns; j++)
                {
                    var source = b + ((long)(jc + jr + j) * ldb) + pc;
                    var target = panel + j;
                    for (var p = vectorSteps; p < kc; p++)
                    {
                        target[p * nr] = source[p];
                    }
                }
                for (var j = columns; j < nr; j++)
                {
                    for (var p = vectorSteps; p < kc; p++)
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

    /// <summary>
    /// Rows of the A panel starting with <paramref name="remaining"/> rows left: full MR panels, then on the
    /// Vector512 path the narrowest of the 8-, 6- and 4-row kernels that covers the rest (13–16 rows as 8 + 8),
    /// so a 6- or 16-row matrix (LeNet's 6 filters, ResNet's 16) wastes no FMAs on zero rows.
    /// </summary>
    private static int PanelRows(CpuPath path, int mr, int remaining)
    {
        if (path != CpuPath.Vector512 || remaining > 16 || (remaining > 8 && remaining <= 12))
        {
            return mr;
        }
        // 13–16 rows (ResNet's 16 filters): two 8-row panels, not 12 + a 4-row panel at half the FMA rate.
        return remaining > 12 || remaining > 6 ? 8 : remaining > 4 ? 6 : 4;
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
