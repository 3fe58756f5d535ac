using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Transposes a row-major matrix: <c>target[c·rows + r] = source[r·columns + c]</c>. Softmax over the
/// channels of a map uses it to turn a C×(H·W) sample into H·W rows of C values and back.
/// </summary>
/// <remarks>
/// Square tiles move through registers: 16×16 on Vector512 (<see cref="Transpose16"/>), 8×8 on
/// Vector256. Tiles cut by the matrix's edge are read with masked loads into a stack tile and written
/// with masked stores, so no access strays outside either matrix; rows missing from an edge tile
/// repeat a present row (finite values in lanes the masked stores drop). A matrix narrower than a
/// tile would have only edge tiles, where the shuffles cost as much as the scalar loop saves
/// (measured on 3×4096), so it takes the 8×8 tiles (a softmax over 10 classes on Vector512) or, under
/// 8 rows or columns, the scalar loop.
/// </remarks>
public static class MatrixTranspose
{
    /// <summary>Writes the [<paramref name="rows"/>, <paramref name="columns"/>] matrix <paramref name="source"/> transposed into <paramref name="target"/>.</summary>
    /// <param name="source">rows × columns values, row-major.</param>
    /// <param name="rows">Rows of <paramref name="source"/>.</param>
    /// <param name="columns">Columns of <paramref name="source"/>.</param>
    /// <param name="target">columns × rows values (written), row-major.</param>
    /// <param name="path">Instruction set.</param>
    public static unsafe void Run(ReadOnlySpan<float> source, int rows, int columns, Span<float> target, CpuPath path = CpuPath.Auto)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        var length = checked(rows * columns);
        if (source.Length < length || target.Length < length)
        {
            throw new ArgumentException($"A {rows}×{columns} transpose needs {length} values in both spans; got {source.Length} and {target.Length}.");
        }
        fixed (float* from = source)
        fixed (float* to = target)
        {
            Run(from, rows, columns, columns, to, path);
        }
    }

    /// <summary>
    /// As <see cref="Run(ReadOnlySpan{float}, int, int, Span{float}, CpuPath)"/> for a block of a larger matrix, whose rows start
    /// <paramref name="sourceStride"/> floats apart: <c>target[c·rows + r] = source[r·sourceStride + c]</c>.
    /// </summary>
    internal static unsafe void Run(float* source, int rows, int columns, int sourceStride, float* target, CpuPath path = CpuPath.Auto)
    {
        var resolved = CpuPaths.Resolve(path);
        if (resolved == CpuPath.Vector512 && Avx512F.IsSupported && Math.Min(rows, columns) >= Tile16.Size)
        {
            Tiles<Tile16>(source, rows, columns, sourceStride, target);
            return;
        }
        if (resolved != CpuPath.Scalar && Avx.IsSupported && Math.Min(rows, columns) >= Tile8.Size)
        {
            Tiles<Tile8>(source, rows, columns, sourceStride, target);
            return;
        }
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                target[((long)c * rows) + r] = source[((long)r * sourceStride) + c];
            }
        }
    }

    private static unsafe void Tiles<TTile>(float* source, int rows, int columns, int sourceStride, float* target)
        where TTile : struct, ITile
    {
        var size = TTile.Size;
        var rowStarts = stackalloc float*[size];
        var inTile = stackalloc float[size * size];
        var outTile = stackalloc float[size * size];
        for (var c0 = 0; c0 < columns; c0 += size)
        {
            var tileColumns = Math.Min(size, columns - c0);
            for (var r0 = 0; r0 < rows; r0 += size)
            {
                var tileRows = Math.Min(size, rows - r0);
                for (var r = 0; r < size; r++)
                {
                    var row = source + ((long)(r0 + (r < tileRows ? r : 0)) * sourceStride) + c0;
                    if (tileColumns == size)
                    {
                        rowStarts[r] = row;
                    }
                    else
                    {
                        // A full-width load would read past the row (and, on the last row, past the matrix).
                        if (r < tileRows)
                        {
                            TTile.LoadPart(row, tileColumns, inTile + (r * size));
                        }
                        rowStarts[r] = inTile + ((r < tileRows ? r : 0) * size);
                    }
                }
                var corner = target + ((long)c0 * rows) + r0;
                if (tileRows == size && tileColumns == size)
                {
                    TTile.Transpose(rowStarts, corner, rows);
                    continue;
                }
                TTile.Transpose(rowStarts, outTile, size);
                for (var q = 0; q < tileColumns; q++)
                {
                    TTile.StorePart(outTile + (q * size), tileRows, corner + ((long)q * rows));
                }
            }
        }
    }

    /// <summary>A square register tile: its transpose and the masked row copies of edge tiles.</summary>
    private unsafe interface ITile
    {
        static abstract int Size { get; }

        /// <summary>Transposes Size rows of Size floats; column q goes to <paramref name="target"/> + q·<paramref name="stride"/>.</summary>
        static abstract void Transpose(float** rows, float* target, int stride);

        /// <summary>Copies the first <paramref name="count"/> floats of a row into a tile row, touching nothing past them.</summary>
        static abstract void LoadPart(float* source, int count, float* tileRow);

        /// <summary>Writes the first <paramref name="count"/> floats of a tile row, touching nothing past them.</summary>
        static abstract void StorePart(float* tileRow, int count, float* target);
    }

    private readonly unsafe struct Tile16 : ITile
    {
        public static int Size => 16;

        public static void Transpose(float** rows, float* target, int stride) => Transpose16.Run(rows, target, stride);

        public static void LoadPart(float* source, int count, float* tileRow) =>
            Avx512F.MaskLoad(source, Mask(count), Vector512<float>.Zero).Store(tileRow);

        public static void StorePart(float* tileRow, int count, float* target) =>
            Avx512F.MaskStore(target, Mask(count), Vector512.Load(tileRow));

        private static Vector512<float> Mask(int count) =>
            Vector512.LessThan(Vector512.CreateSequence(0, 1), Vector512.Create(count)).AsSingle();
    }

    private readonly unsafe struct Tile8 : ITile
    {
        public static int Size => 8;

        /// <summary>8×8 in AVX registers: unpack 32-bit pairs, shuffle 64-bit pairs, swap 128-bit halves.</summary>
        public static void Transpose(float** rows, float* target, int stride)
        {
            var t0 = Avx.UnpackLow(Vector256.Load(rows[0]), Vector256.Load(rows[1]));
            var t1 = Avx.UnpackHigh(Vector256.Load(rows[0]), Vector256.Load(rows[1]));
            var t2 = Avx.UnpackLow(Vector256.Load(rows[2]), Vector256.Load(rows[3]));
            var t3 = Avx.UnpackHigh(Vector256.Load(rows[2]), Vector256.Load(rows[3]));
            var t4 = Avx.UnpackLow(Vector256.Load(rows[4]), Vector256.Load(rows[5]));
            var t5 = Avx.UnpackHigh(Vector256.Load(rows[4]), Vector256.Load(rows[5]));
            var t6 = Avx.UnpackLow(Vector256.Load(rows[6]), Vector256.Load(rows[7]));
            var t7 = Avx.UnpackHigh(Vector256.Load(rows[6]), Vector256.Load(rows[7]));
            // 0x44 takes elements (0, 1) of each source's 128-bit lane, 0xEE elements (2, 3): lane k of
            // u(c) holds column c (first half) or c + 4 (second half) of four rows.
            var u0 = Avx.Shuffle(t0, t2, 0x44);
            var u1 = Avx.Shuffle(t0, t2, 0xEE);
            var u2 = Avx.Shuffle(t1, t3, 0x44);
            var u3 = Avx.Shuffle(t1, t3, 0xEE);
            var u4 = Avx.Shuffle(t4, t6, 0x44);
            var u5 = Avx.Shuffle(t4, t6, 0xEE);
            var u6 = Avx.Shuffle(t5, t7, 0x44);
            var u7 = Avx.Shuffle(t5, t7, 0xEE);
            Avx.Permute2x128(u0, u4, 0x20).Store(target);
            Avx.Permute2x128(u1, u5, 0x20).Store(target + stride);
            Avx.Permute2x128(u2, u6, 0x20).Store(target + (2 * stride));
            Avx.Permute2x128(u3, u7, 0x20).Store(target + (3 * stride));
            Avx.Permute2x128(u0, u4, 0x31).Store(target + (4 * stride));
            Avx.Permute2x128(u1, u5, 0x31).Store(target + (5 * stride));
            Avx.Permute2x128(u2, u6, 0x31).Store(target + (6 * stride));
            Avx.Permute2x128(u3, u7, 0x31).Store(target + (7 * stride));
        }

        public static void LoadPart(float* source, int count, float* tileRow) =>
            Avx.MaskLoad(source, Mask(count)).Store(tileRow);

        public static void StorePart(float* tileRow, int count, float* target) =>
            Avx.MaskStore(target, Mask(count), Vector256.Load(tileRow));

        private static Vector256<float> Mask(int count) =>
            Vector256.LessThan(Vector256.CreateSequence(0, 1), Vector256.Create(count)).AsSingle();
    }
}
