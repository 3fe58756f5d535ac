using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

/// <summary>An elementwise function of one input, in scalar and vector form (the TensorPrimitives pattern).</summary>
internal interface IUnaryKernel
{
    float Invoke(float x);

    Vector256<float> Invoke(Vector256<float> x);

    Vector512<float> Invoke(Vector512<float> x);
}

/// <summary>An elementwise function of two inputs (an activation's saved tensor and the incoming gradient).</summary>
internal interface IBinaryKernel
{
    float Invoke(float a, float b);

    Vector256<float> Invoke(Vector256<float> a, Vector256<float> b);

    Vector512<float> Invoke(Vector512<float> a, Vector512<float> b);
}

/// <summary>An elementwise function of three inputs (a ReLU output gating a gradient, and a third operand).</summary>
internal interface ITernaryKernel
{
    float Invoke(float a, float b, float c);

    Vector256<float> Invoke(Vector256<float> a, Vector256<float> b, Vector256<float> c);

    Vector512<float> Invoke(Vector512<float> a, Vector512<float> b, Vector512<float> c);
}

/// <summary>
/// One loop skeleton per arity, specialized by a struct operator so the JIT inlines the operator into
/// a fresh loop per kernel; the path decides the vector width. Output may alias an input.
/// </summary>
internal static class Elementwise
{
    internal static void Map<TOp>(TOp op, ReadOnlySpan<float> x, Span<float> y, CpuPath path)
        where TOp : struct, IUnaryKernel
    {
        if (y.Length < x.Length)
        {
            throw new ArgumentException($"Output of {y.Length} floats is shorter than the input's {x.Length}.", nameof(y));
        }
        ref var xs = ref MemoryMarshal.GetReference(x);
        ref var ys = ref MemoryMarshal.GetReference(y);
        var i = 0;
        switch (CpuPaths.Resolve(path))
        {
            case CpuPath.Vector512:
                for (; i <= x.Length - Vector512<float>.Count; i += Vector512<float>.Count)
                {
                    op.Invoke(Vector512.LoadUnsafe(ref xs, (nuint)i)).StoreUnsafe(ref ys, (nuint)i);
                }
                break;
            case CpuPath.Vector256:
                for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
                {
                    op.Invoke(Vector256.LoadUnsafe(ref xs, (nuint)i)).StoreUnsafe(ref ys, (nuint)i);
                }
                break;
        }
        for (; i < x.Length; i++)
        {
            Unsafe.Add(ref ys, i) = op.Invoke(Unsafe.Add(ref xs, i));
        }
    }

    internal static void Map<TOp>(TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, CpuPath path)
        where TOp : struct, IBinaryKernel
    {
        if (b.Length < a.Length || y.Length < a.Length)
        {
            throw new ArgumentException($"Operands of {b.Length} and {y.Length} floats are shorter than the first's {a.Length}.");
        }
        ref var aStart = ref MemoryMarshal.GetReference(a);
        ref var bStart = ref MemoryMarshal.GetReference(b);
        ref var yStart = ref MemoryMarshal.GetReference(y);
        var i = 0;
        switch (CpuPaths.Resolve(path))
        {
            case CpuPath.Vector512:
                for (; i <= a.Length - Vector512<float>.Count; i += Vector512<float>.Count)
                {
                    op.Invoke(Vector512.LoadUnsafe(ref aStart, (nuint)i), Vector512.LoadUnsafe(ref bStart, (nuint)i)).StoreUnsafe(ref yStart, (nuint)i);
                }
                break;
            case CpuPath.Vector256:
                for (; i <= a.Length - Vector256<float>.Count; i += Vector256<float>.Count)
                {
                    op.Invoke(Vector256.LoadUnsafe(ref aStart, (nuint)i), Vector256.LoadUnsafe(ref bStart, (nuint)i)).StoreUnsafe(ref yStart, (nuint)i);
                }
                break;
        }
        for (; i < a.Length; i++)
        {
            Unsafe.Add(ref yStart, i) = op.Invoke(Unsafe.Add(ref aStart, i), Unsafe.Add(ref bStart, i));
        }
    }

