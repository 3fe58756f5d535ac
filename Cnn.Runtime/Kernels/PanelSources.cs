using System.Runtime.Intrinsics;

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

    /// <summary>Columns 0–15 of a panel row returned by <see cref="Row"/>.</summary>
    Vector512<float> Low(float* row);

    /// <summary>Columns 16–31 of a panel row returned by <see cref="Row"/>.</summary>
    Vector512<float> High(float* row);
}

/// <summary>A packed B block: panels of <paramref name="nr"/> columns, k-major.</summary>
internal readonly unsafe struct PackedRows(float* block, int nr) : IPanelRows<PackedRows>
{
    public PackedRows Panel(int jr, int kc) => new(block + (jr * kc), nr);

    public float* Row(int p) => block + (p * nr);

    public Vector512<float> Low(float* row) => Vector512.Load(row);

    public Vector512<float> High(float* row) => Vector512.Load(row + 16);
}

/// <summary>
/// B rows read in place from a <see cref="PaddedImage"/>: row p of the GEMM is the slice at <c>data + offsets[p]</c>, so
/// the GEMM packs nothing. Its columns are output positions, <c>outWidth</c> to a row, and the image's rows
/// are <c>stride</c> apart: column j lies at position (j / outWidth)·stride + j mod outWidth. With
/// outWidth = stride the columns are the padded-width positions themselves (discarded columns included); with
/// outWidth a multiple of 16, every 16-column vector lies within one output row, so only real outputs are computed
/// (an odd multiple of 8 takes <see cref="HalfShiftedRows"/>).
/// </summary>
internal readonly unsafe struct ShiftedRows : IPanelRows<ShiftedRows>
{
    private readonly float* _data;
    private readonly int* _offsets;
    private readonly float* _origin;
    private readonly int _column;
    private readonly int _outWidth;
    private readonly int _stride;

    /// <summary>The panel or block whose first column is <paramref name="column"/>.</summary>
    public ShiftedRows(float* data, int* offsets, int column, int outWidth, int stride)
    {
        _data = data;
        _offsets = offsets;
        _column = column;
        _outWidth = outWidth;
        _stride = stride;
        var first = Position(column, outWidth, stride);
        _origin = data + first;
        _second = Position(column + 16, outWidth, stride) - first;
    }

    private readonly int _second;

    public ShiftedRows Panel(int jr, int kc) => new(_data, _offsets, _column + jr, _outWidth, _stride);

    public float* Row(int p) => _origin + _offsets[p];

    public Vector512<float> Low(float* row) => Vector512.Load(row);

    public Vector512<float> High(float* row) => Vector512.Load(row + _second);

    /// <summary>Where GEMM column <paramref name="column"/> lies in a slice: (column / outWidth)·stride + column mod outWidth.</summary>
    internal static int Position(int column, int outWidth, int stride) => (column / outWidth * stride) + (column % outWidth);
}

/// <summary>
/// <see cref="ShiftedRows"/> for output rows an odd multiple of 8 wide (8×8 maps): each 16-column vector joins two
/// 8-column halves from consecutive output rows, so the GEMM still computes only real outputs and packs nothing.
/// </summary>
internal readonly unsafe struct HalfShiftedRows : IPanelRows<HalfShiftedRows>
{
    private readonly float* _data;
    private readonly int* _offsets;
    private readonly float* _origin;
    private readonly int _column;
    private readonly int _outWidth;
    private readonly int _stride;
    private readonly int _half1;
    private readonly int _half2;
    private readonly int _half3;

    /// <summary>The panel or block whose first column is <paramref name="column"/>.</summary>
    public HalfShiftedRows(float* data, int* offsets, int column, int outWidth, int stride)
    {
        _data = data;
        _offsets = offsets;
        _column = column;
        _outWidth = outWidth;
        _stride = stride;
        var first = ShiftedRows.Position(column, outWidth, stride);
        _origin = data + first;
        _half1 = ShiftedRows.Position(column + 8, outWidth, stride) - first;
        _half2 = ShiftedRows.Position(column + 16, outWidth, stride) - first;
        _half3 = ShiftedRows.Position(column + 24, outWidth, stride) - first;
    }

    public HalfShiftedRows Panel(int jr, int kc) => new(_data, _offsets, _column + jr, _outWidth, _stride);

    public float* Row(int p) => _origin + _offsets[p];

    public Vector512<float> Low(float* row) => Vector512.Create(Vector256.Load(row), Vector256.Load(row + _half1));

    public Vector512<float> High(float* row) => Vector512.Create(Vector256.Load(row + _half2), Vector256.Load(row + _half3));
}
