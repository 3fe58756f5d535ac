using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// The dense layer's data gradient on the Vector512 path, <c>dx[n, in] (+)= dy[n, out] · W[out, in]</c>, with W
/// read in place: W's rows are already the k-major rows of B the micro-kernels consume, so the packed GEMM's
/// copy of all of W per call (8 MB for 4096 → 512, to serve only n rows of A) is skipped. Row p of B is
/// <c>W + p·in</c> through an offset table (<see cref="ShiftedRows"/>); only dy is packed.
/// </summary>
[SkipLocalsInit]
internal static class DenseDataGradient
{
    /// <summary>Columns of dx per micro-kernel tile: B rows are read 32 floats at a time.</summary>
    private const int Panel = GemmMicroKernels.Nr512;

    /// <summary>Whether this kernel runs on <paramref name="path"/> for inputs of <paramref name="inFeatures"/>.</summary>
    internal static bool Supports(CpuPath path, int inFeatures) => CpuPaths.Resolve(path) == CpuPath.Vector512 && inFeatures >= Panel;

    /// <summary>Columns of dx per call of the GEMM loops: the next chunk's columns of W are prefetched meanwhile.</summary>
    private const int Chunk = 128;

    /// <summary>Floats of scratch: dy packed, the GEMM's work, the row offset table.</summary>
    internal static int ScratchLength(int n, int inFeatures, int outFeatures) =>
        Math.Max(PackedGemm.PackedALength(n, outFeatures) + PackedGemm.ScratchLength(n, Chunk, outFeatures), Gemm.ScratchLength(n, inFeatures % Panel, outFeatures)) + outFeatures;

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
            var a = new PrepackedA(work, rows);
            var gemmWork = work + PackedGemm.PackedALength(n, outFeatures);
            for (var jc = 0; jc < whole; jc += Chunk)
            {
                var next = jc + Chunk;
                if (next < whole && Sse.IsSupported)
                {
                    var lines = Math.Min(Chunk, whole - next) / 16;
                    for (var p = 0; p < outFeatures; p++)
                    {
                        var row = wBase + offsets[p] + next;
                        for (var line = 0; line < lines; line++)
                        {
                            Sse.Prefetch1(row + (line * 16));
                        }
                    }
                }
                PackedGemm.LoopShifted(n, Math.Min(Chunk, whole - jc), outFeatures, a, wBase + jc, offsets, dxBase + jc, inFeatures, accumulate, gemmWork, CpuPath.Vector512);
            }
        }
        if (whole < inFeatures)
        {
            Gemm.Multiply(false, false, n, inFeatures - whole, outFeatures, dy, outFeatures, weight[whole..], inFeatures, dx[whole..], inFeatures, accumulate, scratch[..gemmLength], CpuPath.Vector512);
        }
    }
}
