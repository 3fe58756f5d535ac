using System;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

/// <summary>relu(x) = max(x, 0).</summary>
internal readonly struct ReluOp : IUnaryKernel
{
    public float Invoke(float x) => x > 0f ? x : 0f;

    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Max(x, Vector256<float>.Zero);

    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Max(x, Vector512<float>.Zero);
}

/// <summary>relu'(y)·dy = (y &gt; 0 ? dy : 0), from the output y.</summary>
internal readonly struct ReluGradOp : IBinaryKernel
{
    public float Invoke(float y, float dy) => y > 0f ? dy : 0f;

    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), dy, Vector256<float>.Zero);

    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), dy, Vector512<float>.Zero);
}

/// <summary>leaky(x) = x &gt; 0 ? x : slope·x.</summary>
internal readonly struct LeakyReluOp(float slope) : IUnaryKernel
{
    public float Invoke(float x) => x > 0f ? x : slope * x;

    public Vector256<float> Invoke(Vector256<float> x) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, x * slope);

    public Vector512<float> Invoke(Vector512<float> x) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, x * slope);
}

/// <summary>leaky'(x)·dy = (x &gt; 0 ? dy : slope·dy), from the input x.</summary>
internal readonly struct LeakyReluGradOp(float slope) : IBinaryKernel
{
    public float Invoke(float x, float dy) => x > 0f ? dy : slope * dy;

    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> dy) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), dy, dy * slope);

    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> dy) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), dy, dy * slope);
}

/// <summary>elu(x) = x &gt; 0 ? x : α·(eˣ − 1).</summary>
internal readonly struct EluOp(float alpha) : IUnaryKernel
{
    public float Invoke(float x) => x > 0f ? x : alpha * (MathF.Exp(x) - 1f);

    public Vector256<float> Invoke(Vector256<float> x)
        => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, alpha * (Vector256.Exp(Vector256.Min(x, Vector256<float>.Zero)) - Vector256<float>.One));

    public Vector512<float> Invoke(Vector512<float> x)
        => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, alpha * (Vector512.Exp(Vector512.Min(x, Vector512<float>.Zero)) - Vector512<float>.One));
}

/// <summary>elu'·dy from the output y: y &gt; 0 ? dy : dy·(y + α) (as eˣ·α = y + α).</summary>
internal readonly struct EluGradOp(float alpha) : IBinaryKernel
{
    public float Invoke(float y, float dy) => y > 0f ? dy : dy * (y + alpha);

    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), dy, dy * (y + Vector256.Create(alpha)));

    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), dy, dy * (y + Vector512.Create(alpha)));
}

/// <summary>tanh'·dy from the output y: dy·(1 − y²).</summary>
internal readonly struct TanhGradOp : IBinaryKernel
{
    public float Invoke(float y, float dy) => dy * (1f - (y * y));

    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => dy * (Vector256<float>.One - (y * y));

    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => dy * (Vector512<float>.One - (y * y));
}

/// <summary>σ'·dy from the output y: dy·y·(1 − y).</summary>
internal readonly struct SigmoidGradOp : IBinaryKernel
{
    public float Invoke(float y, float dy) => dy * y * (1f - y);

    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => dy * y * (Vector256<float>.One - y);

    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => dy * y * (Vector512<float>.One - y);
}

/// <summary>tanh(x) = 1 − 2/(e^{2x} + 1), clamped where e^{2x} overflows.</summary>
internal readonly struct TanhOp : IUnaryKernel
{
    public float Invoke(float x) => MathF.Tanh(x);

    public Vector256<float> Invoke(Vector256<float> x)
    {
        var e = Vector256.Exp(Vector256.Min(x + x, Vector256.Create(88f)));
        return Vector256<float>.One - (Vector256.Create(2f) / (e + Vector256<float>.One));
    }

    public Vector512<float> Invoke(Vector512<float> x)
    {
        var e = Vector512.Exp(Vector512.Min(x + x, Vector512.Create(88f)));
        return Vector512<float>.One - (Vector512.Create(2f) / (e + Vector512<float>.One));
    }
}

/// <summary>σ(x) = 1/(1 + e^{−x}).</summary>
internal readonly struct SigmoidOp : IUnaryKernel
{
    public float Invoke(float x) => 1f / (1f + MathF.Exp(-x));

    public Vector256<float> Invoke(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(Vector256.Min(-x, Vector256.Create(88f))));

    public Vector512<float> Invoke(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(Vector512.Min(-x, Vector512.Create(88f))));
}
