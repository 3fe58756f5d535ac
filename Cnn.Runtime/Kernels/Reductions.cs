using System;
using System.Numerics.Tensors;

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
}
