using System;

namespace Cnn.Runtime.Kernels;

/// <summary>Elementwise tensor arithmetic for residual connections and gradient fan-in.</summary>
public static class TensorOps
{
    /// <summary><c>y = a + b</c> (a residual's sum).</summary>
    /// <param name="a">First operand.</param>
    /// <param name="b">Second operand, same length.</param>
    /// <param name="y">Output (may alias either operand).</param>
    /// <param name="path">The instruction set to use.</param>
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, CpuPath path = CpuPath.Auto)
        => Elementwise.Map(default(AddOp), a, b, y, path);

    /// <summary><c>y += x</c> (a gradient reaching one tensor along two paths).</summary>
    /// <param name="y">Accumulator.</param>
    /// <param name="x">Addend, same length.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void AddInPlace(Span<float> y, ReadOnlySpan<float> x, CpuPath path = CpuPath.Auto)
        => Elementwise.Map(default(AddOp), x, y[..x.Length], y, path);
}
