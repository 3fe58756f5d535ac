using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

// The register tiles: each sweeps every position of a chunk for 4 filters × 6 taps or 6 × 4, its accumulators in registers.
public static unsafe partial class PositionLaneWeightGradient
{
    /// <summary>A tile of 4 filters × 6 taps: 24 accumulators, 4 loads of dy and 6 of the image per 24 FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x6(in Sweep sweep, float** dyRows, float** xRows, Vector512<float>* sums)
    {
        float* d0 = dyRows[0], d1 = dyRows[1], d2 = dyRows[2], d3 = dyRows[3];
        float* x0 = xRows[0], x1 = xRows[1], x2 = xRows[2], x3 = xRows[3], x4 = xRows[4], x5 = xRows[5];
        Vector512<float> c00 = sums[0], c01 = sums[1], c02 = sums[2], c03 = sums[3], c04 = sums[4], c05 = sums[5];
        Vector512<float> c10 = sums[6], c11 = sums[7], c12 = sums[8], c13 = sums[9], c14 = sums[10], c15 = sums[11];
        Vector512<float> c20 = sums[12], c21 = sums[13], c22 = sums[14], c23 = sums[15], c24 = sums[16], c25 = sums[17];
        Vector512<float> c30 = sums[18], c31 = sums[19], c32 = sums[20], c33 = sums[21], c34 = sums[22], c35 = sums[23];
        int width = sweep.Width, xPitch = sweep.XPitch;
        for (var s = 0; s < sweep.Samples; s++)
        {
            for (var row = 0; row < sweep.Rows; row++)
            {
                for (var v = 0; v < width; v += Lanes)
                {
                    var y0 = Vector512.Load(d0 + v);
                    var y1 = Vector512.Load(d1 + v);
                    var y2 = Vector512.Load(d2 + v);
                    var y3 = Vector512.Load(d3 + v);
                    var a = Vector512.Load(x0 + v);
                    c00 = Vector512.FusedMultiplyAdd(y0, a, c00);
                    c10 = Vector512.FusedMultiplyAdd(y1, a, c10);
                    c20 = Vector512.FusedMultiplyAdd(y2, a, c20);
                    c30 = Vector512.FusedMultiplyAdd(y3, a, c30);
                    a = Vector512.Load(x1 + v);
                    c01 = Vector512.FusedMultiplyAdd(y0, a, c01);
                    c11 = Vector512.FusedMultiplyAdd(y1, a, c11);
                    c21 = Vector512.FusedMultiplyAdd(y2, a, c21);
                    c31 = Vector512.FusedMultiplyAdd(y3, a, c31);
                    a = Vector512.Load(x2 + v);
                    c02 = Vector512.FusedMultiplyAdd(y0, a, c02);
                    c12 = Vector512.FusedMultiplyAdd(y1, a, c12);
                    c22 = Vector512.FusedMultiplyAdd(y2, a, c22);
                    c32 = Vector512.FusedMultiplyAdd(y3, a, c32);
                    a = Vector512.Load(x3 + v);
                    c03 = Vector512.FusedMultiplyAdd(y0, a, c03);
                    c13 = Vector512.FusedMultiplyAdd(y1, a, c13);
                    c23 = Vector512.FusedMultiplyAdd(y2, a, c23);
                    c33 = Vector512.FusedMultiplyAdd(y3, a, c33);
                    a = Vector512.Load(x4 + v);
                    c04 = Vector512.FusedMultiplyAdd(y0, a, c04);
                    c14 = Vector512.FusedMultiplyAdd(y1, a, c14);
                    c24 = Vector512.FusedMultiplyAdd(y2, a, c24);
                    c34 = Vector512.FusedMultiplyAdd(y3, a, c34);
                    a = Vector512.Load(x5 + v);
                    c05 = Vector512.FusedMultiplyAdd(y0, a, c05);
                    c15 = Vector512.FusedMultiplyAdd(y1, a, c15);
                    c25 = Vector512.FusedMultiplyAdd(y2, a, c25);
                    c35 = Vector512.FusedMultiplyAdd(y3, a, c35);
                }
                d0 += width;
                d1 += width;
                d2 += width;
                d3 += width;
                x0 += xPitch;
                x1 += xPitch;
                x2 += xPitch;
                x3 += xPitch;
                x4 += xPitch;
                x5 += xPitch;
            }
            d0 += sweep.DySkip;
            d1 += sweep.DySkip;
            d2 += sweep.DySkip;
            d3 += sweep.DySkip;
            x0 += sweep.XSkip;
            x1 += sweep.XSkip;
            x2 += sweep.XSkip;
            x3 += sweep.XSkip;
            x4 += sweep.XSkip;
            x5 += sweep.XSkip;
        }
        sums[0] = c00;
        sums[1] = c01;
        sums[2] = c02;
        sums[3] = c03;
        sums[4] = c04;
        sums[5] = c05;
        sums[6] = c10;
        sums[7] = c11;
        sums[8] = c12;
        sums[9] = c13;
        sums[10] = c14;
        sums[11] = c15;
        sums[12] = c20;
        sums[13] = c21;
        sums[14] = c22;
        sums[15] = c23;
        sums[16] = c24;
        sums[17] = c25;
        sums[18] = c30;
        sums[19] = c31;
        sums[20] = c32;
        sums[21] = c33;
        sums[22] = c34;
        sums[23] = c35;
    }

