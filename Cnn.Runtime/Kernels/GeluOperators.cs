using System;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// GELU with the exact erf form PyTorch uses by default, <c>gelu(x) = x·Φ(x) = ½x(1 + erf(x/√2))</c>.
/// erf comes from Abramowitz–Stegun 7.1.26 (absolute error below 1.5·10⁻⁷, float's own resolution
/// near 1), the same formula on every path so paths agree.
/// </summary>
internal static class GeluMath
{
    internal const float InvSqrt2 = 0.70710678118654752f;
    internal const float InvSqrt2Pi = 0.39894228040143268f;
    private const float P = 0.3275911f;
    private const float A1 = 0.254829592f;
    private const float A2 = -0.284496736f;
    private const float A3 = 1.421413741f;
    private const float A4 = -1.453152027f;
    private const float A5 = 1.061405429f;

    /// <summary>Φ(x), the standard normal CDF.</summary>
    internal static float Cdf(float x)
    {
        var z = MathF.Abs(x) * InvSqrt2;
        var t = 1f / (1f + (P * z));
        var poly = t * (A1 + (t * (A2 + (t * (A3 + (t * (A4 + (t * A5))))))));
        var erf = 1f - (poly * MathF.Exp(-z * z));
        return 0.5f * (1f + (x < 0f ? -erf : erf));
    }

    internal static Vector256<float> Cdf(Vector256<float> x)
    {
        var z = Vector256.Abs(x) * InvSqrt2;
        var t = Vector256<float>.One / (Vector256<float>.One + (z * P));
        var poly = t * (Vector256.Create(A1) + (t * (Vector256.Create(A2) + (t * (Vector256.Create(A3) + (t * (Vector256.Create(A4) + (t * A5))))))));
        var erf = Vector256<float>.One - (poly * Vector256.Exp(-(z * z)));
        var signed = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), -erf, erf);
        return Vector256.Create(0.5f) * (Vector256<float>.One + signed);
    }

    internal static Vector512<float> Cdf(Vector512<float> x)
    {
        var z = Vector512.Abs(x) * InvSqrt2;
        var t = Vector512<float>.One / (Vector512<float>.One + (z * P));
        var poly = t * (Vector512.Create(A1) + (t * (Vector512.Create(A2) + (t * (Vector512.Create(A3) + (t * (Vector512.Create(A4) + (t * A5))))))));
        var erf = Vector512<float>.One - (poly * Vector512.Exp(-(z * z)));
        var signed = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), -erf, erf);
        return Vector512.Create(0.5f) * (Vector512<float>.One + signed);
    }
}

/// <summary>gelu(x) = x·Φ(x).</summary>
internal readonly struct GeluOp : IUnaryKernel
{
    public float Invoke(float x) => x * GeluMath.Cdf(x);

    public Vector256<float> Invoke(Vector256<float> x) => x * GeluMath.Cdf(x);

    public Vector512<float> Invoke(Vector512<float> x) => x * GeluMath.Cdf(x);
}

/// <summary>gelu'(x)·dy = dy·(Φ(x) + x·φ(x)), φ(x) = e^{−x²/2}/√(2π), from the input x.</summary>
internal readonly struct GeluGradOp : IBinaryKernel
{
    public float Invoke(float x, float dy) => dy * (GeluMath.Cdf(x) + (x * GeluMath.InvSqrt2Pi * MathF.Exp(-0.5f * x * x)));

    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> dy)
        => dy * (GeluMath.Cdf(x) + (x * GeluMath.InvSqrt2Pi * Vector256.Exp(x * x * -0.5f)));

    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> dy)
        => dy * (GeluMath.Cdf(x) + (x * GeluMath.InvSqrt2Pi * Vector512.Exp(x * x * -0.5f)));
}
