using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Per-lane finiteness, for kernels that check what they write while it is in registers (AND-ing the
/// lanes into an accumulator) instead of scanning it again afterwards.
/// </summary>
internal static class FiniteCheck
{
    /// <summary>All bits set in each lane whose value is finite, zero where it is NaN or ±∞ (|NaN| &lt; ∞ is false).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Lanes(Vector512<float> values) =>
        Vector512.LessThan(Vector512.Abs(values), Vector512.Create(float.PositiveInfinity)).AsInt32();

    /// <inheritdoc cref="Lanes(Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Lanes(Vector256<float> values) =>
        Vector256.LessThan(Vector256.Abs(values), Vector256.Create(float.PositiveInfinity)).AsInt32();
}
