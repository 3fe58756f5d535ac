using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// The vectorized pooling kernels' view of one window column j for the 16 lanes of a step, strides 1 and 2 only.
/// One-row steps: lane l is output column <c>ow₀ + l</c>, reading input column <c>(ow₀ + l)·s − p + j</c> (stride 1 reads
/// 16 contiguous values, stride 2 reads 32 and keeps the even ones with one permute). Two-row steps, for outputs at
/// most 8 wide: lanes <c>[0, W′)</c> are one output row and <c>[W′, 2W′)</c> the next, each half reading its own input
/// row; one 16-value load per row covers a whole output row's columns, and one two-source permute picks each
/// lane's value. Columns in the padding (and lanes past the outputs) are never read: masked-off lanes of a masked
/// load neither touch memory nor fault, and take a fill value instead (−∞ for max pooling, so padding never wins;
/// 0 for average pooling).
/// </summary>
internal readonly struct PoolTap
{
    /// <summary>Lanes of one step.</summary>
    internal const int Lanes = 16;

    private PoolTap(int first, Vector512<int> columns, Vector512<float> low, Vector512<float> high, Vector512<int> pick)
    {
        First = first;
        Columns = columns;
        Low = low;
        High = high;
        Pick = pick;
    }

    /// <summary>Input column of the first value read.</summary>
    internal int First { get; }

    /// <summary>Input column of every lane.</summary>
    internal Vector512<int> Columns { get; }

    /// <summary>Which of the first 16 values read are used.</summary>
    internal Vector512<float> Low { get; }

    /// <summary>Which of values 16–31 are used (one-row steps of stride 2).</summary>
    internal Vector512<float> High { get; }

    /// <summary>Which value each lane takes (stride-2 one-row steps, two-row steps).</summary>
    internal Vector512<int> Pick { get; }

    /// <summary>0, 1, …, 15.</summary>
    internal static Vector512<int> Sequence => Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

    /// <summary>Whether the vector kernels handle <paramref name="g"/> on <paramref name="path"/>.</summary>
    internal static bool Supports(in PoolGeometry g, CpuPath path) =>
        g.Stride <= 2 && CpuPaths.Resolve(path) == CpuPath.Vector512 && Avx512F.IsSupported;

    /// <summary>Whether two output rows fit one step: outputs at most 8 wide, so 2·W′ lanes and one 16-value load per row.</summary>
    internal static bool TwoRows(in PoolGeometry g) => g.OutWidth <= Lanes / 2;

    /// <summary>
    /// Column <paramref name="j"/> of the windows of outputs <paramref name="ow"/> … ow + <paramref name="count"/> − 1 of one
    /// row (count ≤ 16). Stride 2: columns j and j + 1 (j even) are the even and odd values of the same 32 read, so both
    /// taps read from column <c>ow·2 − p + j</c> with the same masks (every value either uses inside the row) and only their
    /// <see cref="Pick"/> differs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static PoolTap OneRow(in PoolGeometry g, int ow, int count, int j)
    {
        var live = Vector512.LessThan(Sequence, Vector512.Create(count));
        var columns = Vector512.Create((ow * g.Stride) - g.Pad + j) + (Sequence * g.Stride);
        var width = Vector512.Create(g.InWidth);
        if (g.Stride == 1)
        {
            var first = (ow * g.Stride) - g.Pad + j;
            var inside = live & Vector512.GreaterThanOrEqual(columns, Vector512<int>.Zero) & Vector512.LessThan(columns, width);
            return new PoolTap(first, columns, inside.AsSingle(), default, Sequence);
        }
        // Value e of the 32 read is column pairFirst + e: read when inside the row and used by a live lane (e/2 < count).
        var pairFirst = (ow * 2) - g.Pad + (j & ~1);
        var twiceCount = Vector512.Create(2 * count);
        var low = Vector512.Create(pairFirst) + Sequence;
        var high = low + Vector512.Create(Lanes);
        var lowUsed = Vector512.LessThan(Sequence, twiceCount) & Vector512.GreaterThanOrEqual(low, Vector512<int>.Zero) & Vector512.LessThan(low, width);
        var highUsed = Vector512.LessThan(Sequence + Vector512.Create(Lanes), twiceCount)
            & Vector512.GreaterThanOrEqual(high, Vector512<int>.Zero) & Vector512.LessThan(high, width);
        return new PoolTap(pairFirst, columns, lowUsed.AsSingle(), highUsed.AsSingle(), (Sequence * 2) + Vector512.Create(j & 1));
    }

    /// <summary>
    /// Column <paramref name="j"/> of the windows of two output rows of at most 8 outputs (see <see cref="TwoRows"/>). Stride
    /// 2: as in <see cref="OneRow"/>, columns j and j + 1 (j even) share one 16-value read per row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static PoolTap TwoRow(in PoolGeometry g, int j)
    {
        var outWidth = Vector512.Create(g.OutWidth);
        var second = Vector512.GreaterThanOrEqual(Sequence, outWidth);
        var column = Sequence - (second & outWidth);
        var first = g.Stride == 1 ? j - g.Pad : (j & ~1) - g.Pad;
        // Value e of a row's 16 is column first + e: read when inside the row and used by one of the row's outputs.
        var values = Vector512.Create(first) + Sequence;
        var used = Vector512.LessThan(Sequence, outWidth * g.Stride) & Vector512.GreaterThanOrEqual(values, Vector512<int>.Zero) & Vector512.LessThan(values, Vector512.Create(g.InWidth));
        // Lanes of the second row take the second source (values 16–31 of the permute).
        var pick = (column * g.Stride) + Vector512.Create(g.Stride == 1 ? 0 : j & 1) + (second & Vector512.Create(Lanes));
        return new PoolTap(first, Vector512.Create(j - g.Pad) + (column * g.Stride), used.AsSingle(), default, pick);
    }

    /// <summary>A one-row step's first 16 values from input row <paramref name="row"/> (all of them at stride 1), <paramref name="fill"/> where not read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe Vector512<float> LoadLow(float* row, Vector512<float> fill) => Avx512F.MaskLoad(row + First, Low, fill);

    /// <summary>A stride-2 one-row step's values 16–31.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe Vector512<float> LoadHigh(float* row, Vector512<float> fill) => Avx512F.MaskLoad(row + First + Lanes, High, fill);

    /// <summary>A two-row step's 16 values of one row (null: a padding row, all <paramref name="fill"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe Vector512<float> LoadRow(float* row, Vector512<float> fill) => row == null ? fill : Avx512F.MaskLoad(row + First, Low, fill);

    /// <summary>Each lane's value out of the two sources read (values 0–15 and 16–31).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Vector512<float> Select(Vector512<float> low, Vector512<float> high) => Avx512F.PermuteVar16x32x2(low, Pick, high);
}
