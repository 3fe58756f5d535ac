using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cnn.Benchmarks.Kernels;

/// <summary>
/// The FP32 peak of one core as .NET reaches it: 16 independent chains of 512-bit FMAs (enough to cover
/// the FMA latency on both pipes), timed like the kernels, so kernel figures can be quoted as a share of it.
/// </summary>
internal static class FmaPeak
{
    private const int Steps = 2_000_000;

    /// <summary>Floating-point operations per step: 16 FMAs of 16 lanes, 2 operations each.</summary>
    private const double FlopsPerStep = 16 * 16 * 2;

    /// <summary>Keeps the chains' result observable so the JIT cannot drop them.</summary>
    internal static float Sink { get; private set; }

    /// <summary>GFLOP/s of one core (thread CPU time, median of <paramref name="samples"/>), or 0 without Vector512.</summary>
    /// <param name="samples">Timed repetitions.</param>
    /// <returns>GFLOP/s.</returns>
    public static double Measure(int samples)
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            return 0;
        }
        Sink = Chains(Steps / 10);
        var micros = KernelTimer.Median(samples, () => Sink = Chains(Steps));
        return FlopsPerStep * Steps / micros / 1e3;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Chains(int steps)
    {
        var a = Vector512.Create(0.999999f);
        var b = Vector512.Create(1e-7f);
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        Vector512<float> c8 = default, c9 = default, c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        for (var i = 0; i < steps; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, a, b);
            c1 = Vector512.FusedMultiplyAdd(c1, a, b);
            c2 = Vector512.FusedMultiplyAdd(c2, a, b);
            c3 = Vector512.FusedMultiplyAdd(c3, a, b);
            c4 = Vector512.FusedMultiplyAdd(c4, a, b);
            c5 = Vector512.FusedMultiplyAdd(c5, a, b);
            c6 = Vector512.FusedMultiplyAdd(c6, a, b);
            c7 = Vector512.FusedMultiplyAdd(c7, a, b);
            c8 = Vector512.FusedMultiplyAdd(c8, a, b);
            c9 = Vector512.FusedMultiplyAdd(c9, a, b);
            c10 = Vector512.FusedMultiplyAdd(c10, a, b);
            c11 = Vector512.FusedMultiplyAdd(c11, a, b);
            c12 = Vector512.FusedMultiplyAdd(c12, a, b);
            c13 = Vector512.FusedMultiplyAdd(c13, a, b);
            c14 = Vector512.FusedMultiplyAdd(c14, a, b);
            c15 = Vector512.FusedMultiplyAdd(c15, a, b);
        }
        var sum = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11)) + ((c12 + c13) + (c14 + c15));
        return Vector512.Sum(sum);
    }
}