    internal static void Map<TOp>(TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, Span<float> y, CpuPath path)
        where TOp : struct, ITernaryKernel
    {
        if (b.Length < a.Length || c.Length < a.Length || y.Length < a.Length)
        {
            throw new ArgumentException($"Operands of {b.Length}, {c.Length} and {y.Length} floats are shorter than the first's {a.Length}.");
        }
        ref var aStart = ref MemoryMarshal.GetReference(a);
        ref var bStart = ref MemoryMarshal.GetReference(b);
        ref var cStart = ref MemoryMarshal.GetReference(c);
        ref var yStart = ref MemoryMarshal.GetReference(y);
        var i = 0;
        switch (CpuPaths.Resolve(path))
        {
            case CpuPath.Vector512:
                for (; i <= a.Length - Vector512<float>.Count; i += Vector512<float>.Count)
                {
                    op.Invoke(Vector512.LoadUnsafe(ref aStart, (nuint)i), Vector512.LoadUnsafe(ref bStart, (nuint)i), Vector512.LoadUnsafe(ref cStart, (nuint)i))
                        .StoreUnsafe(ref yStart, (nuint)i);
                }
                break;
            case CpuPath.Vector256:
                for (; i <= a.Length - Vector256<float>.Count; i += Vector256<float>.Count)
                {
                    op.Invoke(Vector256.LoadUnsafe(ref aStart, (nuint)i), Vector256.LoadUnsafe(ref bStart, (nuint)i), Vector256.LoadUnsafe(ref cStart, (nuint)i))
                        .StoreUnsafe(ref yStart, (nuint)i);
                }
                break;
        }
        for (; i < a.Length; i++)
        {
            Unsafe.Add(ref yStart, i) = op.Invoke(Unsafe.Add(ref aStart, i), Unsafe.Add(ref bStart, i), Unsafe.Add(ref cStart, i));
        }
    }
}

/// <summary>y = scale·x + shift (BatchNorm's per-channel affine map), one rounding (an FMA) on every lane and every tail value alike.</summary>
internal readonly struct AffineOp(float scale, float shift) : IUnaryKernel
{
    public float Invoke(float x) => MathF.FusedMultiplyAdd(x, scale, shift);

    public Vector256<float> Invoke(Vector256<float> x) => Vector256.FusedMultiplyAdd(x, Vector256.Create(scale), Vector256.Create(shift));

    public Vector512<float> Invoke(Vector512<float> x) => Vector512.FusedMultiplyAdd(x, Vector512.Create(scale), Vector512.Create(shift));
}

/// <summary>y = a·u + b·v + c (BatchNorm's data gradient from dy and x).</summary>
internal readonly struct AffinePairOp(float a, float b, float c) : IBinaryKernel
{
    public float Invoke(float u, float v) => (a * u) + (b * v) + c;

    public Vector256<float> Invoke(Vector256<float> u, Vector256<float> v) => Vector256.FusedMultiplyAdd(u, Vector256.Create(a), Vector256.FusedMultiplyAdd(v, Vector256.Create(b), Vector256.Create(c)));

    public Vector512<float> Invoke(Vector512<float> u, Vector512<float> v) => Vector512.FusedMultiplyAdd(u, Vector512.Create(a), Vector512.FusedMultiplyAdd(v, Vector512.Create(b), Vector512.Create(c)));
}

/// <summary>y = a·u + v (axpy; v is usually the output itself).</summary>
internal readonly struct AxpyOp(float a) : IBinaryKernel
{
    public float Invoke(float u, float v) => (a * u) + v;

    public Vector256<float> Invoke(Vector256<float> u, Vector256<float> v) => Vector256.FusedMultiplyAdd(u, Vector256.Create(a), v);

    public Vector512<float> Invoke(Vector512<float> u, Vector512<float> v) => Vector512.FusedMultiplyAdd(u, Vector512.Create(a), v);
}

/// <summary>y = u + v.</summary>
internal readonly struct AddOp : IBinaryKernel
{
    public float Invoke(float u, float v) => u + v;

    public Vector256<float> Invoke(Vector256<float> u, Vector256<float> v) => u + v;

    public Vector512<float> Invoke(Vector512<float> u, Vector512<float> v) => u + v;
}

/// <summary>y = u·v.</summary>
internal readonly struct MultiplyOp : IBinaryKernel
{
    public float Invoke(float u, float v) => u * v;

    public Vector256<float> Invoke(Vector256<float> u, Vector256<float> v) => u * v;

    public Vector512<float> Invoke(Vector512<float> u, Vector512<float> v) => u * v;
}