    /// <summary>A tile of 6 filters × 4 taps: 24 accumulators, 6 loads of dy and 4 of the image per 24 FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile6x4(in Sweep sweep, float** dyRows, float** xRows, Vector512<float>* sums)
    {
        float* d0 = dyRows[0], d1 = dyRows[1], d2 = dyRows[2], d3 = dyRows[3], d4 = dyRows[4], d5 = dyRows[5];
        float* x0 = xRows[0], x1 = xRows[1], x2 = xRows[2], x3 = xRows[3];
        Vector512<float> c00 = sums[0], c01 = sums[1], c02 = sums[2], c03 = sums[3];
        Vector512<float> c10 = sums[4], c11 = sums[5], c12 = sums[6], c13 = sums[7];
        Vector512<float> c20 = sums[8], c21 = sums[9], c22 = sums[10], c23 = sums[11];
        Vector512<float> c30 = sums[12], c31 = sums[13], c32 = sums[14], c33 = sums[15];
        Vector512<float> c40 = sums[16], c41 = sums[17], c42 = sums[18], c43 = sums[19];
        Vector512<float> c50 = sums[20], c51 = sums[21], c52 = sums[22], c53 = sums[23];
        int width = sweep.Width, xPitch = sweep.XPitch;
        for (var s = 0; s < sweep.Samples; s++)
        {
            for (var row = 0; row < sweep.Rows; row++)
            {
                for (var v = 0; v < width; v += Lanes)
                {
                    var y0 = Vector512.Load(d0 + v);
                    var y1 = Vector512.Load(d1 + v);
                    var y2 = Vector512.Load(d2 + v);
                    var y3 = Vector512.Load(d3 + v);
                    var y4 = Vector512.Load(d4 + v);
                    var y5 = Vector512.Load(d5 + v);
                    var a = Vector512.Load(x0 + v);
                    c00 = Vector512.FusedMultiplyAdd(y0, a, c00);
                    c10 = Vector512.FusedMultiplyAdd(y1, a, c10);
                    c20 = Vector512.FusedMultiplyAdd(y2, a, c20);
                    c30 = Vector512.FusedMultiplyAdd(y3, a, c30);
                    c40 = Vector512.FusedMultiplyAdd(y4, a, c40);
                    c50 = Vector512.FusedMultiplyAdd(y5, a, c50);
                    a = Vector512.Load(x1 + v);
                    c01 = Vector512.FusedMultiplyAdd(y0, a, c01);
                    c11 = Vector512.FusedMultiplyAdd(y1, a, c11);
                    c21 = Vector512.FusedMultiplyAdd(y2, a, c21);
                    c31 = Vector512.FusedMultiplyAdd(y3, a, c31);
                    c41 = Vector512.FusedMultiplyAdd(y4, a, c41);
                    c51 = Vector512.FusedMultiplyAdd(y5, a, c51);
                    a = Vector512.Load(x2 + v);
                    c02 = Vector512.FusedMultiplyAdd(y0, a, c02);
                    c12 = Vector512.FusedMultiplyAdd(y1, a, c12);
                    c22 = Vector512.FusedMultiplyAdd(y2, a, c22);
                    c32 = Vector512.FusedMultiplyAdd(y3, a, c32);
                    c42 = Vector512.FusedMultiplyAdd(y4, a, c42);
                    c52 = Vector512.FusedMultiplyAdd(y5, a, c52);
                    a = Vector512.Load(x3 + v);
                    c03 = Vector512.FusedMultiplyAdd(y0, a, c03);
                    c13 = Vector512.FusedMultiplyAdd(y1, a, c13);
                    c23 = Vector512.FusedMultiplyAdd(y2, a, c23);
                    c33 = Vector512.FusedMultiplyAdd(y3, a, c33);
                    c43 = Vector512.FusedMultiplyAdd(y4, a, c43);
                    c53 = Vector512.FusedMultiplyAdd(y5, a, c53);
                }
                d0 += width;
                d1 += width;
                d2 += width;
                d3 += width;
                d4 += width;
                d5 += width;
                x0 += xPitch;
                x1 += xPitch;
                x2 += xPitch;
                x3 += xPitch;
            }
            d0 += sweep.DySkip;
            d1 += sweep.DySkip;
            d2 += sweep.DySkip;
            d3 += sweep.DySkip;
            d4 += sweep.DySkip;
            d5 += sweep.DySkip;
            x0 += sweep.XSkip;
            x1 += sweep.XSkip;
            x2 += sweep.XSkip;
            x3 += sweep.XSkip;
        }
        sums[0] = c00;
        sums[1] = c01;
        sums[2] = c02;
        sums[3] = c03;
        sums[4] = c10;
        sums[5] = c11;
        sums[6] = c12;
        sums[7] = c13;
        sums[8] = c20;
        sums[9] = c21;
        sums[10] = c22;
        sums[11] = c23;
        sums[12] = c30;
        sums[13] = c31;
        sums[14] = c32;
        sums[15] = c33;
        sums[16] = c40;
        sums[17] = c41;
        sums[18] = c42;
        sums[19] = c43;
        sums[20] = c50;
        sums[21] = c51;
        sums[22] = c52;
        sums[23] = c53;
    }
}
