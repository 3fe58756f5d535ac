using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// The weight gradient by F(2×2, 3×3): the forward pass <c>Y = Aᵀ [U ⊙ V] A</c> with <c>U = G g Gᵀ</c> is linear in g, so
/// <c>dg = Gᵀ [Σ_tiles (A dY Aᵀ) ⊙ V] G</c>: 16 GEMMs <c>dU[ξ] = Σ_t V[ξ][c][t] · dM[ξ][t][k]</c> over every tile of every
/// sample, with V the forward pass's input transform, then one filter transform per call. 16 products per 2×2 outputs of a
/// channel pair instead of 36, on a long GEMM depth (the tiles) whose output, C×K per point, stays in registers across a strip.
/// </summary>
/// <remarks>
/// The signs of dM's last row and column are flipped (<c>D dM D</c>, D = diag(1, 1, 1, −1): two subtractions fewer per
/// tile) and flipped back by the filter transform's <c>G' = D G</c>. Strips are the forward pass's (<see cref="Plan"/>): tile
/// rows of one sample, or whole samples; dy's rows of a strip are transposed first (output channels in the lanes), so dM
/// is [ξ][t][k] and V, written [ξ][t / 16][c][16] (<see cref="TransformInput"/> chunked), is broadcast from. V is transformed
/// again from x rather than kept from the forward pass, where it would take about 4 times x's floats per sample from the
/// forward pass to the backward.
/// </remarks>
internal static unsafe partial class Winograd
{
    /// <summary>
    /// Whether <see cref="WeightGradient"/> computes <paramref name="g"/> on <paramref name="path"/>: what <see cref="Supports"/>
    /// accepts, with output channels in whole vectors and at least 16 input channels (the GEMM's register tile).
    /// </summary>
    /// <param name="g">The convolution.</param>
    /// <param name="path">The instruction set (resolved).</param>
    /// <returns>True when <see cref="WeightGradient"/> accepts it.</returns>
    internal static bool SupportsWeightGradient(in ConvGeometry g, CpuPath path) =>
        Supports(g, path) && g.OutChannels % 16 == 0 && g.InChannels >= 16;

    /// <summary>
    /// Whether the tiles fill at least 90 % of the GEMM's lanes (<see cref="Plan.Slot"/>), where the weight gradient by Winograd
    /// computes at least twice fewer products than the direct sum (2.25 times fewer with every lane filled; 14×14 maps fill
    /// 49 of 64 and measured slower: <see cref="Conv2d"/>'s rule).
    /// </summary>
    /// <param name="g">The convolution (see <see cref="SupportsWeightGradient"/>).</param>
    /// <returns>True when the Winograd weight gradient pays.</returns>
    internal static bool WeightGradientPays(in ConvGeometry g)
    {
        var plan = new Plan(g);
        return 10 * plan.TilesPerSample >= 9 * plan.SampleSlots;
    }

    /// <summary>Floats of scratch <see cref="WeightGradient"/> needs on <paramref name="g"/> (any batch).</summary>
    /// <param name="g">The convolution (see <see cref="SupportsWeightGradient"/>).</param>
    /// <returns>The scratch length in floats.</returns>
    internal static int WeightGradientScratchLength(in ConvGeometry g)
    {
        var plan = new Plan(g);
        return plan.WorkLength + (GradientPixels(plan) * plan.OutChannels) + (Points * plan.InChannels * plan.OutChannels);
    }

    /// <summary>Pixels of dy a strip transposes: its samples', or its tile rows' two pixel rows each.</summary>
    private static int GradientPixels(in Plan plan) => plan.SamplesPerStrip > 1
        ? plan.SamplesPerStrip * plan.Height * plan.Width
        : 2 * plan.RowsPerStrip * plan.Width;

