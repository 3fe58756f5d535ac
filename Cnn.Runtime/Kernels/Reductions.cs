using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Sums and dot products on a chosen path: plain loops on <see cref="CpuPath.Scalar"/>; else TensorPrimitives
/// (which vectorizes at the widest width the processor has) for a plain sum, and our own vector loops for the
/// paired sums BatchNorm takes per plane.
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

    /// <summary>
    /// <c>Σ a</c> and <c>Σ a·b</c> in one pass and one call: BatchNorm's per-plane sums (<c>b = a</c> gives Σx and
    /// Σx²; <c>a = dy</c>, <c>b = x</c> the gradient sums), which took two library calls and two passes per plane.
    /// </summary>
    internal static (float Sum, float Dot) SumAndDot(ReadOnlySpan<float> a, ReadOnlySpan<float> b, CpuPath path) =>
        SumAndDot(default(Ungated), a, a, b, path);

    /// <summary>
    /// <c>Σ g</c> and <c>Σ g·x</c> with <c>g = (y &gt; 0 ? dy : 0)</c>, in one pass: the sums BatchNorm's
    /// backward needs when a ReLU with output <paramref name="y"/> follows it.
    /// </summary>
    internal static (float Sum, float Dot) GatedSumAndDot(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, CpuPath path) =>
        SumAndDot(default(ReluGate), y, dy, x, path);

    /// <summary>
    /// <see cref="GatedSumAndDot"/> with the ReLU's output recomputed from <paramref name="x"/> as BatchNorm's forward
    /// computes it (<see cref="AffineReluOp"/>, the same instructions at the same positions), so its gate is the
    /// forward's <c>y &gt; 0</c> bit for bit without reading y.
    /// </summary>
    internal static (float Sum, float Dot) AffineGatedSumAndDot(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, float scale, float shift, CpuPath path) =>
        SumAndDot(new AffineReluGate(scale, shift), x, dy, x, path);

    private static (float Sum, float Dot) SumAndDot<TGate>(TGate gate, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, CpuPath path)
        where TGate : struct, IGate
    {
        if (y.Length < dy.Length || x.Length < dy.Length)
        {
            throw new ArgumentException($"Operands of {y.Length} and {x.Length} floats are shorter than the first's {dy.Length}.");
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
                // Four sums of each kind, so the loop is not one chain of dependent adds (4 cycles an FMA): on data in cache
                // (a convolution's output, summed for BatchNorm while the sample's 64 KiB are in L2) one chain took 256 cycles
                // a 1,024-value plane. Every value goes through the same vector code at the same position as with one sum.
                var (sums, sums1, sums2, sums3) = (Vector512<float>.Zero, Vector512<float>.Zero, Vector512<float>.Zero, Vector512<float>.Zero);
                var (dots, dots1, dots2, dots3) = (Vector512<float>.Zero, Vector512<float>.Zero, Vector512<float>.Zero, Vector512<float>.Zero);
                const int Width = 4 * 16;
                for (; i <= dy.Length - Width; i += Width)
                {
                    var g0 = gate.Apply(Vector512.LoadUnsafe(ref ys, (nuint)i), Vector512.LoadUnsafe(ref gs, (nuint)i));
                    var g1 = gate.Apply(Vector512.LoadUnsafe(ref ys, (nuint)(i + 16)), Vector512.LoadUnsafe(ref gs, (nuint)(i + 16)));
                    var g2 = gate.Apply(Vector512.LoadUnsafe(ref ys, (nuint)(i + 32)), Vector512.LoadUnsafe(ref gs, (nuint)(i + 32)));
                    var g3 = gate.Apply(Vector512.LoadUnsafe(ref ys, (nuint)(i + 48)), Vector512.LoadUnsafe(ref gs, (nuint)(i + 48)));
                    sums += g0;
                    sums1 += g1;
                    sums2 += g2;
                    sums3 += g3;
                    dots = Vector512.FusedMultiplyAdd(g0, Vector512.LoadUnsafe(ref xs, (nuint)i), dots);
                    dots1 = Vector512.FusedMultiplyAdd(g1, Vector512.LoadUnsafe(ref xs, (nuint)(i + 16)), dots1);
                    dots2 = Vector512.FusedMultiplyAdd(g2, Vector512.LoadUnsafe(ref xs, (nuint)(i + 32)), dots2);
                    dots3 = Vector512.FusedMultiplyAdd(g3, Vector512.LoadUnsafe(ref xs, (nuint)(i + 48)), dots3);
                }
                for (; i <= dy.Length - Vector512<float>.Count; i += Vector512<float>.Count)
                {
                    var gated = gate.Apply(Vector512.LoadUnsafe(ref ys, (nuint)i), Vector512.LoadUnsafe(ref gs, (nuint)i));
                    sums += gated;
                    dots = Vector512.FusedMultiplyAdd(gated, Vector512.LoadUnsafe(ref xs, (nuint)i), dots);
                }
                sum = Vector512.Sum((sums + sums1) + (sums2 + sums3));
                dot = Vector512.Sum((dots + dots1) + (dots2 + dots3));
                break;
            }
            case CpuPath.Vector256:
            {
                var sums = Vector256<float>.Zero;
                var dots = Vector256<float>.Zero;
                for (; i <= dy.Length - Vector256<float>.Count; i += Vector256<float>.Count)
                {
                    var gated = gate.Apply(Vector256.LoadUnsafe(ref ys, (nuint)i), Vector256.LoadUnsafe(ref gs, (nuint)i));
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
            var g = gate.Apply(Unsafe.Add(ref ys, i), Unsafe.Add(ref gs, i));
            sum += g;
            dot += g * Unsafe.Add(ref xs, i);
        }
        return (sum, dot);
    }

    /// <summary>What reaches a reduction of a gradient: all of it, what a ReLU with output y lets through, or what it let through recomputed from its input (<see cref="AffineReluGate"/>).</summary>
    internal interface IGate
    {
        float Apply(float y, float dy);

        Vector256<float> Apply(Vector256<float> y, Vector256<float> dy);

        Vector512<float> Apply(Vector512<float> y, Vector512<float> dy);
    }

    private readonly struct Ungated : IGate
    {
        public float Apply(float y, float dy) => dy;

        public Vector256<float> Apply(Vector256<float> y, Vector256<float> dy) => dy;

        public Vector512<float> Apply(Vector512<float> y, Vector512<float> dy) => dy;
    }

    private readonly struct ReluGate : IGate
    {
        public float Apply(float y, float dy) => y > 0f ? dy : 0f;

        public Vector256<float> Apply(Vector256<float> y, Vector256<float> dy) => Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), dy, Vector256<float>.Zero);

        public Vector512<float> Apply(Vector512<float> y, Vector512<float> dy) => Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), dy, Vector512<float>.Zero);
    }
}
