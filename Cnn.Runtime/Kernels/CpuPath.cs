using System;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Which instruction set a kernel runs on. Every kernel takes one, so tests can exercise each path on
/// one machine; <see cref="Auto"/> picks the widest path the processor accelerates.
/// </summary>
public enum CpuPath
{
    /// <summary>The best accelerated path (<see cref="CpuPaths.Best"/>), or the one forced by <c>CNN_CPU_PATH</c>.</summary>
    Auto,

    /// <summary>Plain scalar loops: the portable baseline.</summary>
    Scalar,

    /// <summary>256-bit vectors (AVX2 + FMA on x64).</summary>
    Vector256,

    /// <summary>512-bit vectors (AVX-512F on x64).</summary>
    Vector512,
}

/// <summary>Resolves <see cref="CpuPath.Auto"/> and reports which paths this processor accelerates.</summary>
public static class CpuPaths
{
    /// <summary>
    /// The path <see cref="CpuPath.Auto"/> means: the environment variable <c>CNN_CPU_PATH</c>
    /// (<c>Scalar</c>, <c>Vector256</c>, <c>Vector512</c>) when set, else the widest accelerated path.
    /// </summary>
    public static CpuPath Best { get; } = ChooseBest();

    /// <summary>The paths that run in hardware here (<see cref="CpuPath.Scalar"/> always).</summary>
    public static CpuPath[] Supported { get; } = ListSupported();

    /// <summary>Maps <see cref="CpuPath.Auto"/> to <see cref="Best"/>; an explicit path is kept as asked.</summary>
    /// <param name="path">The requested path.</param>
    /// <returns>A concrete path (never <see cref="CpuPath.Auto"/>).</returns>
    public static CpuPath Resolve(CpuPath path) => path == CpuPath.Auto ? Best : path;

    /// <summary>Whether <paramref name="path"/> runs in hardware on this processor.</summary>
    /// <param name="path">A path.</param>
    /// <returns>True for accelerated paths and for <see cref="CpuPath.Scalar"/>.</returns>
    public static bool IsAccelerated(CpuPath path) => Resolve(path) switch
    {
        CpuPath.Vector512 => Vector512.IsHardwareAccelerated,
        CpuPath.Vector256 => Vector256.IsHardwareAccelerated,
        _ => true,
    };

    private static CpuPath ChooseBest()
    {
        var forced = Environment.GetEnvironmentVariable("CNN_CPU_PATH");
        if (Enum.TryParse<CpuPath>(forced, ignoreCase: true, out var path) && path != CpuPath.Auto)
        {
            return path;
        }
        if (Vector512.IsHardwareAccelerated)
        {
            return CpuPath.Vector512;
        }
        return Vector256.IsHardwareAccelerated ? CpuPath.Vector256 : CpuPath.Scalar;
    }

    private static CpuPath[] ListSupported()
    {
        if (Vector512.IsHardwareAccelerated)
        {
            return [CpuPath.Scalar, CpuPath.Vector256, CpuPath.Vector512];
        }
        return Vector256.IsHardwareAccelerated ? [CpuPath.Scalar, CpuPath.Vector256] : [CpuPath.Scalar];
    }
}
