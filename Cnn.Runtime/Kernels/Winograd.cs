using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Winograd F(2×2, 3×3) convolution of NCHW float32 for 3×3 kernels at stride 1, padding 1, dilation 1, one group, on
/// Vector512: each 2×2 output tile of each (output, input) channel pair costs 16 multiplies instead of 36. Per call the
/// filters are transformed once, <c>U = G g Gᵀ</c> (16 values per channel pair); per strip of tiles (whole tile rows of one
/// sample, or whole samples when a sample has few tiles) the input is transformed, <c>V = Bᵀ d B</c> over the 4×4 patches
/// at stride 2 with tiles in the vector lanes, then 16 GEMMs <c>M[ξ] = U[ξ] · V[ξ]</c> (<see cref="Multiply"/>), then
/// <c>Y = Aᵀ M A</c> plus the bias is written (or added) straight into the NCHW output. All scratch is the caller's.
/// </summary>
/// <remarks>
/// The transforms (Lavin and Gray, 2016): <c>Bᵀ = [[1,0,−1,0],[0,1,1,0],[0,−1,1,0],[0,1,0,−1]]</c>,
/// <c>G = [[1,0,0],[½,½,½],[½,−½,½],[0,0,1]]</c>, <c>Aᵀ = [[1,1,1,0],[0,1,−1,−1]]</c>. Rounding differs from the direct
/// sum (the input transform adds and subtracts neighbours before the products): results agree with it to a tolerance,
/// not bit for bit.
/// </remarks>
[SkipLocalsInit]
internal static unsafe partial class Winograd
{
    /// <summary><paramref name="value"/> rounded up to a multiple of <paramref name="multiple"/>.</summary>
    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>Transformed values per tile (4×4): the number of GEMMs.</summary>
    internal const int Points = 16;

    /// <summary>Floats a strip's V and M may take together (in L2 with room for U): 256 KB.</summary>
    private const int StripBudget = 64 * 1024;

    /// <summary>Floats past the padded image the input transform's last vectors may read (zeros).</summary>
    private const int ImageSlack = 48;

    /// <summary>Whether this kernel computes <paramref name="g"/> on <paramref name="path"/>: 3×3, stride 1, padding 1, dilation 1, one group, Vector512.</summary>
    /// <param name="g">The convolution.</param>
    /// <param name="path">The instruction set (resolved).</param>
    /// <returns>True when <see cref="Forward"/> accepts it.</returns>
    internal static bool Supports(in ConvGeometry g, CpuPath path) =>
        path == CpuPath.Vector512 && Avx512F.IsSupported && g.Kernel == 3 && g.Stride == 1 && g.Pad == 1 && g.Dilation == 1 && g.Groups == 1;

    /// <summary>Floats of scratch <see cref="Forward"/> needs on <paramref name="g"/> (any batch).</summary>
    /// <param name="g">The convolution.</param>
    /// <returns>The scratch length in floats.</returns>
    internal static int ScratchLength(in ConvGeometry g) => new Plan(g).ScratchLength;

    /// <summary>
    /// <paramref name="count"/> samples of <c>y (+)= conv(x, W) + bias</c>, W's transform at <paramref name="u"/>
    /// (<see cref="TransformFilters"/>: the start of <paramref name="work"/>, or kept elsewhere), <paramref name="count"/> at most
    /// <see cref="Plan.SamplesPerStrip"/> when that is above 1 (the samples share strips), or 1 otherwise. The caller runs each
    /// sample's epilogue after.
    /// </summary>
    /// <param name="plan">The layer's plan.</param>
    /// <param name="count">Samples.</param>
    /// <param name="x">The first sample's input.</param>
    /// <param name="u">The filters' transform, <see cref="Plan.FilterLength"/> floats.</param>
    /// <param name="bias">Bias, or null.</param>
    /// <param name="y">The first sample's output.</param>
    /// <param name="accumulate">Add into y rather than overwrite it.</param>
    /// <param name="work">The scratch (<see cref="Plan.ScratchLength"/>; its first <see cref="Plan.FilterLength"/> floats are the transform's place, used or not).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Forward(in Plan plan, int count, float* x, float* u, float* bias, float* y, bool accumulate, float* work)
    {
        var image = work + plan.FilterLength;
        var v = image + plan.ImageLength;
        var m = v + plan.InputLength;
        if (plan.SamplesPerStrip > 1)
        {
            for (var s = 0; s < count; s++)
            {
                FillImage(plan, x + ((long)s * plan.InputPlaneLength), image);
                TransformInput(plan, image, 0, plan.TilesHigh, v + (s * plan.SampleSlots));
            }
            Multiply(plan, u, v, m, count * plan.SampleSlots / 16);
            for (var s = 0; s < count; s++)
            {
                TransformOutput(plan, m + (s * plan.SampleSlots), 0, plan.TilesHigh, bias, y + ((long)s * plan.OutputPlaneLength), accumulate);
            }
            return;
        }
        FillImage(plan, x, image);
        Strips(plan, image, 0, plan.TilesHigh, u, v, m, bias, y, accumulate);
    }

