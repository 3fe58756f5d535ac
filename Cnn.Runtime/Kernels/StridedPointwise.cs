using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// 1×1 convolutions at stride 2 without padding (ResNet's projection shortcuts) on AVX-512, computed directly, one sample at a
/// time. A vector holds 16 consecutive outputs of one channel: on rows a multiple of 16 wide, 16 outputs of one row, whose inputs
/// are the even columns of 32 input columns; on 8-wide rows, two output rows, whose inputs are the even columns of two input rows
/// four apart. One two-source permute gathers them, and in the data gradient two permutes spread each vector of sums back to the
/// even columns, zeros between. The GEMM these layers took before copied the phase-(0, 0) plane and packed it, for a product whose
/// inner dimension (the input channels, 16 or 32) is too short to pay for either.
/// </summary>
/// <remarks>
/// Register tile: 16 filters (forward) or 16 input channels (data gradient) against one vector of positions, 16 independent
/// accumulators, each weight broadcast from the [out, in] weight matrix as it is used. Each output is the sum over the contracted
/// channels in increasing order, started from the bias (or zero). The weight gradient stays on <see cref="Conv2d"/>'s kernels.
/// </remarks>
[SkipLocalsInit]
internal static unsafe class StridedPointwise
{
    private const int Lanes = 16;

