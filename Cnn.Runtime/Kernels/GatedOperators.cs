using System;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

// Operators of layers fused with the ReLU after them: forward they apply the ReLU to what they
// compute, backward the ReLU's output y gates the incoming gradient dy (y > 0 ? dy : 0) where the
// operator reads it, so the gated gradient is never stored.

/// <summary>y = relu(scale·x + shift) (BatchNorm's affine map, then ReLU), the map one rounding (an FMA) on every lane and every tail value alike.</summary>
internal readonly struct AffineReluOp(float scale, float shift) : IUnaryKernel
{
    public float Invoke(float x)
    {
        var v = MathF.FusedMultiplyAdd(x, scale, shift);
        return v > 0f ? v : 0f;
    }

    public Vector256<float> Invoke(Vector256<float> x) =>
        Vector256.Max(Vector256.FusedMultiplyAdd(x, Vector256.Create(scale), Vector256.Create(shift)), Vector256<float>.Zero);

    public Vector512<float> Invoke(Vector512<float> x) =>
        Vector512.Max(Vector512.FusedMultiplyAdd(x, Vector512.Create(scale), Vector512.Create(shift)), Vector512<float>.Zero);
}

/// <summary>y = relu(u + v) (a residual join, then ReLU).</summary>
internal readonly struct AddReluOp : IBinaryKernel
{
    public float Invoke(float u, float v)
    {
        var sum = u + v;
        return sum > 0f ? sum : 0f;
    }

    public Vector256<float> Invoke(Vector256<float> u, Vector256<float> v) => Vector256.Max(u + v, Vector256<float>.Zero);

    public Vector512<float> Invoke(Vector512<float> u, Vector512<float> v) => Vector512.Max(u + v, Vector512<float>.Zero);
}

/// <summary>t + (y &gt; 0 ? a·dy : 0), operands (y, dy, t).</summary>
internal readonly struct GatedAxpyOp(float a) : ITernaryKernel
{
    public float Invoke(float y, float dy, float t) => y > 0f ? (a * dy) + t : t;

    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy, Vector256<float> t) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), Vector256.FusedMultiplyAdd(dy, Vector256.Create(a), t), t);

    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy, Vector512<float> t) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), Vector512.FusedMultiplyAdd(dy, Vector512.Create(a), t), t);
}

/// <summary>(y &gt; 0 ? a·dy : 0) + b·x + c, operands (y, dy, x): BatchNorm's data gradient behind a ReLU.</summary>
internal readonly struct GatedAffinePairOp(float a, float b, float c) : ITernaryKernel
{
    public float Invoke(float y, float dy, float x) => (a * (y > 0f ? dy : 0f)) + (b * x) + c;

    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy, Vector256<float> x)
    {
        var gated = Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), dy, Vector256<float>.Zero);
        return Vector256.FusedMultiplyAdd(gated, Vector256.Create(a), Vector256.FusedMultiplyAdd(x, Vector256.Create(b), Vector256.Create(c)));
    }

    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy, Vector512<float> x)
    {
        var gated = Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), dy, Vector512<float>.Zero);
        return Vector512.FusedMultiplyAdd(gated, Vector512.Create(a), Vector512.FusedMultiplyAdd(x, Vector512.Create(b), Vector512.Create(c)));
    }
}

/// <summary>
/// The gate of a ReLU after BatchNorm's affine map, from the map's input: <c>scale·x + shift &gt; 0</c>, computed with
/// <see cref="AffineReluOp"/>'s instructions so that it is the forward's <c>y &gt; 0</c> bit for bit without reading y.
/// </summary>
internal readonly struct AffineReluGate(float scale, float shift) : Reductions.IGate
{
    public float Apply(float x, float dy) => MathF.FusedMultiplyAdd(x, scale, shift) > 0f ? dy : 0f;

    public Vector256<float> Apply(Vector256<float> x, Vector256<float> dy) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.FusedMultiplyAdd(x, Vector256.Create(scale), Vector256.Create(shift)), Vector256<float>.Zero), dy, Vector256<float>.Zero);

    public Vector512<float> Apply(Vector512<float> x, Vector512<float> dy) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512.FusedMultiplyAdd(x, Vector512.Create(scale), Vector512.Create(shift)), Vector512<float>.Zero), dy, Vector512<float>.Zero);
}

/// <summary>
/// (scale·x + shift &gt; 0 ? a·dy : 0) + b·x + c, operands (x, dy): <see cref="GatedAffinePairOp"/> with the ReLU's gate
/// recomputed from BatchNorm's input (<see cref="AffineReluGate"/>), so y is not read.
/// </summary>
internal readonly struct InputGatedAffinePairOp(float a, float b, float c, AffineReluGate gate) : IBinaryKernel
{
    public float Invoke(float x, float dy) => (a * gate.Apply(x, dy)) + (b * x) + c;

    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> dy) =>
        Vector256.FusedMultiplyAdd(gate.Apply(x, dy), Vector256.Create(a), Vector256.FusedMultiplyAdd(x, Vector256.Create(b), Vector256.Create(c)));

    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> dy) =>
        Vector512.FusedMultiplyAdd(gate.Apply(x, dy), Vector512.Create(a), Vector512.FusedMultiplyAdd(x, Vector512.Create(b), Vector512.Create(c)));
}
