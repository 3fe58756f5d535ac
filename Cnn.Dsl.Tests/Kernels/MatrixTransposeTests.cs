using System;
using System.Linq;
using Cnn.Runtime.Kernels;

namespace Cnn.Dsl.Tests.Kernels;

public class MatrixTransposeTests
{
    private static readonly int[] Sizes = [1, 3, 10, 15, 16, 17, 31, 32, 33, 50];

    public static TheoryData<CpuPath> Paths() => KernelAssert.Paths();

    [Theory]
    [MemberData(nameof(Paths))]
    public void Every_value_lands_at_its_transposed_place_and_nothing_is_written_past_the_matrix(CpuPath path)
    {
        foreach (var rows in Sizes)
        {
            foreach (var columns in Sizes)
            {
                var length = rows * columns;
                // Distinct values, so a value in the wrong place cannot pass.
                var source = Enumerable.Range(0, length).Select(i => i + 0.5f).ToArray();
                var target = new float[length + 40];
                target.AsSpan(length).Fill(-7f);

                MatrixTranspose.Run(source, rows, columns, target.AsSpan(), path);

                for (var r = 0; r < rows; r++)
                {
                    for (var c = 0; c < columns; c++)
                    {
                        Assert.True(target[(c * rows) + r] == source[(r * columns) + c], $"{path} {rows}×{columns}: [{r}, {c}]");
                    }
                }
                Assert.All(target[length..], v => Assert.Equal(-7f, v));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public unsafe void A_block_of_a_larger_matrix_is_transposed_without_its_neighbours(CpuPath path)
    {
        foreach (var rows in Sizes)
        {
            foreach (var columns in Sizes)
            {
                // The block starts 5 columns into rows 9 wider than it; the columns around it must not be read into the result.
                var stride = columns + 9;
                var source = Enumerable.Range(0, rows * stride).Select(i => i + 0.5f).ToArray();
                var target = new float[(rows * columns) + 40];
                target.AsSpan(rows * columns).Fill(-7f);
                fixed (float* from = source, to = target)
                {
                    MatrixTranspose.Run(from + 5, rows, columns, stride, to, path);
                }
                for (var r = 0; r < rows; r++)
                {
                    for (var c = 0; c < columns; c++)
                    {
                        Assert.True(target[(c * rows) + r] == source[(r * stride) + 5 + c], $"{path} {rows}×{columns} of rows {stride} apart: [{r}, {c}]");
                    }
                }
                Assert.All(target[(rows * columns)..], v => Assert.Equal(-7f, v));
            }
        }
    }

    [Fact]
    public void Spans_too_short_for_the_matrix_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => MatrixTranspose.Run(new float[11], 3, 4, new float[12]));
        Assert.Throws<ArgumentException>(() => MatrixTranspose.Run(new float[12], 3, 4, new float[11]));
    }
}
