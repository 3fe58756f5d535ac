using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Transposes a row-major matrix: <c>target[c·rows + r] = source[r·columns + c]</c>. Softmax over the
/// channels of a map uses it to turn a C×(H·W) sample into H·W rows of C values and back.
/// </summary>
/// <remarks>
/// The Vector512 path moves 16×16 tiles through registers (<see cref="Transpose16"/>). Tiles cut by
/// the matrix's edge are read with masked loads into a stack tile and written with masked stores, so
/// no access strays outside either matrix; rows missing from an edge tile repeat a present row (finite
/// values in lanes the masked stores drop). A matrix with fewer than 16 rows or columns (a softmax over
/// 10 classes) has only edge tiles, where the shuffles cost as much as the scalar loop saves (measured),
/// so it runs the scalar loop, as other paths do.
/// </remarks>
public static class MatrixTranspose
{
    private const int Tile = 16;

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
        if (length == 0)
        {
            return;
        }
        if (CpuPaths.Resolve(path) == CpuPath.Vector512 && Avx512F.IsSupported && rows >= Tile && columns >= Tile)
        {
            fixed (float* from = source)
            fixed (float* to = target)
            {
                Tiles(from, rows, columns, to);
            }
            return;
        }
        Scalar(source, rows, columns, target);
    }

    private static unsafe void Tiles(float* source, int rows, int columns, float* target)
    {
        var rowStarts = stackalloc float*[Tile];
        var inTile = stackalloc float[Tile * Tile];
        var outTile = stackalloc float[Tile * Tile];
        var lanes = Vector512.CreateSequence(0, 1);
        for (var c0 = 0; c0 < columns; c0 += Tile)
        {
            var tileColumns = Math.Min(Tile, columns - c0);
            var columnMask = Vector512.LessThan(lanes, Vector512.Create(tileColumns)).AsSingle();
            for (var r0 = 0; r0 < rows; r0 += Tile)
            {
                var tileRows = Math.Min(Tile, rows - r0);
                for (var r = 0; r < Tile; r++)
                {
                    var row = source + ((long)(r0 + (r < tileRows ? r : 0)) * columns) + c0;
                    if (tileColumns == Tile)
                    {
                        rowStarts[r] = row;
                    }
                    else
                    {
                        // A full-width load would read past the row (and, on the last row, past the matrix).
                        if (r < tileRows)
                        {
                            Avx512F.MaskLoad(row, columnMask, Vector512<float>.Zero).Store(inTile + (r * Tile));
                        }
                        rowStarts[r] = inTile + ((r < tileRows ? r : 0) * Tile);
                    }
                }
                var corner = target + ((long)c0 * rows) + r0;
                if (tileRows == Tile && tileColumns == Tile)
                {
                    Transpose16.Run(rowStarts, corner, rows);
                    continue;
                }
                Transpose16.Run(rowStarts, outTile, Tile);
                var rowMask = Vector512.LessThan(lanes, Vector512.Create(tileRows)).AsSingle();
                for (var q = 0; q < tileColumns; q++)
                {
                    Avx512F.MaskStore(corner + ((long)q * rows), rowMask, Vector512.Load(outTile + (q * Tile)));
                }
            }
        }
    }

    private static void Scalar(ReadOnlySpan<float> source, int rows, int columns, Span<float> target)
    {
        ref var from = ref MemoryMarshal.GetReference(source);
        ref var to = ref MemoryMarshal.GetReference(target);
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                Unsafe.Add(ref to, (c * rows) + r) = Unsafe.Add(ref from, (r * columns) + c);
            }
        }
    }
}