    /// <summary>Lanes 0, 2, …, 30 of two vectors: the even columns of 32.</summary>
    private static readonly Vector512<int> Even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);

    /// <summary>Lanes 0–7 of a vector at the even lanes, zeros (lane 0 of the second source) between.</summary>
    private static readonly Vector512<int> SpreadLow = Vector512.Create(0, 16, 1, 16, 2, 16, 3, 16, 4, 16, 5, 16, 6, 16, 7, 16);

    /// <summary>Lanes 8–15 the same way.</summary>
    private static readonly Vector512<int> SpreadHigh = Vector512.Create(8, 16, 9, 16, 10, 16, 11, 16, 12, 16, 13, 16, 14, 16, 15, 16);

    /// <summary>Whether <paramref name="g"/> runs here on <paramref name="path"/>: see <see cref="Fits"/>, on AVX-512.</summary>
    public static bool Supports(in ConvGeometry g, CpuPath path) => path == CpuPath.Vector512 && Avx512F.IsSupported && Fits(g);

    /// <summary>
    /// A 1×1 kernel, stride 2, no padding, one group, an input exactly twice the output each way, output rows a multiple of 16 wide
    /// (or 8 wide with an even number of rows), channels a multiple of 16 each way.
    /// </summary>
    public static bool Fits(in ConvGeometry g) =>
        g.Kernel == 1 && g.Stride == 2 && g.Pad == 0 && g.Groups == 1 && g.Dilation == 1
        && g.InHeight == 2 * g.OutHeight && g.InWidth == 2 * g.OutWidth
        && (g.OutWidth % Lanes == 0 || (g.OutWidth == 8 && g.OutHeight % 2 == 0))
        && g.InChannels % Lanes == 0 && g.OutChannels % Lanes == 0;

    /// <summary>Floats of scratch <see cref="Forward"/> needs: one vector of gathered inputs per input channel.</summary>
    public static int ScratchLength(in ConvGeometry g) => g.InChannels * Lanes;

    /// <summary><c>y[oc, p] = bias[oc] + Σ_ic w[oc, ic] · x[ic, 2i, 2j]</c> for one sample (overwriting y).</summary>
    /// <param name="g">The convolution (<see cref="Supports"/>).</param>
    /// <param name="x">The sample's input.</param>
    /// <param name="weight">Weight, [OutChannels, InChannels].</param>
    /// <param name="bias">Bias, or null.</param>
    /// <param name="y">The sample's output.</param>
    /// <param name="work">At least <see cref="ScratchLength"/> floats.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(in ConvGeometry g, float* x, float* weight, float* bias, float* y, float* work)
    {
        int ic = g.InChannels, plane = g.OutPlane, inPlane = g.InPlane, second = SecondRun(g);
        for (var p = 0; p < plane; p += Lanes)
        {
            var at = Source(g, p);
            for (var c = 0; c < ic; c++)
            {
                var row = x + ((long)c * inPlane) + at;
                Avx512F.PermuteVar16x32x2(Vector512.Load(row), Even, Vector512.Load(row + second)).Store(work + (c * Lanes));
            }
            for (var oc = 0; oc < g.OutChannels; oc += Lanes)
            {
                Filters16(work, ic, weight + (oc * ic), bias is null ? null : bias + oc, y + ((long)oc * plane) + p, plane);
            }
        }
    }

    /// <summary>
    /// <c>dx[n, ic, 2i, 2j] (+)= Σ_oc w[oc, ic] · dy[n, oc, i, j]</c>; without <paramref name="accumulate"/> the other positions of
    /// dx (odd rows or columns, which the kernel never reads) become zero.
    /// </summary>
    /// <param name="g">The convolution (<see cref="Supports"/>).</param>
    /// <param name="n">Batch size.</param>
    /// <param name="dy">Output gradient, [n, OutChannels, OutHeight, OutWidth].</param>
    /// <param name="weight">Weight, [OutChannels, InChannels].</param>
    /// <param name="dx">Input gradient, [n, InChannels, InHeight, InWidth].</param>
    /// <param name="accumulate">Add into dx rather than overwrite it.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardData(in ConvGeometry g, int n, float* dy, float* weight, float* dx, bool accumulate)
    {
        if (!accumulate)
        {
            new Span<float>(dx, n * g.InputLength).Clear();
        }
        int plane = g.OutPlane, inPlane = g.InPlane, second = SecondRun(g);
        for (var s = 0; s < n; s++)
        {
            var sampleDy = dy + ((long)s * g.OutputLength);
            var sampleDx = dx + ((long)s * g.InputLength);
            for (var p = 0; p < plane; p += Lanes)
            {
                var at = Source(g, p);
                for (var ic = 0; ic < g.InChannels; ic += Lanes)
                {
                    Channels16(sampleDy + p, plane, g.OutChannels, weight + ic, g.InChannels, sampleDx + ((long)ic * inPlane) + at, second, inPlane);
                }
            }
        }
    }

    /// <summary>Where, in an input plane, the inputs of the 16 outputs from position <paramref name="p"/> start: row 2i, column 2j.</summary>
    private static int Source(in ConvGeometry g, int p) => (2 * (p / g.OutWidth) * g.InWidth) + (2 * (p % g.OutWidth));

    /// <summary>How far after the first run the second 16 inputs lie: the next 16 columns, or, on 8-wide outputs, two input rows on.</summary>
    private static int SecondRun(in ConvGeometry g) => g.OutWidth % Lanes == 0 ? Lanes : 2 * g.InWidth;

    /// <summary>16 filters' outputs at one vector of positions from the gathered inputs <paramref name="xs"/> (one vector per input channel).</summary>
    private static void Filters16(float* xs, int channels, float* w, float* bias, float* y, int plane)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        Vector512<float> c8 = default, c9 = default, c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        if (bias is not null)
        {
            c0 = Vector512.Create(bias[0]); c1 = Vector512.Create(bias[1]); c2 = Vector512.Create(bias[2]); c3 = Vector512.Create(bias[3]);
            c4 = Vector512.Create(bias[4]); c5 = Vector512.Create(bias[5]); c6 = Vector512.Create(bias[6]); c7 = Vector512.Create(bias[7]);
            c8 = Vector512.Create(bias[8]); c9 = Vector512.Create(bias[9]); c10 = Vector512.Create(bias[10]); c11 = Vector512.Create(bias[11]);
            c12 = Vector512.Create(bias[12]); c13 = Vector512.Create(bias[13]); c14 = Vector512.Create(bias[14]); c15 = Vector512.Create(bias[15]);
        }
        for (var c = 0; c < channels; c++)
        {
            var v = Vector512.Load(xs + (c * Lanes));
            var r = w + c;
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(r[0]), v, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(r[channels]), v, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(r[2 * channels]), v, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(r[3 * channels]), v, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(r[4 * channels]), v, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(r[5 * channels]), v, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(r[6 * channels]), v, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(r[7 * channels]), v, c7);
            c8 = Vector512.FusedMultiplyAdd(Vector512.Create(r[8 * channels]), v, c8);
            c9 = Vector512.FusedMultiplyAdd(Vector512.Create(r[9 * channels]), v, c9);
            c10 = Vector512.FusedMultiplyAdd(Vector512.Create(r[10 * channels]), v, c10);
            c11 = Vector512.FusedMultiplyAdd(Vector512.Create(r[11 * channels]), v, c11);
            c12 = Vector512.FusedMultiplyAdd(Vector512.Create(r[12 * channels]), v, c12);
            c13 = Vector512.FusedMultiplyAdd(Vector512.Create(r[13 * channels]), v, c13);
            c14 = Vector512.FusedMultiplyAdd(Vector512.Create(r[14 * channels]), v, c14);
            c15 = Vector512.FusedMultiplyAdd(Vector512.Create(r[15 * channels]), v, c15);
        }
        c0.Store(y); c1.Store(y + plane); c2.Store(y + (2 * plane)); c3.Store(y + (3 * plane));
        c4.Store(y + (4 * plane)); c5.Store(y + (5 * plane)); c6.Store(y + (6 * plane)); c7.Store(y + (7 * plane));
        c8.Store(y + (8 * plane)); c9.Store(y + (9 * plane)); c10.Store(y + (10 * plane)); c11.Store(y + (11 * plane));
        c12.Store(y + (12 * plane)); c13.Store(y + (13 * plane)); c14.Store(y + (14 * plane)); c15.Store(y + (15 * plane));
    }

    /// <summary>
    /// 16 input channels' gradients at one vector of positions, summed over the <paramref name="filters"/> gradients of dy there
    /// (weights <c>w[oc · stride + k]</c>), then added at the even columns of the two runs at <paramref name="dx"/> and
    /// <paramref name="dx"/> + <paramref name="second"/> of each channel.
    /// </summary>
    private static void Channels16(float* dy, int plane, int filters, float* w, int stride, float* dx, int second, int inPlane)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        Vector512<float> c8 = default, c9 = default, c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        for (var oc = 0; oc < filters; oc++)
        {
            var d = Vector512.Load(dy + ((long)oc * plane));
            var r = w + (oc * stride);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(r[0]), d, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(r[1]), d, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(r[2]), d, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(r[3]), d, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(r[4]), d, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(r[5]), d, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(r[6]), d, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(r[7]), d, c7);
            c8 = Vector512.FusedMultiplyAdd(Vector512.Create(r[8]), d, c8);
            c9 = Vector512.FusedMultiplyAdd(Vector512.Create(r[9]), d, c9);
            c10 = Vector512.FusedMultiplyAdd(Vector512.Create(r[10]), d, c10);
            c11 = Vector512.FusedMultiplyAdd(Vector512.Create(r[11]), d, c11);
            c12 = Vector512.FusedMultiplyAdd(Vector512.Create(r[12]), d, c12);
            c13 = Vector512.FusedMultiplyAdd(Vector512.Create(r[13]), d, c13);
            c14 = Vector512.FusedMultiplyAdd(Vector512.Create(r[14]), d, c14);
            c15 = Vector512.FusedMultiplyAdd(Vector512.Create(r[15]), d, c15);
        }
        Spread(c0, dx, second); Spread(c1, dx + inPlane, second); Spread(c2, dx + (2 * inPlane), second); Spread(c3, dx + (3 * inPlane), second);
        Spread(c4, dx + (4 * inPlane), second); Spread(c5, dx + (5 * inPlane), second); Spread(c6, dx + (6 * inPlane), second); Spread(c7, dx + (7 * inPlane), second);
        Spread(c8, dx + (8 * inPlane), second); Spread(c9, dx + (9 * inPlane), second); Spread(c10, dx + (10 * inPlane), second); Spread(c11, dx + (11 * inPlane), second);
        Spread(c12, dx + (12 * inPlane), second); Spread(c13, dx + (13 * inPlane), second); Spread(c14, dx + (14 * inPlane), second); Spread(c15, dx + (15 * inPlane), second);
    }

    /// <summary>Adds lanes 0–7 of <paramref name="sums"/> at the even columns of the 16 at <paramref name="dx"/>, lanes 8–15 at those <paramref name="second"/> on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Spread(Vector512<float> sums, float* dx, int second)
    {
        (Vector512.Load(dx) + Avx512F.PermuteVar16x32x2(sums, SpreadLow, Vector512<float>.Zero)).Store(dx);
        var high = dx + second;
        (Vector512.Load(high) + Avx512F.PermuteVar16x32x2(sums, SpreadHigh, Vector512<float>.Zero)).Store(high);
    }
}