    /// <summary><c>dW (+)= Σₙ dy ⋆ x</c> of <paramref name="n"/> samples by F(2×2, 3×3).</summary>
    /// <param name="g">The convolution (see <see cref="SupportsWeightGradient"/>).</param>
    /// <param name="n">Samples.</param>
    /// <param name="x">The input, [n, C, H, W].</param>
    /// <param name="dy">The output gradient, [n, K, H, W].</param>
    /// <param name="dWeight">The weight gradient, [K, C, 3, 3].</param>
    /// <param name="accumulate">Add into dWeight rather than overwrite it.</param>
    /// <param name="work">At least <see cref="WeightGradientScratchLength"/> floats.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void WeightGradient(in ConvGeometry g, int n, float* x, float* dy, float* dWeight, bool accumulate, float* work)
    {
        var plan = new Plan(g);
        var image = work;
        var v = image + plan.ImageLength;
        var dm = v + plan.InputLength;
        var transposed = dm + plan.ProductLength;
        var du = transposed + ((long)GradientPixels(plan) * plan.OutChannels);
        new Span<float>(du, Points * plan.InChannels * plan.OutChannels).Clear();
        var plane = plan.Height * plan.Width;
        if (plan.SamplesPerStrip > 1)
        {
            var sampleStride = plane * plan.OutChannels;
            for (var first = 0; first < n; first += plan.SamplesPerStrip)
            {
                var count = Math.Min(plan.SamplesPerStrip, n - first);
                for (var s = 0; s < count; s++)
                {
                    FillImage(plan, x + ((long)(first + s) * plan.InputPlaneLength), image);
                    TransformInput(plan, image, 0, plan.TilesHigh, v + ((long)s * plan.SampleSlots * plan.InChannels), chunked: true);
                    TransposeGradient(plan, dy + ((long)(first + s) * plan.OutputPlaneLength), 0, plane, transposed + ((long)s * sampleStride));
                    TransformGradient(plan, transposed + ((long)s * sampleStride), 0, plan.TilesHigh, dm, s * plan.SampleSlots);
                }
                MultiplyGradient(plan, v, dm, count * plan.SampleSlots, du);
            }
        }
        else
        {
            for (var s = 0; s < n; s++)
            {
                FillImage(plan, x + ((long)s * plan.InputPlaneLength), image);
                var sample = dy + ((long)s * plan.OutputPlaneLength);
                for (var row = 0; row < plan.TilesHigh; row += plan.RowsPerStrip)
                {
                    var rows = Math.Min(plan.RowsPerStrip, plan.TilesHigh - row);
                    TransformInput(plan, image, row, rows, v, chunked: true);
                    var firstPixel = 2 * row * plan.Width;
                    TransposeGradient(plan, sample, firstPixel, Math.Min(plane, 2 * (row + rows) * plan.Width) - firstPixel, transposed);
                    TransformGradient(plan, transposed, row, rows, dm, 0);
                    MultiplyGradient(plan, v, dm, RoundUp(rows, plan.LaneGroups) * plan.Slot, du);
                }
            }
        }
        TransformFilterGradient(plan, du, dWeight, accumulate);
    }

    /// <summary>
    /// Pixels [<paramref name="firstPixel"/>, + <paramref name="pixels"/>) of one sample's dy, [K][H·W], into
    /// <paramref name="target"/>[pixel][K] (<see cref="MatrixTranspose"/> on the block of dy's rows).
    /// </summary>
    private static void TransposeGradient(in Plan plan, float* dy, int firstPixel, int pixels, float* target) =>
        MatrixTranspose.Run(dy + firstPixel, plan.OutChannels, pixels, plan.Height * plan.Width, target, CpuPath.Vector512);

    /// <summary>
    /// <c>D (A dY Aᵀ) D</c> of the tiles of tile rows [<paramref name="row"/>, + <paramref name="rows"/>) of one sample, dy
    /// transposed from pixel row 2·<paramref name="row"/> on (<see cref="TransposeGradient"/>), into dM[ξ][lane][K] from lane
    /// <paramref name="firstLane"/>: lane (tile row − row)·Slot + tile column, as V's, with zeros in lanes no tile has (so V's
    /// values there add nothing) and for dy outside the map.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformGradient(in Plan plan, float* transposed, int row, int rows, float* dm, int firstLane)
    {
        int channels = plan.OutChannels, width = plan.Width, slot = plan.Slot;
        long pointStride = (long)plan.TileStride * channels;
        var lanes = RoundUp(rows, plan.LaneGroups) * slot;
        for (var lane = 0; lane < lanes; lane++)
        {
            int th = row + (lane / slot), tw = lane % slot;
            var target = dm + ((long)(firstLane + lane) * channels);
            if (th >= row + rows || tw >= plan.TilesWide)
            {
                for (var k = 0; k < channels; k += 16)
                {
                    for (var point = 0; point < Points; point++)
                    {
                        Vector512<float>.Zero.Store(target + (point * pointStride) + k);
                    }
                }
                continue;
            }
            bool down = (2 * th) + 1 < plan.Height, right = (2 * tw) + 1 < width;
            var p = transposed + ((long)((2 * (th - row) * width) + (2 * tw)) * channels);
            for (var k = 0; k < channels; k += 16, p += 16)
            {
                var d00 = Vector512.Load(p);
                var d01 = right ? Vector512.Load(p + channels) : Vector512<float>.Zero;
                var d10 = down ? Vector512.Load(p + ((long)width * channels)) : Vector512<float>.Zero;
                var d11 = down && right ? Vector512.Load(p + ((long)(width + 1) * channels)) : Vector512<float>.Zero;
                // Along the rows (times Aᵀ, last column's sign flipped): d0, d0 + d1, d0 − d1, d1.
                Vector512<float> r01 = d00 + d01, r02 = d00 - d01, r11 = d10 + d11, r12 = d10 - d11;
                var q = target + k;
                // Then down the columns: R0j, R0j + R1j, R0j − R1j, R1j.
                d00.Store(q);
                r01.Store(q + pointStride);
                r02.Store(q + (2 * pointStride));
                d01.Store(q + (3 * pointStride));
                (d00 + d10).Store(q + (4 * pointStride));
                (r01 + r11).Store(q + (5 * pointStride));
                (r02 + r12).Store(q + (6 * pointStride));
                (d01 + d11).Store(q + (7 * pointStride));
                (d00 - d10).Store(q + (8 * pointStride));
                (r01 - r11).Store(q + (9 * pointStride));
                (r02 - r12).Store(q + (10 * pointStride));
                (d01 - d11).Store(q + (11 * pointStride));
                d10.Store(q + (12 * pointStride));
                r11.Store(q + (13 * pointStride));
                r12.Store(q + (14 * pointStride));
                d11.Store(q + (15 * pointStride));
            }
        }
    }

