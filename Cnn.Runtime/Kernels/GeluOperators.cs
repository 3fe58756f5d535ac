using System;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// GELU with the exact erf form PyTorch uses by default, <c>gelu(x) = x·Φ(x) = ½x(1 + erf(x/√2))</c>.
/// Φ comes from erfc by the Chebyshev fit of Numerical Recipes (erfcc: relative error below 1.2·10⁻⁷
/// everywhere), <c>Φ(x) = ½·erfc(|x|/√2)</c> for x &lt; 0 and <c>1 − ½·erfc(x/√2)</c> otherwise, so both
/// tails keep float precision. The same formula runs on every path, so paths agree.
/// </summary>
internal static class GeluMath
{
    internal const float InvSqrt2 = 0.70710678118654752f;
    internal const float InvSqrt2Pi = 0.39894228040143268f;
    private const float C0 = -1.26551223f;
    private const float C1 = 1.00002368f;
    private const float C2 = 0.37409196f;
    private const float C3 = 0.09678418f;
    private const float C4 = -0.18628806f;
    private const float C5 = 0.27886807f;
    private const float C6 = -1.13520398f;
    private const float C7 = 1.48851587f;
    private const float C8 = -0.82215223f;
    private const float C9 = 0.17087277f;

    /// <summary>Φ(x), the standard normal CDF.</summary>
    internal static float Cdf(float x)
    {
        var z = MathF.Abs(x) * InvSqrt2;
        var t = 1f / (1f + (0.5f * z));
        var poly = C0 + (t * (C1 + (t * (C2 + (t * (C3 + (t * (C4 + (t * (C5 + (t * (C6 + (t * (C7 + (t * (C8 + (t * C9)))))))))))))))));
        var halfErfc = 0.5f * t * MathF.Exp((-z * z) + poly);
        return x < 0f ? halfErfc : 1f - halfErfc;
    }

    internal static Vector256<float> Cdf(Vector256<float> x)
    {
        var z = Vector256.Abs(x) * InvSqrt2;
        var t = Vector256<float>.One / (Vector256<float>.One + (z * 0.5f));
        var poly = Vector256.Create(C9);
        poly = Vector256.FusedMultiplyAdd(poly, t, Vector256.Create(C8));
        poly = Vector256.FusedMultiplyAdd(poly, t, Vector256.Create(C7));
        poly = Vector256.FusedMultiplyAdd(poly, t, Vector256.Create(C6));
        poly = Vector256.FusedMultiplyAdd(poly, t, Vector256.Create(C5));
        poly = Vector256.FusedMultiplyAdd(poly, t, Vector256.Create(C4));
        poly = Vector256.FusedMultiplyAdd(poly, t, Vector256.Create(C3));
        poly = Vector256.FusedMultiplyAdd(poly, t, Vector256.Create(C2));
        poly = Vector256.FusedMultiplyAdd(poly, t, Vector256.Create(C1));
        poly = Vector256.FusedMultiplyAdd(poly, t, Vector256.Create(C0));
        var halfErfc = t * 0.5f * Vector256.Exp(poly - (z * z));
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), halfErfc, Vector256<float>.One - halfErfc);
    }

    internal static Vector512<float> Cdf(Vector512<float> x)
    {
        var z = Vector512.Abs(x) * InvSqrt2;
        var t = Vector512<float>.One / (Vector512<float>.One + (z * 0.5f));
        var poly = Vector512.Create(C9);
        poly = Vector512.FusedMultiplyAdd(poly, t, Vector512.Create(C8));
        poly = Vector512.FusedMultiplyAdd(poly, t, Vector512.Create(C7));
        poly = Vector512.FusedMultiplyAdd(poly, t, Vector512.Create(C6));
        poly = Vector512.FusedMultiplyAdd(poly, t, Vector512.Create(C5));
        poly = Vector512.FusedMultiplyAdd(poly, t, Vector512.Create(C4));
        poly = Vector512.FusedMultiplyAdd(poly, t, Vector512.Create(C3));
        poly = Vector512.FusedMultiplyAdd(poly, t, Vector512.Create(C2));
        poly = Vector512.FusedMultiplyAdd(poly, t, Vector512.Create(C1));
        poly = Vector512.FusedMultiplyAdd(poly, t, Vector512.Create(C0));
        var halfErfc = t * 0.5f * Vector512.Exp(poly - (z * z));
        return Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), halfErfc, Vector512<float>.One - halfErfc);
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
