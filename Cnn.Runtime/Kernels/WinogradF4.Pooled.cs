using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

internal static unsafe partial class WinogradF4
{
    /// <summary>
    /// Whether <see cref="Blocks.ComputePooled"/> may take <paramref name="pool"/> after <paramref name="g"/>: 2×2 windows at
    /// stride 2, unpadded, over the whole output, each window inside one 4×4 tile (a trailing odd row or column is dropped, as
    /// the floor-mode pooling drops it), on maps larger than 8×8: on smaller ones <see cref="Blocks.Compute"/>'s GEMM with the
    /// channels in the lanes (<see cref="HasFewTiles"/>) and the pooling after it do less work than a GEMM with a quarter of its
    /// lanes used.
    /// </summary>
    /// <param name="g">The convolution (see <see cref="Supports"/>).</param>
    /// <param name="pool">The max pooling of its output.</param>
    /// <returns>True when the pooling can run in the output transform.</returns>
    internal static bool Pools(in ConvGeometry g, in PoolGeometry pool) =>
        !HasFewTiles(g) && pool.Size == 2 && pool.Stride == 2 && pool.Pad == 0 && pool.Channels == g.OutChannels && pool.InHeight == g.OutHeight && pool.InWidth == g.OutWidth
        && pool.OutHeight == g.OutHeight / 2 && pool.OutWidth == g.OutWidth / 2;

    /// <summary>
    /// <see cref="TransformOutput"/> with the layers after it in the same pass, for <paramref name="channels"/> output channels:
    /// <c>z = scale·y + shift</c> (a BatchNorm's inference map, fused multiply-add, when <paramref name="scale"/> is not null), the
    /// 2×2 max of z over each window in PyTorch's scan order (a value replaces the maximum when greater or NaN), then a ReLU, into
    /// <paramref name="pooled"/>: the values <see cref="BatchNorm2d"/>'s map, <see cref="MaxPool2d"/> and <see cref="Activations.Relu"/>
    /// give run after the convolution, bit for bit. Neither y nor z is stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformOutputPooled(float* m, int channels, float* bias, float* scale, float* shift, int pooledHeight, int pooledWidth, float* pooled)
    {
        var store = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(pooledWidth)).AsSingle();
        // Lane 2·tw + b of a pooled row takes tile column tw's pooled value b: b = 0 from the first source, b = 1 from the second.
        var pairs = ((Vector512<int>.Indices & Vector512<int>.One) << 4) + (Vector512<int>.Indices >> 1);
        var columns = stackalloc Vector512<float>[24];
        var tile = stackalloc Vector512<float>[16];
        for (var o = 0; o < channels; o++)
        {
            OutputTile(m + (o * 16), columns, tile);
            var b = bias is null ? Vector512<float>.Zero : Vector512.Create(bias[o]);
            Vector512<float> s = scale is null ? default : Vector512.Create(scale[o]), t = scale is null ? default : Vector512.Create(shift[o]);
            for (var i = 0; i < 16; i++)
            {
                var y = tile[i] + b;
                tile[i] = scale is null ? y : Vector512.FusedMultiplyAdd(y, s, t);
            }
            var plane = pooled + ((long)o * pooledHeight * pooledWidth);
            for (var a = 0; a < 2; a++)
            {
                var top = tile + (8 * a);
                var left = Vector512.Max(Window(top[0], top[1], top[4], top[5]), Vector512<float>.Zero);
                var right = Vector512.Max(Window(top[2], top[3], top[6], top[7]), Vector512<float>.Zero);
                for (var th = 0; th < TilesPerSide && (2 * th) + a < pooledHeight; th++)
                {
                    var row = Avx512F.PermuteVar16x32x2(left, pairs + Vector512.Create(4 * th), right);
                    Avx512F.MaskStore(plane + (((2 * th) + a) * pooledWidth), store, row);
                }
            }
        }
    }

    /// <summary>The maximum of a 2×2 window scanned row by row, a value taken when greater than the maximum so far or NaN (as <see cref="MaxPool2d"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Window(Vector512<float> topLeft, Vector512<float> topRight, Vector512<float> bottomLeft, Vector512<float> bottomRight)
    {
        var best = topLeft;
        best = Vector512.ConditionalSelect(Vector512.GreaterThan(topRight, best) | ~Vector512.Equals(topRight, topRight), topRight, best);
        best = Vector512.ConditionalSelect(Vector512.GreaterThan(bottomLeft, best) | ~Vector512.Equals(bottomLeft, bottomLeft), bottomLeft, best);
        return Vector512.ConditionalSelect(Vector512.GreaterThan(bottomRight, best) | ~Vector512.Equals(bottomRight, bottomRight), bottomRight, best);
    }
}
