using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Optim.Kernels;

/// <summary>SGD's per-tensor coefficients, rounded to float as PyTorch rounds its Python scalars.</summary>
/// <param name="NegativeLearningRate">−lr.</param>
/// <param name="WeightDecay">λ (L2, added to the gradient); 0 skips it.</param>
/// <param name="Momentum">μ; 0 means no momentum buffer.</param>
/// <param name="Keep">1 − dampening.</param>
/// <param name="FirstStep">Whether the buffer starts now (PyTorch clones d instead of blending it).</param>
/// <param name="Nesterov">Whether to look ahead along the buffer.</param>
internal readonly record struct SgdCoefficients(float NegativeLearningRate, float WeightDecay, float Momentum, float Keep, bool FirstStep, bool Nesterov);

/// <summary>
/// One fused pass of torch.optim.SGD over a tensor:
/// d = g + λp; b = first ? d : μb + (1 − dampening)d; d = nesterov ? d + μb : b; p = p − lr·d.
/// Each multiply-add is a fused one, as ATen's vectorized <c>add(alpha)</c> is, and the scalar
/// tail fuses the same way, so a value's result does not depend on where it sits in the tensor,
/// and results match PyTorch's bit for bit. The pass also checks that every new parameter is finite,
/// in registers, so a diverging step costs no separate scan of the parameters.
/// </summary>
internal static class SgdKernel
{
    /// <returns>Whether every updated parameter is finite.</returns>
    public static bool Update(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> momentumBuffer, in SgdCoefficients c)
    {
        var finite = true;
        ref var p = ref MemoryMarshal.GetReference(parameters);
        ref var g = ref MemoryMarshal.GetReference(gradients);
        ref var b = ref MemoryMarshal.GetReference(momentumBuffer);
        var decays = c.WeightDecay != 0;
        var hasMomentum = c.Momentum != 0;
        var n = (nuint)parameters.Length;
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var lr = Vector512.Create(c.NegativeLearningRate);
            var decay = Vector512.Create(c.WeightDecay);
            var momentum = Vector512.Create(c.Momentum);
            var keep = Vector512.Create(c.Keep);
            var allFinite = Vector512<int>.AllBitsSet;
            for (; i + (nuint)Vector512<float>.Count <= n; i += (nuint)Vector512<float>.Count)
            {
                var w = Vector512.LoadUnsafe(ref p, i);
                var d = Vector512.LoadUnsafe(ref g, i);
                if (decays)
                {
                    d = Vector512.FusedMultiplyAdd(w, decay, d);
                }
                if (hasMomentum)
                {
                    var buffer = c.FirstStep ? d : Vector512.FusedMultiplyAdd(d, keep, Vector512.LoadUnsafe(ref b, i) * momentum);
                    buffer.StoreUnsafe(ref b, i);
                    d = c.Nesterov ? Vector512.FusedMultiplyAdd(buffer, momentum, d) : buffer;
                }
                var updated = Vector512.FusedMultiplyAdd(d, lr, w);
                updated.StoreUnsafe(ref p, i);
                allFinite &= FiniteCheck.Lanes(updated);
            }
            finite &= Vector512.EqualsAll(allFinite, Vector512<int>.AllBitsSet);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var lr = Vector256.Create(c.NegativeLearningRate);
            var decay = Vector256.Create(c.WeightDecay);
            var momentum = Vector256.Create(c.Momentum);
            var keep = Vector256.Create(c.Keep);
            var allFinite = Vector256<int>.AllBitsSet;
            for (; i + (nuint)Vector256<float>.Count <= n; i += (nuint)Vector256<float>.Count)
            {
                var w = Vector256.LoadUnsafe(ref p, i);
                var d = Vector256.LoadUnsafe(ref g, i);
                if (decays)
                {
                    d = Vector256.FusedMultiplyAdd(w, decay, d);
                }
                if (hasMomentum)
                {
                    var buffer = c.FirstStep ? d : Vector256.FusedMultiplyAdd(d, keep, Vector256.LoadUnsafe(ref b, i) * momentum);
                    buffer.StoreUnsafe(ref b, i);
                    d = c.Nesterov ? Vector256.FusedMultiplyAdd(buffer, momentum, d) : buffer;
                }
                var updated = Vector256.FusedMultiplyAdd(d, lr, w);
                updated.StoreUnsafe(ref p, i);
                allFinite &= FiniteCheck.Lanes(updated);
            }
            finite &= Vector256.EqualsAll(allFinite, Vector256<int>.AllBitsSet);
        }
        for (; i < n; i++)
        {
            var w = parameters[(int)i];
            var d = gradients[(int)i];
            if (decays)
            {
                d = MathF.FusedMultiplyAdd(w, c.WeightDecay, d);
            }
            if (hasMomentum)
            {
                var buffer = c.FirstStep ? d : MathF.FusedMultiplyAdd(d, c.Keep, momentumBuffer[(int)i] * c.Momentum);
                momentumBuffer[(int)i] = buffer;
                d = c.Nesterov ? MathF.FusedMultiplyAdd(buffer, c.Momentum, d) : buffer;
            }
            var updated = MathF.FusedMultiplyAdd(d, c.NegativeLearningRate, w);
            parameters[(int)i] = updated;
            finite &= float.IsFinite(updated);
        }
        return finite;
    }
}