    /// <summary>
    /// <c>dW[k][c] (+)= G'ᵀ dU[·][c][k] G'</c>, G' = D G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, −1]]: per input channel and
    /// vector of 16 output channels, the 3×3 in registers, then written to the 16 filters.
    /// </summary>
    private static void TransformFilterGradient(in Plan plan, float* du, float* dWeight, bool accumulate)
    {
        int inChannels = plan.InChannels, outChannels = plan.OutChannels;
        long pointStride = (long)inChannels * outChannels;
        var out9 = stackalloc float[9 * 16];
        var half = Vector512.Create(0.5f);
        for (var c = 0; c < inChannels; c++)
        {
            for (var k = 0; k < outChannels; k += 16)
            {
                var u = du + ((long)c * outChannels) + k;
                // Along each row i of dU (times G'): t0 = u0 + ½(u1 + u2), t1 = ½(u1 − u2), t2 = ½(u1 + u2) − u3.
                Vector512<float> t00, t01, t02, t10, t11, t12, t20, t21, t22, t30, t31, t32;
                (t00, t01, t02) = FilterRow(u, pointStride, half);
                (t10, t11, t12) = FilterRow(u + (4 * pointStride), pointStride, half);
                (t20, t21, t22) = FilterRow(u + (8 * pointStride), pointStride, half);
                (t30, t31, t32) = FilterRow(u + (12 * pointStride), pointStride, half);
                // Then down the columns, the same combination.
                StoreColumn(out9, 0, t00, t10, t20, t30, half);
                StoreColumn(out9, 1, t01, t11, t21, t31, half);
                StoreColumn(out9, 2, t02, t12, t22, t32, half);
                for (var lane = 0; lane < 16; lane++)
                {
                    var target = dWeight + ((((long)(k + lane) * inChannels) + c) * 9);
                    for (var i = 0; i < 9; i++)
                    {
                        target[i] = accumulate ? target[i] + out9[(i * 16) + lane] : out9[(i * 16) + lane];
                    }
                }
            }
        }
    }

    /// <summary>One row of dU (4 points <paramref name="pointStride"/> apart) times G'.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float>, Vector512<float>, Vector512<float>) FilterRow(float* u, long pointStride, Vector512<float> half)
    {
        Vector512<float> u0 = Vector512.Load(u), u1 = Vector512.Load(u + pointStride), u2 = Vector512.Load(u + (2 * pointStride)), u3 = Vector512.Load(u + (3 * pointStride));
        var sum = half * (u1 + u2);
        return (u0 + sum, half * (u1 - u2), sum - u3);
    }

    /// <summary>Column <paramref name="s"/> of the 3×3: G'ᵀ times the column (t0..t3), rows 0..2 into <paramref name="out9"/>[3r + s].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreColumn(float* out9, int s, Vector512<float> t0, Vector512<float> t1, Vector512<float> t2, Vector512<float> t3, Vector512<float> half)
    {
        var sum = half * (t1 + t2);
        (t0 + sum).Store(out9 + (s * 16));
        (half * (t1 - t2)).Store(out9 + ((3 + s) * 16));
        (sum - t3).Store(out9 + ((6 + s) * 16));
    }
}
