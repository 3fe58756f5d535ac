namespace Cnn.Runtime.Kernels;

/// <summary>Hands <see cref="PackedGemm.Loop"/> the packed MC×KC blocks of A (MR-row panels, k-major).</summary>
internal unsafe interface IPackedA
{
    /// <summary>The packed block op(A)[ic..ic+mc, pc..pc+kc], packed into <paramref name="work"/> or found ready.</summary>
    float* Block(int ic, int pc, int mc, int kc, int mr, float* work, CpuPath path);
}

/// <summary>Packs the KC×NC blocks of B that <see cref="PackedGemm.Loop"/> asks for (NR-column panels, k-major, zero-padded).</summary>
internal unsafe interface IPackedB
{
    /// <summary>Packs op(B)[pc..pc+kc, jc..jc+nc] into <paramref name="packed"/>.</summary>
    void Pack(int pc, int kc, int jc, int nc, int nr, float* packed, CpuPath path);
}

/// <summary>A row-major matrix A (or its transpose), packed block by block as the loops reach it.</summary>
internal readonly unsafe struct MatrixA(bool transposed, float* a, int lda) : IPackedA
{
    public float* Block(int ic, int pc, int mc, int kc, int mr, float* work, CpuPath path)
    {
        PackedGemm.PackA(transposed, a, lda, ic, pc, mc, kc, mr, work, path);
        return work;
    }
}

/// <summary>An A packed whole beforehand by <see cref="PackedGemm.PackAll"/> with <paramref name="rows"/> packed rows.</summary>
internal readonly unsafe struct PrepackedA(float* packed, int rows) : IPackedA
{
    public float* Block(int ic, int pc, int mc, int kc, int mr, float* work, CpuPath path) =>
        packed + ((long)pc * rows) + ((long)ic * kc);
}

/// <summary>A row-major matrix B (or its transpose).</summary>
internal readonly unsafe struct MatrixB(bool transposed, float* b, int ldb) : IPackedB
{
    public void Pack(int pc, int kc, int jc, int nc, int nr, float* packed, CpuPath path) =>
        PackedGemm.PackB(transposed, b, ldb, pc, jc, kc, nc, nr, packed, path);
}

/// <summary>Where a micro-kernel finds row p (NR consecutive values) of a B panel.</summary>
/// <typeparam name="TSelf">The implementing struct.</typeparam>
internal unsafe interface IPanelRows<TSelf>
    where TSelf : struct, IPanelRows<TSelf>
{
    /// <summary>The panel whose first column is column <paramref name="jr"/> of this block (of depth <paramref name="kc"/>).</summary>
    TSelf Panel(int jr, int kc);

    /// <summary>Row p of this panel.</summary>
    float* Row(int p);
}

/// <summary>A packed B block: panels of <paramref name="nr"/> columns, k-major.</summary>
internal readonly unsafe struct PackedRows(float* block, int nr) : IPanelRows<PackedRows>
{
    public PackedRows Panel(int jr, int kc) => new(block + (jr * kc), nr);

    public float* Row(int p) => block + (p * nr);
}

/// <summary>
/// B rows read in place from a <see cref="PaddedImage"/>: row p of the panel starting at padded-width position q is
/// <c>origin + offsets[p] + q</c>, so the GEMM packs nothing.
/// </summary>
internal readonly unsafe struct ShiftedRows(float* origin, int* offsets) : IPanelRows<ShiftedRows>
{
    public ShiftedRows Panel(int jr, int kc) => new(origin + jr, offsets);

    public float* Row(int p) => origin + offsets[p];
}
