using Cnn.Runtime.Kernels;

namespace Cnn.Dsl.Tests.Kernels;

/// <summary>The padded image's scratch rule against its definition.</summary>
public class PaddedImageTests
{
    [Fact]
    public void Phase_blocks_reach_the_last_phase_a_tap_reads()
    {
        foreach (var kernel in new[] { 1, 2, 3, 4, 5, 7 })
        {
            foreach (var stride in new[] { 1, 2, 3, 4 })
            {
                foreach (var dilation in new[] { 1, 2, 3 })
                {
                    var size = (dilation * (kernel - 1)) + 9;
                    var g = new ConvGeometry(2, size, size, 3, kernel, stride, 0, dilation);
                    // Tap (i, j) reads block s·(i·d mod s) + (j·d mod s): the blocks laid out run to the largest.
                    var last = 0;
                    for (var i = 0; i < kernel; i++)
                    {
                        for (var j = 0; j < kernel; j++)
                        {
                            last = System.Math.Max(last, (i * dilation % stride * stride) + (j * dilation % stride));
                        }
                    }
                    Assert.True(last + 1 == PaddedImage.PhaseBlocks(g), $"k{kernel} s{stride} d{dilation}: {last + 1} blocks expected, {PaddedImage.PhaseBlocks(g)} given");
                }
            }
        }
    }
}
