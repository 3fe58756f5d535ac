using System;
using System.Runtime.CompilerServices;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// The dense layer's data gradient on the Vector512 path, <c>dx[n, in] (+)= dy[n, out] · W[out, in]</c>, with W
/// read in place: W's rows are already the k-major rows of B the micro-kernels consume, so the packed GEMM's
/// copy of all of W per call (8 MB for 4096 → 512, to serve only n rows of A) is skipped. Row p of B is
/// <c>W + p·in</c> through an offset table (<see cref="ShiftedRows"/>); only dy is packed, once.
/// 4096 → 512 at batch 32, same process: 1.13–1.24× the packed GEMM. Prefetching the next 128 columns of W into L2
/// during each 128-column call gained nothing measurable; nor did 64- to 512-column calls.
/// </summary>
[SkipLocalsInit]
internal static class DenseDataGradient
{
    /// <summary>Columns of dx per micro-kernel tile: B rows are read 32 floats at a time.</summary>
    private const int Panel = GemmMicroKernels.Nr512;

    /// <summary>Whether this kernel runs on <paramref name="path"/> for inputs of <paramref name="inFeatures"/>.</summary>
    internal static bool Supports(CpuPath path, int inFeatures) => CpuPaths.Resolve(path) == CpuPath.Vector512 && inFeatures >= Panel;

    /// <summary>Floats of scratch: dy packed, the GEMM's work, the row offset table.</summary>
    internal static int ScratchLength(int n, int inFeatures, int outFeatures) =>
        Math.Max(PackedGemm.PackedALength(n, outFeatures) + PackedGemm.ScratchLength(n, inFeatures, outFeatures), Gemm.ScratchLength(n, inFeatures % Panel, outFeatures)) + outFeatures;

    /// <summary><c>dx (+)= dy · W</c>; the last <c>in % 32</c> columns (whose 32-wide reads would run past W) go through the packed GEMM.</summary>
    internal static unsafe void Run(int n, int inFeatures, int outFeatures, ReadOnlySpan<float> dy, ReadOnlySpan<float> weight, Span<float> dx, bool accumulate, Span<float> scratch)
    {
        if (n <= 0 || inFeatures <= 0)
        {
            return;
        }
        if (dy.Length < (long)n * outFeatures || weight.Length < (long)outFeatures * inFeatures || dx.Length < (long)n * inFeatures || scratch.Length < ScratchLength(n, inFeatures, outFeatures))
        {
            throw new ArgumentException($"Dense data gradient {n}×{outFeatures} → {inFeatures}: operands or scratch too short.");
        }
        if (outFeatures <= 0)
        {
            if (!accumulate)
            {
                dx[..(n * inFeatures)].Clear();
            }
            return;
        }
        var whole = inFeatures / Panel * Panel;
        var gemmLength = scratch.Length - outFeatures;
        fixed (float* dyBase = dy, wBase = weight, dxBase = dx, work = scratch)
        {
            var offsets = (int*)(work + gemmLength);
            for (var p = 0; p < outFeatures; p++)
            {
                offsets[p] = p * inFeatures;
            }
            var rows = PackedGemm.PackAll(false, dyBase, outFeatures, n, outFeatures, work, CpuPath.Vector512);
            PackedGemm.LoopShifted(n, whole, outFeatures, new PrepackedA(work, rows), wBase, offsets, whole, whole, dxBase, inFeatures, accumulate, work + PackedGemm.PackedALength(n, outFeatures), CpuPath.Vector512);
        }
        if (whole < inFeatures)
        {
            Gemm.Multiply(false, false, n, inFeatures - whole, outFeatures, dy, outFeatures, weight[whole..], inFeatures, dx[whole..], inFeatures, accumulate, scratch[..gemmLength], CpuPath.Vector512);
        }
    }
}
