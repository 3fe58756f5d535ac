using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Copies of short rows (image rows of 5 to 32 floats into padded layouts) by whole 512-bit vectors and one masked
/// tail, writing nothing past the row: a <c>Span.CopyTo</c> per row took a tenth of the position-lane weight
/// gradient's time on rows of 10 to 16 floats (helper's measurement).
/// </summary>
internal static unsafe class RowCopy
{
    private const int Lanes = 16;

    /// <summary>Whether <see cref="Copy"/> runs here (it needs AVX-512's masked loads and stores).</summary>
    internal static bool IsSupported => Avx512F.IsSupported;

    /// <summary>The lanes of a row's last, partial vector: the first <c>count mod 16</c>.</summary>
    internal static Vector512<float> TailMask(int count) =>
        Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count % Lanes)).AsSingle();

    /// <summary>Copies <paramref name="count"/> floats, whole vectors then the <paramref name="tail"/> lanes (<see cref="TailMask"/> of the count).</summary>
    internal static void Copy(float* from, float* to, int count, Vector512<float> tail)
    {
        if (count == 8)
        {
            // 8×8 maps' rows: one plain 256-bit copy rather than a masked 512-bit one (the stride-2 data gradient of
            // ResNet-8's 32→64 layer, which copies such rows, took 21 µs per sample this way, 25–27 with masked copies:
            // the strided-convolution helper's measurement).
            Vector256.Load(from).Store(to);
            return;
        }
        var v = 0;
        for (; v <= count - Lanes; v += Lanes)
        {
            Vector512.Load(from + v).Store(to + v);
        }
        if (v < count)
        {
            Avx512F.MaskStore(to + v, tail, Avx512F.MaskLoad(from + v, tail, Vector512<float>.Zero));
        }
    }
}
