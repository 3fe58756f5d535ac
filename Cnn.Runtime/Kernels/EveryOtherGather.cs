using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// <c>target[v] = source[2v]</c>, row after row: one stride-2 phase of an image's rows, 16 values per step from two loads
/// and one two-source permute. <see cref="PaddedImage"/> copies the phases a kernel reads this way at stride 2 when it does
/// not read all four (1×1 kernels such as ResNet's projection shortcuts read only phase (0, 0), dilated ones some), where
/// the scalar copy gathered one value at a time.
/// </summary>
internal static unsafe class EveryOtherGather
{
    /// <summary>Whether <see cref="CopyRows"/> runs here (it needs AVX-512's permutes and masked loads).</summary>
    internal static bool IsSupported => Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    /// <summary>
    /// <c>target[r·targetPitch + v] = source[r·sourcePitch + 2v]</c> for r in [0, <paramref name="rows"/>), v in [0,
    /// <paramref name="count"/>); reads nothing past <c>source[r·sourcePitch + 2·count − 2]</c> and writes nothing past
    /// <c>target[r·targetPitch + count − 1]</c>. The masks of a row's last partial vector are made once per call, not once
    /// per row (a call per row of 16 values cost ResNet-8's 16 → 32 shortcut as much as its weight gradient's
    /// arithmetic). Rows of 8 values one after another (the subsampled plane of a 1×1 stride-2 kernel on a 16-wide
    /// input, ResNet-8's 32 → 64 shortcut) go two per permute and whole store.
    /// </summary>
    internal static void CopyRows(float* source, int sourcePitch, float* target, int targetPitch, int count, int rows)
    {
        var evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var lanes = Vector512<int>.Indices;
        var r = 0;
        if (count == 8 && targetPitch == 8)
        {
            var read = Vector512.LessThan(lanes, Vector512.Create(15)).AsSingle();
            for (; r + 2 <= rows; r += 2, source += 2 * sourcePitch, target += 16)
            {
                var first = Avx512F.MaskLoad(source, read, Vector512<float>.Zero);
                var second = Avx512F.MaskLoad(source + sourcePitch, read, Vector512<float>.Zero);
                Avx512F.PermuteVar16x32x2(first, evens, second).Store(target);
            }
        }
        // The last partial vector of a row: its last value read is source[2(count − 1)], 2·rest − 1 lanes from where it starts.
        var whole = count / 16 * 16;
        var rest = count - whole;
        var readLow = Vector512.LessThan(lanes, Vector512.Create((2 * rest) - 1)).AsSingle();
        var readHigh = Vector512.LessThan(lanes, Vector512.Create((2 * rest) - 17)).AsSingle();
        var store = Vector512.LessThan(lanes, Vector512.Create(rest)).AsSingle();
        for (; r < rows; r++, source += sourcePitch, target += targetPitch)
        {
            var v = 0;
            for (; v < whole; v += 16)
            {
                var low = Vector512.Load(source + (2 * v));
                var high = Vector512.Load(source + (2 * v) + 16);
                Avx512F.PermuteVar16x32x2(low, evens, high).Store(target + v);
            }
            if (rest > 0)
            {
                var low = Avx512F.MaskLoad(source + (2 * v), readLow, Vector512<float>.Zero);
                var high = Avx512F.MaskLoad(source + (2 * v) + 16, readHigh, Vector512<float>.Zero);
                Avx512F.MaskStore(target + v, store, Avx512F.PermuteVar16x32x2(low, evens, high));
            }
        }
    }
}
