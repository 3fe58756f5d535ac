using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Optim.Kernels;

/// <summary>Adam's and AdamW's per-tensor coefficients, rounded to float as PyTorch rounds its Python scalars.</summary>
/// <param name="Beta1">β₁.</param>
/// <param name="OneMinusBeta1">1 − β₁ (computed in double, then rounded).</param>
/// <param name="Beta2">β₂.</param>
/// <param name="OneMinusBeta2">1 − β₂.</param>
/// <param name="L2Decay">Adam's λ, added to the gradient; 0 skips it.</param>
/// <param name="DecoupledFactor">AdamW's 1 − lr·λ, multiplying the parameter first; 1 for Adam.</param>
/// <param name="BiasCorrection2Sqrt">√(1 − β₂ᵗ).</param>
/// <param name="Epsilon">ε.</param>
/// <param name="NegativeStepSize">−lr / (1 − β₁ᵗ).</param>
/// <param name="AmsGrad">Whether to normalize by the running maximum of v.</param>
internal readonly record struct AdamCoefficients(
    float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2, float L2Decay, float DecoupledFactor,
    float BiasCorrection2Sqrt, float Epsilon, float NegativeStepSize, bool AmsGrad);

/// <summary>
/// One fused pass of torch.optim.Adam / AdamW over a tensor:
/// p = p·(1 − lr·λ_W); d = g + λp; m = β₁m + (1 − β₁)d; v = β₂v + (1 − β₂)d²; v̂ = amsgrad ? max(v̂, v) : v;
/// p = p − (lr / (1 − β₁ᵗ))·m / (√v̂ / √(1 − β₂ᵗ) + ε).
/// Operations are ordered and fused as PyTorch 1.13's CPU build evaluates them (<c>add</c> with
/// alpha and <c>addcmul</c> fuse their last multiply-add; <c>addcdiv</c> multiplies, divides, then
/// adds), scalar tail included: results match PyTorch's bit for bit. The pass also checks, in
/// registers, that every new parameter is finite.
/// </summary>
internal static class AdamKernel
{
    /// <returns>Whether every updated parameter is finite.</returns>
    public static bool Update(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> expAvg, Span<float> expAvgSq, Span<float> maxExpAvgSq, in AdamCoefficients c)
    {
        ref var p = ref MemoryMarshal.GetReference(parameters);
        ref var g = ref MemoryMarshal.GetReference(gradients);
        ref var m = ref MemoryMarshal.GetReference(expAvg);
        ref var v = ref MemoryMarshal.GetReference(expAvgSq);
        ref var vMax = ref MemoryMarshal.GetReference(maxExpAvgSq);
        var decoupled = c.DecoupledFactor != 1;
        var decays = c.L2Decay != 0;
        var n = (nuint)parameters.Length;
        nuint i = 0;
        var finite = true;
        if (Vector512.IsHardwareAccelerated)
        {
            var factor = Vector512.Create(c.DecoupledFactor);
            var decay = Vector512.Create(c.L2Decay);
            var beta1 = Vector512.Create(c.Beta1);
            var keep1 = Vector512.Create(c.OneMinusBeta1);
            var beta2 = Vector512.Create(c.Beta2);
            var keep2 = Vector512.Create(c.OneMinusBeta2);
            var correction2 = Vector512.Create(c.BiasCorrection2Sqrt);
            var epsilon = Vector512.Create(c.Epsilon);
            var stepSize = Vector512.Create(c.NegativeStepSize);
            var allFinite = Vector512<int>.AllBitsSet;
            for (; i + (nuint)Vector512<float>.Count <= n; i += (nuint)Vector512<float>.Count)
            {
                var w = Vector512.LoadUnsafe(ref p, i);
                var d = Vector512.LoadUnsafe(ref g, i);
                if (decoupled)
                {
                    w *= factor;
                }
                if (decays)
                {
                    d = Vector512.FusedMultiplyAdd(w, decay, d);
                }
                var mean = Vector512.FusedMultiplyAdd(d, keep1, Vector512.LoadUnsafe(ref m, i) * beta1);
                var square = Vector512.FusedMultiplyAdd(keep2 * d, d, Vector512.LoadUnsafe(ref v, i) * beta2);
                mean.StoreUnsafe(ref m, i);
                square.StoreUnsafe(ref v, i);
                if (c.AmsGrad)
                {
                    square = Vector512.Max(Vector512.LoadUnsafe(ref vMax, i), square);
                    square.StoreUnsafe(ref vMax, i);
                }
                var denominator = Vector512.Sqrt(square) / correction2 + epsilon;
                var updated = w + stepSize * mean / denominator;
                updated.StoreUnsafe(ref p, i);
                allFinite &= FiniteCheck.Lanes(updated);
            }
            finite &= Vector512.EqualsAll(allFinite, Vector512<int>.AllBitsSet);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var factor = Vector256.Create(c.DecoupledFactor);
            var decay = Vector256.Create(c.L2Decay);
            var beta1 = Vector256.Create(c.Beta1);
            var keep1 = Vector256.Create(c.OneMinusBeta1);
            var beta2 = Vector256.Create(c.Beta2);
            var keep2 = Vector256.Create(c.OneMinusBeta2);
            var correction2 = Vector256.Create(c.BiasCorrection2Sqrt);
            var epsilon = Vector256.Create(c.Epsilon);
            var stepSize = Vector256.Create(c.NegativeStepSize);
            var allFinite = Vector256<int>.AllBitsSet;
            for (; i + (nuint)Vector256<float>.Count <= n; i += (nuint)Vector256<float>.Count)
            {
                var w = Vector256.LoadUnsafe(ref p, i);
                var d = Vector256.LoadUnsafe(ref g, i);
                if (decoupled)
                {
                    w *= factor;
                }
                if (decays)
                {
                    d = Vector256.FusedMultiplyAdd(w, decay, d);
                }
                var mean = Vector256.FusedMultiplyAdd(d, keep1, Vector256.LoadUnsafe(ref m, i) * beta1);
                var square = Vector256.FusedMultiplyAdd(keep2 * d, d, Vector256.LoadUnsafe(ref v, i) * beta2);
                mean.StoreUnsafe(ref m, i);
                square.StoreUnsafe(ref v, i);
                if (c.AmsGrad)
                {
                    square = Vector256.Max(Vector256.LoadUnsafe(ref vMax, i), square);
                    square.StoreUnsafe(ref vMax, i);
                }
                var denominator = Vector256.Sqrt(square) / correction2 + epsilon;
                var updated = w + stepSize * mean / denominator;
                updated.StoreUnsafe(ref p, i);
                allFinite &= FiniteCheck.Lanes(updated);
            }
            finite &= Vector256.EqualsAll(allFinite, Vector256<int>.AllBitsSet);
        }
        for (; i < n; i++)
        {
            var w = parameters[(int)i];
            var d = gradients[(int)i];
            if (decoupled)
            {
                w *= c.DecoupledFactor;
            }
            if (decays)
            {
                d = MathF.FusedMultiplyAdd(w, c.L2Decay, d);
            }
            var mean = MathF.FusedMultiplyAdd(d, c.OneMinusBeta1, expAvg[(int)i] * c.Beta1);
            var square = MathF.FusedMultiplyAdd(c.OneMinusBeta2 * d, d, expAvgSq[(int)i] * c.Beta2);
            expAvg[(int)i] = mean;
            expAvgSq[(int)i] = square;
            if (c.AmsGrad)
            {
                square = MathF.Max(maxExpAvgSq[(int)i], square);
                maxExpAvgSq[(int)i] = square;
            }
            var denominator = MathF.Sqrt(square) / c.BiasCorrection2Sqrt + c.Epsilon;
            var updated = w + c.NegativeStepSize * mean / denominator;
            parameters[(int)i] = updated;
            finite &= float.IsFinite(updated);
        }
        return finite;
    }
}
