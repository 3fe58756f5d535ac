using Cnn.Runtime.Model;
using Cnn.Runtime.Summary;

namespace Cnn.Dsl.Tests.Summary;

public class ModelSummaryTests
{
    [Fact]
    public void ToString_prints_a_keras_like_table_with_nested_rows_and_totals()
    {
        var summary = new ModelSummary(
            "Tiny",
            new TensorShape(1, 4, 4),
            new TensorShape(2, 1, 1, IsVector: true),
            new[]
            {
                new LayerSummary("conv1", "Conv", new TensorShape(3, 2, 2), 30, 108, 3, 48, 0),
                new LayerSummary("res1", "Residual<Body>", new TensorShape(3, 2, 2), 6, 0, 3, 48, 0),
                new LayerSummary("res1.bn1", "BatchNorm", new TensorShape(3, 2, 2), 6, 0, 3, 48, 1),
                new LayerSummary("flatten1", "Flatten", new TensorShape(12, 1, 1, true), 0, 0, 4, 48, 0),
                new LayerSummary("dense1", "Dense", new TensorShape(2, 1, 1, true), 26, 24, 4, 8, 0),
            },
            TotalParameters: 62,
            TotalBufferValues: 6,
            TotalMultiplyAdds: 132,
            TotalActivationBytes: 2_048);

        Assert.Equal(
            """
            Model: Tiny (input 1×4×4)
            _________________________________________________________________________
            Layer (type)            Output shape  Param #  Mult-adds  RF  Activations
            =========================================================================
            conv1 (Conv)            3×2×2              30        108   3         48 B
            res1 (Residual<Body>)   3×2×2               6          0   3         48 B
              res1.bn1 (BatchNorm)  3×2×2               6          0   3         48 B
            flatten1 (Flatten)      12                  0          0   4         48 B
            dense1 (Dense)          2                  26         24   4          8 B
            =========================================================================
            Total params: 62 (248 B)
            Buffers (running statistics): 6 (24 B)
            Mult-adds per sample: 132
            Activations per sample: 2.00 KiB
            _________________________________________________________________________
            """.Replace("\r\n", "\n"),
            summary.ToString().Replace("\r\n", "\n"));
    }

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1024, "1.00 KiB")]
    [InlineData(18_816, "18.38 KiB")]
    [InlineData(102_238_208, "97.50 MiB")]
    [InlineData(5_368_709_120, "5.00 GiB")]
    public void Byte_sizes_use_binary_units(long bytes, string text) => Assert.Equal(text, SummaryTable.Bytes(bytes));
}
