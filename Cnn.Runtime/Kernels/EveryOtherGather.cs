using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// <c>target[v] = source[2v]</c>: one stride-2 phase of an image row, 16 values per step from two loads and one
/// two-source permute. <see cref="PaddedImage"/> copies the phases a kernel reads this way at stride 2 when it does not
/// read all four (1×1 kernels such as ResNet's projection shortcuts read only phase (0, 0), dilated ones some), where
/// the scalar copy gathered one value at a time.
/// </summary>
internal static unsafe class EveryOtherGather
{
    /// <summary>Whether <see cref="Copy"/> runs here (it needs AVX-512's permutes and masked loads).</summary>
    internal static bool IsSupported => Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    /// <summary>
    /// <c>target[8r + v] = source[r·<paramref name="pitch"/> + 2v]</c> for r in [0, <paramref name="rows"/>), v in [0, 8): rows of
    /// 8 values one after another (the subsampled plane of a 1×1 stride-2 kernel on a 16-wide input, ResNet-8's 32 → 64
    /// shortcut), two rows per two-source permute and whole store, where <see cref="Copy"/> took two masked loads, a
    /// permute and a masked store per row, each with its masks built anew. Reads nothing past <c>source[r·pitch + 14]</c>.
    /// </summary>
    internal static void CopyNarrowRows(float* source, int pitch, float* target, int rows)
    {
        var evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var read = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(15)).AsSingle();
        var r = 0;
        for (; r + 2 <= rows; r += 2, source += 2 * pitch, target += 16)
        {
            var first = Avx512F.MaskLoad(source, read, Vector512<float>.Zero);
            var second = Avx512F.MaskLoad(source + pitch, read, Vector512<float>.Zero);
            Avx512F.PermuteVar16x32x2(first, evens, second).Store(target);
        }
        if (r < rows)
        {
            Copy(source, target, 8);
        }
    }

    /// <summary>
    /// <c>target[v] = source[2v]</c> for v in [0, <paramref name="count"/>); reads nothing past <c>source[2·count − 2]</c>
    /// and writes nothing past <c>target[count − 1]</c>.
    /// </summary>
    internal static void Copy(float* source, float* target, int count)
    {
        var evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var v = 0;
        for (; v + 16 <= count; v += 16)
        {
            var low = Vector512.Load(source + (2 * v));
            var high = Vector512.Load(source + (2 * v) + 16);
            Avx512F.PermuteVar16x32x2(low, evens, high).Store(target + v);
        }
        var rest = count - v;
        if (rest > 0)
        {
            // The last value read is source[2(count − 1)]: 2·rest − 1 lanes from this point.
            var lanes = Vector512<int>.Indices;
            var read = (2 * rest) - 1;
            var low = Avx512F.MaskLoad(source + (2 * v), Vector512.LessThan(lanes, Vector512.Create(read)).AsSingle(), Vector512<float>.Zero);
            var high = Avx512F.MaskLoad(source + (2 * v) + 16, Vector512.LessThan(lanes, Vector512.Create(read - 16)).AsSingle(), Vector512<float>.Zero);
            Avx512F.MaskStore(target + v, Vector512.LessThan(lanes, Vector512.Create(rest)).AsSingle(), Avx512F.PermuteVar16x32x2(low, evens, high));
        }
    }
}
