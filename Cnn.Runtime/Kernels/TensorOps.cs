using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

    /// <summary><c>y = relu(a + b)</c> (a residual's sum and the ReLU after it, in one pass).</summary>
    /// <param name="a">First operand.</param>
    /// <param name="b">Second operand, same length.</param>
    /// <param name="y">Output (may alias either operand).</param>
    /// <param name="path">The instruction set to use.</param>
    public static void AddRelu(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, CpuPath path = CpuPath.Auto)
        => Elementwise.Map(default(AddReluOp), a, b, y, path);

    /// <summary><c>y += x</c> (a gradient reaching one tensor along two paths).</summary>
    /// <param name="y">Accumulator.</param>
    /// <param name="x">Addend, same length.</param>
    /// <param name="path">The instruction set to use.</param>
    public static void AddInPlace(Span<float> y, ReadOnlySpan<float> x, CpuPath path = CpuPath.Auto)
        => Elementwise.Map(default(AddOp), x, y[..x.Length], y, path);

    /// <summary>
    /// <c>y += x</c>, reporting whether every sum is finite: the last step of a gradient reduction
    /// checks its result while writing it, so no separate scan for NaN and infinities is needed.
    /// </summary>
    /// <param name="y">Accumulator.</param>
    /// <param name="x">Addend, same length.</param>
    /// <param name="path">The instruction set to use.</param>
    /// <returns>Whether every value of <paramref name="y"/> is finite afterwards.</returns>
    public static bool AddInPlaceFinite(Span<float> y, ReadOnlySpan<float> x, CpuPath path = CpuPath.Auto)
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"Lengths differ: {y.Length} and {x.Length}.", nameof(x));
        }
        ref var target = ref MemoryMarshal.GetReference(y);
        ref var source = ref MemoryMarshal.GetReference(x);
        var n = (nuint)y.Length;
        nuint i = 0;
        var finite = true;
        var resolved = CpuPaths.Resolve(path);
        if (resolved == CpuPath.Vector512 && Vector512.IsHardwareAccelerated)
        {
            var allFinite = Vector512<int>.AllBitsSet;
            for (; i + (nuint)Vector512<float>.Count <= n; i += (nuint)Vector512<float>.Count)
            {
                var sum = Vector512.LoadUnsafe(ref target, i) + Vector512.LoadUnsafe(ref source, i);
                sum.StoreUnsafe(ref target, i);
                allFinite &= FiniteCheck.Lanes(sum);
            }
            finite &= Vector512.EqualsAll(allFinite, Vector512<int>.AllBitsSet);
        }
        if (resolved != CpuPath.Scalar && Vector256.IsHardwareAccelerated)
        {
            var allFinite = Vector256<int>.AllBitsSet;
            for (; i + (nuint)Vector256<float>.Count <= n; i += (nuint)Vector256<float>.Count)
            {
                var sum = Vector256.LoadUnsafe(ref target, i) + Vector256.LoadUnsafe(ref source, i);
                sum.StoreUnsafe(ref target, i);
                allFinite &= FiniteCheck.Lanes(sum);
            }
            finite &= Vector256.EqualsAll(allFinite, Vector256<int>.AllBitsSet);
        }
        for (; i < n; i++)
        {
            var sum = y[(int)i] + x[(int)i];
            y[(int)i] = sum;
            finite &= float.IsFinite(sum);
        }
        return finite;
    }
}
