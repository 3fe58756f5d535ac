using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Sums and dot products on a chosen path: plain loops on <see cref="CpuPath.Scalar"/>, else
/// TensorPrimitives (which vectorizes at the widest width the processor has).
/// </summary>
internal static class Reductions
{
    internal static float Sum(ReadOnlySpan<float> x, CpuPath path)
    {
        if (CpuPaths.Resolve(path) != CpuPath.Scalar)
        {
            return TensorPrimitives.Sum(x);
        }
        var sum = 0f;
        foreach (var v in x)
        {
            sum += v;
        }
        return sum;
    }

    internal static float SumOfSquares(ReadOnlySpan<float> x, CpuPath path)
    {
        if (CpuPaths.Resolve(path) != CpuPath.Scalar)
        {
            return TensorPrimitives.SumOfSquares(x);
        }
        var sum = 0f;
        foreach (var v in x)
        {
            sum += v * v;
        }
        return sum;
    }

    internal static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y, CpuPath path)
    {
        if (CpuPaths.Resolve(path) != CpuPath.Scalar)
        {
            return TensorPrimitives.Dot(x, y);
        }
        var sum = 0f;
        for (var i = 0; i < x.Length; i++)
        {
            sum += x[i] * y[i];
        }
        return sum;
    }

    /// <summary>
    /// <c>Σ g</c> and <c>Σ g·x</c> with <c>g = (y &gt; 0 ? dy : 0)</c>, in one pass: the sums BatchNorm's
    /// backward needs when a ReLU with output <paramref name="y"/> follows it.
    /// </summary>
    internal static (float Sum, float Dot) GatedSumAndDot(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, CpuPath path)
    {
        if (y.Length < dy.Length || x.Length < dy.Length)
        {
            throw new ArgumentException($"Operands of {y.Length} and {x.Length} floats are shorter than the gradient's {dy.Length}.");
        }
        ref var ys = ref MemoryMarshal.GetReference(y);
        ref var gs = ref MemoryMarshal.GetReference(dy);
        ref var xs = ref MemoryMarshal.GetReference(x);
        var i = 0;
        var sum = 0f;
        var dot = 0f;
        switch (CpuPaths.Resolve(path))
        {
            case CpuPath.Vector512:
            {
                var sums = Vector512<float>.Zero;
                var dots = Vector512<float>.Zero;
                for (; i <= dy.Length - Vector512<float>.Count; i += Vector512<float>.Count)
                {
                    var gated = Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512.LoadUnsafe(ref ys, (nuint)i), Vector512<float>.Zero),
                        Vector512.LoadUnsafe(ref gs, (nuint)i), Vector512<float>.Zero);
                    sums += gated;
                    dots = Vector512.FusedMultiplyAdd(gated, Vector512.LoadUnsafe(ref xs, (nuint)i), dots);
                }
                sum = Vector512.Sum(sums);
                dot = Vector512.Sum(dots);
                break;
            }
            case CpuPath.Vector256:
            {
                var sums = Vector256<float>.Zero;
                var dots = Vector256<float>.Zero;
                for (; i <= dy.Length - Vector256<float>.Count; i += Vector256<float>.Count)
                {
                    var gated = Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.LoadUnsafe(ref ys, (nuint)i), Vector256<float>.Zero),
                        Vector256.LoadUnsafe(ref gs, (nuint)i), Vector256<float>.Zero);
                    sums += gated;
                    dots = Vector256.FusedMultiplyAdd(gated, Vector256.LoadUnsafe(ref xs, (nuint)i), dots);
                }
                sum = Vector256.Sum(sums);
                dot = Vector256.Sum(dots);
                break;
            }
        }
        for (; i < dy.Length; i++)
        {
            if (Unsafe.Add(ref ys, i) > 0f)
            {
                var g = Unsafe.Add(ref gs, i);
                sum += g;
                dot += g * Unsafe.Add(ref xs, i);
            }
        }
        return (sum, dot);
    }
}
