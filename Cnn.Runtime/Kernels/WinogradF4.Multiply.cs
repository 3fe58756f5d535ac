using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

internal static unsafe partial class WinogradF4
{
    /// <summary>
    /// The 36 GEMMs of one block of 16 output channels, <c>M[ξ][o][t] = Σ_ic U[ξ][b][ic][o] · V[ξ][ic][t]</c>: the 16 tiles are one
    /// vector, so a register tile is the block's 16 channels × 1 vector (16 accumulators), one load of V and 16 broadcasts of U (its
    /// 16 values of an input channel contiguous) per step of the depth.
    /// </summary>
    /// <param name="inChannels">The depth.</param>
    /// <param name="u">The block's U[0][b].</param>
    /// <param name="pointStride">Floats between U[ξ][b] and U[ξ + 1][b].</param>
    /// <param name="v">V, [36][inChannels][16], <see cref="InputPointStride"/> floats between its points.</param>
    /// <param name="m">The block's M, [36][16][16].</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply(int inChannels, float* u, long pointStride, float* v, float* m)
    {
        for (var point = 0; point < Points; point++)
        {
            var a = u + (point * pointStride);
            var b = v + (point * InputPointStride(inChannels));
            var c = m + (point * BlockChannels * 16);
            Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            Vector512<float> c8 = default, c9 = default, c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
            for (var k = 0; k < inChannels; k++, a += BlockChannels, b += 16)
            {
                var t = Vector512.Load(b);
                c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), t, c0);
                c1 = Vector512.FusedMultiplyAdd(Vector512.Create(a[1]), t, c1);
                c2 = Vector512.FusedMultiplyAdd(Vector512.Create(a[2]), t, c2);
                c3 = Vector512.FusedMultiplyAdd(Vector512.Create(a[3]), t, c3);
                c4 = Vector512.FusedMultiplyAdd(Vector512.Create(a[4]), t, c4);
                c5 = Vector512.FusedMultiplyAdd(Vector512.Create(a[5]), t, c5);
                c6 = Vector512.FusedMultiplyAdd(Vector512.Create(a[6]), t, c6);
                c7 = Vector512.FusedMultiplyAdd(Vector512.Create(a[7]), t, c7);
                c8 = Vector512.FusedMultiplyAdd(Vector512.Create(a[8]), t, c8);
                c9 = Vector512.FusedMultiplyAdd(Vector512.Create(a[9]), t, c9);
                c10 = Vector512.FusedMultiplyAdd(Vector512.Create(a[10]), t, c10);
                c11 = Vector512.FusedMultiplyAdd(Vector512.Create(a[11]), t, c11);
                c12 = Vector512.FusedMultiplyAdd(Vector512.Create(a[12]), t, c12);
                c13 = Vector512.FusedMultiplyAdd(Vector512.Create(a[13]), t, c13);
                c14 = Vector512.FusedMultiplyAdd(Vector512.Create(a[14]), t, c14);
                c15 = Vector512.FusedMultiplyAdd(Vector512.Create(a[15]), t, c15);
            }
            c0.Store(c); c1.Store(c + 16); c2.Store(c + 32); c3.Store(c + 48);
            c4.Store(c + 64); c5.Store(c + 80); c6.Store(c + 96); c7.Store(c + 112);
            c8.Store(c + 128); c9.Store(c + 144); c10.Store(c + 160); c11.Store(c + 176);
            c12.Store(c + 192); c13.Store(c + 208); c14.Store(c + 224); c15.Store(c + 240);
        }
    }
}