    /// <summary>
    /// Tile rows [<paramref name="first"/>, <paramref name="end"/>) of one sample whose padded image is filled (at least the rows they
    /// read), strip by strip: the input transform into <paramref name="v"/>, the GEMMs into <paramref name="m"/>, the output transform
    /// into <paramref name="y"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Strips(in Plan plan, float* image, int first, int end, float* u, float* v, float* m, float* bias, float* y, bool accumulate)
    {
        for (var row = first; row < end; row += plan.RowsPerStrip)
        {
            var rows = Math.Min(plan.RowsPerStrip, end - row);
            TransformInput(plan, image, row, rows, v);
            Multiply(plan, u, v, m, RoundUp(rows, plan.LaneGroups) * plan.Slot / 16);
            TransformOutput(plan, m, row, rows, bias, y, accumulate);
        }
    }

    /// <summary>
    /// What a layer's Winograd pass needs to know: tile counts, the strip size (tile rows of one sample, or whole samples
    /// when a sample has fewer tiles than a strip holds: ResNet-8's 8×8 maps have 16), and the scratch layout: U, the padded
    /// image of one sample, V and M of one strip.
    /// </summary>
    internal readonly struct Plan
    {
        /// <summary>Makes the plan of <paramref name="g"/>.</summary>
        /// <param name="g">The convolution (see <see cref="Supports"/>).</param>
        /// <param name="transposedFilters">
        /// Whether U is laid out [16][InChannels][PaddedOut], as <see cref="TransformFilters"/> writes it from a layer's weights
        /// for its data gradient (<paramref name="g"/> is then the data-gradient convolution), rather than [16][PaddedOut][PaddedIn].
        /// </param>
        /// <param name="wholeSample">Whether a strip is one whole sample, whatever its size (<see cref="ChannelBlocks"/>), rather than what fits the strip budget.</param>
        public Plan(in ConvGeometry g, bool transposedFilters = false, bool wholeSample = false)
        {
            TransposedFilters = transposedFilters;
            InChannels = g.InChannels;
            OutChannels = g.OutChannels;
            Height = g.OutHeight;
            Width = g.OutWidth;
            TilesHigh = (Height + 1) / 2;
            TilesWide = (Width + 1) / 2;
            TilesPerSample = TilesHigh * TilesWide;
            PaddedOut = RoundUp(OutChannels, 16);
            PaddedIn = RoundUp(InChannels, 16);
            Slot = TilesWide <= 4 ? 4 : TilesWide <= 8 ? 8 : RoundUp(TilesWide, 16);
            LaneGroups = Slot < 16 ? 16 / Slot : 1;
            SampleSlots = RoundUp(TilesHigh, LaneGroups) * Slot;
            ImageWidth = (2 * TilesWide) + 2;
            ImageHeight = (2 * RoundUp(TilesHigh, LaneGroups)) + 2;
            InputPlaneLength = g.InputLength;
            OutputPlaneLength = g.OutputLength;
            var budget = Math.Max(16, StripBudget / (Points * (InChannels + PaddedOut)));
            if (wholeSample)
            {
                SamplesPerStrip = 1;
                RowsPerStrip = TilesHigh;
                TileStride = SampleSlots + 16;
            }
            else if (SampleSlots <= budget)
            {
                // At least three vectors of tiles, the GEMM's widest register tile (three 8×8 maps).
                SamplesPerStrip = Math.Max(budget, 48) / SampleSlots;
                RowsPerStrip = TilesHigh;
                TileStride = (SamplesPerStrip * SampleSlots) + 16;
            }
            else
            {
                SamplesPerStrip = 1;
                var most = Math.Max(LaneGroups, budget / Slot / LaneGroups * LaneGroups);
                var strips = (TilesHigh + most - 1) / most;
                RowsPerStrip = RoundUp((TilesHigh + strips - 1) / strips, LaneGroups);
                TileStride = (RowsPerStrip * Slot) + 16;
            }
        }

        /// <summary>Whether U is [16][InChannels][PaddedOut] (the data gradient's) rather than [16][PaddedOut][PaddedIn].</summary>
        public bool TransposedFilters { get; }

        /// <summary>Floats between U's rows of consecutive output channels.</summary>
        public int FilterOutStride => TransposedFilters ? 1 : PaddedIn;

        /// <summary>Floats between U's values of consecutive input channels.</summary>
        public int FilterInStride => TransposedFilters ? PaddedOut : 1;

        /// <summary>Floats between U[ξ] and U[ξ + 1] (either layout fits in PaddedOut·PaddedIn).</summary>
        public int FilterPointStride => PaddedOut * PaddedIn;

        /// <summary>Input channels (the GEMMs' depth).</summary>
        public int InChannels { get; }

        /// <summary>Output channels.</summary>
        public int OutChannels { get; }

        /// <summary>Output (and input) height.</summary>
        public int Height { get; }

        /// <summary>Output (and input) width.</summary>
        public int Width { get; }

        /// <summary>Tile rows, ⌈H/2⌉.</summary>
        public int TilesHigh { get; }

        /// <summary>Tiles per tile row, ⌈W/2⌉.</summary>
        public int TilesWide { get; }

        /// <summary>Tiles of one sample.</summary>
        public int TilesPerSample { get; }

        /// <summary>
        /// Lanes of V per tile row: 4 or 8 when a row has at most that many tiles (4 or 2 tile rows share a vector, so 8×8 and
        /// 14×14 maps fill their lanes), else the tiles rounded up to whole vectors. Lanes past a row's tiles hold finite values
        /// (patches of the padding and the next row) that no output reads.
        /// </summary>
        public int Slot { get; }

        /// <summary>Tile rows per vector of V: 16 / <see cref="Slot"/>, or 1.</summary>
        public int LaneGroups { get; }

        /// <summary>Lanes of one sample's tiles, the tile rows rounded up to whole <see cref="LaneGroups"/>: a whole number of vectors.</summary>
        public int SampleSlots { get; }

        /// <summary>Output channels rounded up to 16: rows of U and M.</summary>
        public int PaddedOut { get; }

        /// <summary>Input channels rounded up to 16: U's row length in the forward layout.</summary>
        public int PaddedIn { get; }

        /// <summary>Width of the zero-padded image, 2·⌈W/2⌉ + 2.</summary>
        public int ImageWidth { get; }

        /// <summary>Height of the zero-padded image: 2 per tile row, the tile rows rounded up to whole <see cref="LaneGroups"/>, plus 2.</summary>
        public int ImageHeight { get; }

        /// <summary>Floats of one sample's input.</summary>
        public int InputPlaneLength { get; }

        /// <summary>Floats of one sample's output.</summary>
        public int OutputPlaneLength { get; }

        /// <summary>Whole samples a strip holds (1: strips are tile rows of one sample).</summary>
        public int SamplesPerStrip { get; }

        /// <summary>Tile rows per strip.</summary>
        public int RowsPerStrip { get; }

        /// <summary>
        /// Floats between rows of V and M: a strip's lanes (a whole number of vectors) and one vector more, so that rows are not a
        /// power of two apart (128 and 64 were: the GEMM's loads of 16 rows then fell in a few cache sets, 16 → 16 on 32×32 ran at
        /// half the speed).
        /// </summary>
        public int TileStride { get; }

        /// <summary>Floats of U, [16][PaddedOut][PaddedIn] (or [16][InChannels][PaddedOut] for the data gradient: no larger).</summary>
        public int FilterLength => Points * PaddedOut * PaddedIn;

        /// <summary>Floats of the padded image of one sample, with the slack its last vectors read.</summary>
        public int ImageLength => (InChannels * ImageHeight * ImageWidth) + ImageSlack;

        /// <summary>Floats of V, [16][InChannels][TileStride].</summary>
        public int InputLength => Points * InChannels * TileStride;

        /// <summary>Floats of M, [16][PaddedOut][TileStride].</summary>
        public int ProductLength => Points * PaddedOut * TileStride;

        /// <summary>Floats of scratch: U, the image, V, M.</summary>
        public int ScratchLength => FilterLength + WorkLength;

        /// <summary>Floats of scratch past U (kept elsewhere, or shared by threads): the image, V and M.</summary>
        public int WorkLength => ImageLength + InputLength + ProductLength;
    }
}
