using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Convolution forward computed directly, one sample at a time, for batch-1 inference: no im2col and no
/// packed GEMM, whose copies of a <c>kernel²</c>-times larger patch matrix dominate a single small image.
/// Ungrouped, undilated convolutions only (<see cref="Supports"/>); <see cref="Conv2d"/> does the rest.
/// </summary>
/// <remarks>
/// <para>The sample is first copied into an image in which every row (c, kh, kw) of the lowered matrix is one
/// contiguous run at <c>Offsets[r] + q</c>, so the output is a 1-D convolution over the position q with positions
/// in the vector lanes. Two layouts, chosen per layer by <see cref="LayoutFor"/>:
/// <see cref="ColumnShiftedImage"/> (k copies of the input, each plane as wide as the output: <c>q = oh·W′ + ow</c>,
/// no wasted lane, tiles written straight into the NCHW output) or <see cref="PaddedImage"/> (one padded copy:
/// <c>q = oh·Ws + ow</c>, the columns past W′ computed, then dropped while the rows are moved to the output; when W′ is a
/// whole number of vectors, tiles pair runs of output rows instead, so nothing is dropped or moved).
/// The first saves a fifth to a third of the FMAs on small maps (8 outputs in 10 columns on 8×8) and the copy-out
/// pass; the second writes k times less when making its copy, which wins where the input is large next to the
/// work per position (16 → 16 channels on 32×32).</para>
/// <para>Register tile: 8 output channels × 2 vectors of q (16 accumulators, started at the bias); per row two
/// loads of input, eight weight broadcasts straight from the eight filters' rows (packing the weights cost as
/// much as the arithmetic on these layer sizes), sixteen FMAs. Positions past the last whole tile take a
/// one-vector tile when they fit in one, or, in the compact layout on Vector512, a third vector of the last whole tile
/// (<c>Tile512x3</c>). A layer of at most 6 filters in the compact layout on Vector512 takes 6 filters × 4 vectors
/// instead (24 accumulators, no filter repeated), each output summed in the same order.</para>
/// <para>The hot methods are compiled fully optimized on first call (<c>AggressiveOptimization</c>): batch-1
/// inference is often the first and only use of this path, and tier-0 vector code runs about 10× slower
/// (measured: 486 µs instead of 47 µs per sample for 64 → 64 channels on 8×8 during the first 100 ms).</para>
/// </remarks>
[SkipLocalsInit]
public static partial class DirectConv
{
    private const int Filters = 8;
    private const int SixFilters = 6;
    private const int MaxKernel = 16;
    private const int WidestTile = 2 * 16;

    /// <summary>
    /// Whether this kernel computes <paramref name="g"/> on <paramref name="path"/>: one group, dilation 1, a
    /// kernel of 2 to 16, a vector path. 1×1 convolutions are left to <see cref="Conv2d"/>: with one tap per
    /// channel the copy costs more than it saves (resnet8's strided 1×1 shortcuts ran 3–4× slower here).
    /// </summary>
    /// <param name="g">The convolution.</param>
    /// <param name="path">The instruction set.</param>
    /// <returns>True when <c>Forward</c> accepts the arguments.</returns>
    public static bool Supports(in ConvGeometry g, CpuPath path = CpuPath.Auto) =>
        g.Groups == 1 && g.Dilation == 1 && g.Kernel is > 1 and <= MaxKernel && CpuPaths.Resolve(path) is CpuPath.Vector512 or CpuPath.Vector256;

    /// <summary>Floats of scratch <c>Forward</c> needs (any batch size: samples are done one at a time).</summary>
    /// <param name="g">The convolution.</param>
    /// <returns>The scratch length in floats.</returns>
    public static int ScratchLength(in ConvGeometry g) => ImageLength(g) + BufferLength(g);

    /// <summary><c>y[n, oc, oh, ow] = bias[oc] + Σ w[oc, ic, i, j] · x[n, ic, oh·s − p + i, ow·s − p + j]</c>, as Conv2d.Forward computes it.</summary>
    /// <param name="g">The convolution (see <see cref="Supports"/>).</param>
    /// <param name="n">Batch size.</param>
    /// <param name="x">Input, [n, InChannels, InHeight, InWidth].</param>
    /// <param name="weight">Weight, [OutChannels, InChannels, Kernel, Kernel].</param>
    /// <param name="bias">Bias, [OutChannels], or empty for none.</param>
    /// <param name="y">Output, [n, OutChannels, OutHeight, OutWidth] (overwritten).</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats.</param>
    /// <param name="path">Vector512 or Vector256.</param>
    public static void Forward(in ConvGeometry g, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, Span<float> scratch, CpuPath path = CpuPath.Auto) =>
        Forward(g, n, x, weight, bias, y, scratch, path, DirectConvLayout.Auto);

    /// <summary>As <see cref="Forward(in ConvGeometry, int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, CpuPath)"/> in a given image layout (tests run each).</summary>
    /// <param name="g">The convolution (see <see cref="Supports"/>).</param>
    /// <param name="n">Batch size.</param>
    /// <param name="x">Input, [n, InChannels, InHeight, InWidth].</param>
    /// <param name="weight">Weight, [OutChannels, InChannels, Kernel, Kernel].</param>
    /// <param name="bias">Bias, [OutChannels], or empty for none.</param>
    /// <param name="y">Output, [n, OutChannels, OutHeight, OutWidth] (overwritten).</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats.</param>
    /// <param name="path">Vector512 or Vector256.</param>
    /// <param name="layout">The image layout (<see cref="DirectConvLayout.Auto"/>: the one <see cref="LayoutFor"/> picks); both give the same result up to rounding.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Forward(in ConvGeometry g, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, Span<float> scratch,
        CpuPath path, DirectConvLayout layout)
    {
        Check(g, n, x.Length, weight.Length, bias, y.Length, scratch.Length, path);
        fixed (float* xBase = x, yBase = y, weightBase = weight, biasBase = bias, work = scratch)
        {
            var image = new SampleImage(g, work, weightBase, biasBase, path, layout);
            var buffer = work + ImageLength(g);
            var blocks = FilterBlocks(g);
            for (var s = 0; s < n; s++)
            {
                image.Fill(xBase + ((long)s * g.InputLength)).Compute(0, blocks, yBase + ((long)s * g.OutputLength), buffer);
            }
        }
    }

    /// <summary>Blocks of 8 output channels (the last one partial): the units <see cref="Blocks.Compute"/> splits a layer into.</summary>
    /// <param name="g">The convolution.</param>
    /// <returns>⌈OutChannels / 8⌉.</returns>
    internal static int FilterBlocks(in ConvGeometry g) => (g.OutChannels + Filters - 1) / Filters;

    /// <summary>Floats of scratch one sample's image takes (either layout), at the start of <c>Forward</c>'s scratch.</summary>
    /// <param name="g">The convolution.</param>
    /// <returns>The image length in floats.</returns>
    internal static int ImageLength(in ConvGeometry g) => Math.Max(ColumnShiftedImage.ScratchLength(g), PaddedImage.ScratchLength(g));

    /// <summary>Floats of the buffer a thread computing filter blocks writes its partial tiles to (one per thread).</summary>
    /// <param name="g">The convolution.</param>
    /// <returns>The buffer length in floats.</returns>
    internal static int BufferLength(in ConvGeometry g) => Filters * RoundUp(Math.Max(g.OutPlane, Extended(g)), WidestTile);

    /// <summary>Throws unless <c>Forward</c> can compute <paramref name="n"/> samples of <paramref name="g"/> with operands of these lengths.</summary>
    /// <param name="g">The convolution.</param>
    /// <param name="n">Batch size.</param>
    /// <param name="x">Input floats.</param>
    /// <param name="weight">Weight floats.</param>
    /// <param name="bias">The bias, or empty.</param>
    /// <param name="y">Output floats.</param>
    /// <param name="scratch">Scratch floats.</param>
    /// <param name="path">The instruction set.</param>
    internal static void Check(in ConvGeometry g, int n, int x, int weight, ReadOnlySpan<float> bias, int y, int scratch, CpuPath path)
    {
        if (!Supports(g, path))
        {
            throw new ArgumentException($"Direct convolution needs one group, dilation 1, a kernel of 2 to {MaxKernel} and a vector path; got groups {g.Groups}, dilation {g.Dilation}, kernel {g.Kernel} on {CpuPaths.Resolve(path)}.");
        }
        if (n < 0 || x < (long)n * g.InputLength || y < (long)n * g.OutputLength || weight < g.WeightLength
            || (!bias.IsEmpty && bias.Length < g.OutChannels) || scratch < ScratchLength(g))
        {
            throw new ArgumentException($"Direct convolution of {n} samples: operands or scratch too short.");
        }
    }

    /// <summary>
    /// The layout <c>Forward</c> uses on <paramref name="g"/> by default: <see cref="DirectConvLayout.ShiftedColumns"/>
    /// where a cost model in nanoseconds, fitted to both layouts measured on the four benchmark models' layers (Zen 5,
    /// batch 1), expects it to be faster: 2.35 per 32-position tile row (16 FMAs), 3.5 per 16 floats of the shifted
    /// copies (1.5 where each copy row is one permute of the input row), 1.5 per 16 floats of the padded copy and 0.7 per 8
    /// floats moved out of the padded layout's extended rows; the padded layout's tiles cost 1.5 times as much at stride 2
    /// (they read phase planes).
    /// </summary>
    /// <remarks>
    /// The stride-2 factor was added when both layouts of the models' layers were timed again (thread CPU time, best of 15
    /// rounds, one core): resnet8's 16 → 32 stride 2 on 32×32 took 15.9–16.1 µs shifted against 18.5 µs padded, which the model
    /// had picked. The same timing found bn2conv's 32 → 64 on 14×14 faster shifted on one core (41.7–42.7 against 49.1–49.3 µs)
    /// and simplecnn's 3 → 32 on 32×32 (9.8–10.0 against 11.5–11.6 µs); both stay padded. bn2conv's layer is shared between two
    /// workers at batch 1 (<see cref="Network.SharedConvFilters"/>), and a model that made it shifted (shifted copies of a
    /// same-width input at 2.0 per 16 floats) took its two-worker passes from 74–88 to 84–87 µs (4 alternated pairs, wall
    /// clock) while one worker's went from 82–86 to 80–81 µs of thread CPU time.
    /// </remarks>
    /// <param name="g">The convolution.</param>
    /// <returns>The layout.</returns>
    public static DirectConvLayout LayoutFor(in ConvGeometry g)
    {
        var blocks = (g.OutChannels + Filters - 1) / Filters;
        var rowsOfTiles = (double)blocks * g.PatchLength * 2.35;
        var plane = g.OutPlane;
        var shiftedTiles = (plane / WidestTile) + (plane % WidestTile == 0 ? 0 : plane % WidestTile <= WidestTile / 2 ? 0.5 : 1);
        var sameWidth = g.Stride == 1 && g.OutWidth == g.InWidth;
        var rows = g.OutHeight + ((g.Kernel - 1) / g.Stride);
        var shiftedVectors = sameWidth
            ? g.Kernel * g.InChannels * (((g.InHeight * g.InWidth) + 15) / 16 + (2 * g.Pad))
            : g.Stride * g.Kernel * g.InChannels * rows * ((g.OutWidth + 15) / 16);
        var extended = Extended(g);
        var paddedCopy = (double)g.InChannels * g.Stride * g.Stride * PaddedHeight(g) * PaddedImage.PhaseWidth(g) / 16;
        // Stride 1, output rows of at most 16 values not as wide as the input: filled by one permute and store per copy row
        // (ColumnShiftedImage.FillNarrow), not a masked row copy. LeNet-5's 6 → 16 on 14×14 (420 such rows): 4.25 → 3.6 µs
        // with the shifted layout, against 4.5 µs padded (thread CPU time, medians of 15); costed as the padded copy.
        var narrow = !sameWidth && g.Stride == 1 && g.OutWidth <= 16 && g.OutWidth + g.Kernel - 1 <= 32;
        // At most 6 filters: 64-position tiles of 24 FMAs (Blocks.SixFilterTiles, Vector512), costed pro rata.
        var shiftedTileCost = g.OutChannels <= SixFilters ? plane / (2.0 * WidestTile) * g.PatchLength * 2.35 * 1.5 : shiftedTiles * rowsOfTiles;
        var shiftedCost = shiftedTileCost + ((narrow ? 1.5 : 3.5) * shiftedVectors);
        // Output rows a whole number of vectors wide: row tiles, nothing dropped and nothing copied out.
        var paddedTiles = g.Stride == 2 ? 1.5 * rowsOfTiles : rowsOfTiles;
        var paddedCost = g.OutWidth % (WidestTile / 2) == 0
            ? (plane / (double)WidestTile * paddedTiles) + (1.5 * paddedCopy)
            : ((extended + WidestTile - 1) / WidestTile * paddedTiles) + (1.5 * paddedCopy) + (0.7 * g.OutChannels * extended / 8);
        return shiftedCost < paddedCost ? DirectConvLayout.ShiftedColumns : DirectConvLayout.Padded;
    }

    /// <summary>Positions of the padded layout, <c>(H′ − 1)·Ws + W′</c>.</summary>
    private static int Extended(in ConvGeometry g) => ((g.OutHeight - 1) * PaddedImage.PhaseWidth(g)) + g.OutWidth;

    private static int PaddedHeight(in ConvGeometry g) => (g.InHeight + (2 * g.Pad) + g.Stride - 1) / g.Stride;

    private static int RoundUp(int count, int multiple) => (count + multiple - 1) / multiple * multiple;

    /// <summary>
    /// The image of <c>Forward</c>'s scratch in the layout chosen for the layer, laid out (row offsets written, padding
    /// zeroed) once and filled per sample; <see cref="Fill"/> returns the sample's <see cref="Blocks"/>.
    /// </summary>
    internal readonly unsafe struct SampleImage
    {
        private readonly ColumnShiftedImage _columns;
        private readonly PaddedImage _padded;
        private readonly Blocks _blocks;
        private readonly CpuPath _path;
        private readonly bool _shifted;

        /// <summary>Lays the image of <paramref name="g"/> over <paramref name="work"/> (at least <see cref="ImageLength"/> floats).</summary>
        /// <param name="g">The convolution (checked by the caller: see <see cref="Check"/>).</param>
        /// <param name="work">The image's scratch.</param>
        /// <param name="weight">Weight, [OutChannels, InChannels, Kernel, Kernel].</param>
        /// <param name="bias">Bias, [OutChannels], or null.</param>
        /// <param name="path">Vector512 or Vector256.</param>
        /// <param name="layout">The layout (<see cref="DirectConvLayout.Auto"/>: <see cref="LayoutFor"/>'s).</param>
        internal SampleImage(in ConvGeometry g, float* work, float* weight, float* bias, CpuPath path, DirectConvLayout layout)
        {
            _path = CpuPaths.Resolve(path);
            var tile = _path == CpuPath.Vector512 ? 2 * Vector512<float>.Count : 2 * Vector256<float>.Count;
            _shifted = (layout == DirectConvLayout.Auto ? LayoutFor(g) : layout) == DirectConvLayout.ShiftedColumns;
            if (_shifted)
            {
                _columns = new ColumnShiftedImage(g, work);
                _blocks = new Blocks(g, tile, _columns.Data, _columns.Offsets, g.OutWidth, g.OutPlane, weight, bias);
            }
            else
            {
                _padded = new PaddedImage(g, work);
                _blocks = new Blocks(g, tile, _padded.Data, _padded.Offsets, _padded.Width, Extended(g), weight, bias);
            }
        }

        /// <summary>Copies one sample, [InChannels, InHeight, InWidth], into the image; the blocks then read it (from any thread) until the next fill.</summary>
        /// <param name="x">The sample.</param>
        /// <returns>The sample's filter blocks.</returns>
        internal Blocks Fill(float* x)
        {
            if (_shifted)
            {
                _columns.Fill(x, _path);
            }
            else
            {
                _padded.Fill(x);
            }
            return _blocks;
        }
    }

    /// <summary>
    /// One sample's image (either layout: rows at <c>data + offsets[r]</c>, output row oh at position <c>oh·rowPitch</c>)
    /// and the weights: computes 8 output channels at a time. It only reads the image, so threads with their own
    /// buffers may compute different blocks of one sample at once; each output is summed in the same order whichever
    /// thread computes it and however the blocks are split.
    /// </summary>
    internal readonly unsafe struct Blocks(in ConvGeometry g, int tile, float* data, int* offsets, int rowPitch, int positions, float* weight, float* bias)
    {
        private readonly int _outChannels = g.OutChannels;
        private readonly int _outWidth = g.OutWidth;
        private readonly int _outHeight = g.OutHeight;
        private readonly int _patch = g.PatchLength;
        private readonly int _plane = g.OutPlane;
        private readonly int _pitch = RoundUp(positions, tile);

        /// <summary>Filter blocks <paramref name="firstBlock"/> … firstBlock + count − 1 (output channels 8·firstBlock …) into <paramref name="output"/>.</summary>
        /// <param name="firstBlock">The first block (see <see cref="FilterBlocks"/>).</param>
        /// <param name="count">Blocks; those past the last one are skipped.</param>
        /// <param name="output">The sample's output, [OutChannels, OutHeight, OutWidth].</param>
        /// <param name="buffer">This thread's <see cref="BufferLength"/> floats.</param>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal void Compute(int firstBlock, int count, float* output, float* buffer)
        {
            var end = Math.Min(_outChannels, (firstBlock + count) * Filters);
            for (var first = firstBlock * Filters; first < end; first += Filters)
            {
                ComputeBlock(first, output, buffer, 0, 1);
            }
        }

        /// <summary>
        /// Slice <paramref name="slice"/> of <paramref name="slices"/> of filter block <paramref name="block"/>'s output positions
        /// (runs of whole tiles, or of output rows) into <paramref name="output"/>: the slices of a block together write all of it,
        /// each output summed exactly as <see cref="Compute"/> sums it.
        /// </summary>
        /// <param name="block">The block (see <see cref="FilterBlocks"/>).</param>
        /// <param name="slice">0 ≤ slice &lt; slices.</param>
        /// <param name="slices">Slices per block, at most <see cref="MaxSlices"/>.</param>
        /// <param name="output">The sample's output, [OutChannels, OutHeight, OutWidth].</param>
        /// <param name="buffer">This thread's <see cref="BufferLength"/> floats.</param>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal void ComputeSlice(int block, int slice, int slices, float* output, float* buffer)
        {
            if ((uint)block >= (uint)((_outChannels + Filters - 1) / Filters) || slices < 1 || slices > MaxSlices || (uint)slice >= (uint)slices)
            {
                throw new ArgumentOutOfRangeException(nameof(slice), $"Slice {slice} of {slices} of block {block}: this layer has {(_outChannels + Filters - 1) / Filters} blocks of at most {MaxSlices} slices.");
            }
            ComputeBlock(block * Filters, output, buffer, slice, slices);
        }

        /// <summary>
        /// The most slices a block's positions split into: one per output row (the padded layout's rows of extended positions,
        /// and its row tiles' pairs of row vectors) or per tile (the compact layout).
        /// </summary>
        internal int MaxSlices
        {
            get
            {
                var lanes = tile / 2;
                return rowPitch == _outWidth ? (positions + tile - 1) / tile
                    : _outWidth % lanes == 0 ? (_outHeight * (_outWidth / lanes) + 1) / 2
                    : _outHeight;
            }
        }

        /// <summary>
        /// Output channels <paramref name="first"/> … first + 7 (those that exist), slice <paramref name="slice"/> of
        /// <paramref name="slices"/> of their positions, into <paramref name="output"/>: whole tiles straight into it when the
        /// layout is compact and all eight filters exist, everything else through the buffer.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ComputeBlock(int first, float* output, float* buffer, int slice, int slices)
        {
            var filters = stackalloc float*[Filters];
            var biases = stackalloc float[Filters];
            var real = Math.Min(Filters, _outChannels - first);
            for (var r = 0; r < Filters; r++)
            {
                // Missing filters of the last block repeat the last real one; their outputs are dropped.
                var oc = first + Math.Min(r, real - 1);
                filters[r] = weight + ((long)oc * _patch);
                biases[r] = bias == null ? 0f : bias[oc];
            }
            var compact = rowPitch == _outWidth;
            var wide = tile == 2 * Vector512<float>.Count;
            if (!compact && _outWidth % (tile / 2) == 0)
            {
                RowTiles(first, real, filters, biases, output, buffer, wide, slice, slices);
                return;
            }
            if (compact && wide && _outChannels <= SixFilters && slices == 1)
            {
                SixFilterTiles(real, filters, biases, output, buffer);
                return;
            }
            var direct = compact && real == Filters;
            var whole = positions / tile * tile;
            var tiles = (positions + tile - 1) / tile;
            // Compact: a run of tiles. Padded: the tiles under a run of output rows, so a tile under two slices' rows is
            // computed by both (into each thread's own buffer) and each moves out only its rows.
            int firstRow = 0, endRow = _outHeight, firstTile, endTile;
            if (compact)
            {
                firstTile = tiles * slice / slices;
                endTile = tiles * (slice + 1) / slices;
            }
            else
            {
                firstRow = _outHeight * slice / slices;
                endRow = _outHeight * (slice + 1) / slices;
                firstTile = firstRow * rowPitch / tile;
                endTile = (((endRow - 1) * rowPitch) + _outWidth + tile - 1) / tile;
            }
            var stride = direct ? _plane : _pitch;
            var target = direct ? output + ((long)first * _plane) : buffer;
            var endWhole = Math.Min(endTile * tile, whole);
            var last = whole < positions && endTile == tiles;
            // Compact on Vector512, at most 16 positions past the last whole tile: the slice's last whole tile takes them as a
            // third vector (Tile512x3) instead of leaving them a one-vector tile of its own.
            var stretch = last && compact && wide && positions - whole <= tile / 2 && endWhole - tile >= firstTile * tile;
            if (stretch)
            {
                endWhole -= tile;
            }
            for (var q = firstTile * tile; q < endWhole; q += tile)
            {
                if (wide)
                {
                    Tile512(data + q, 16, offsets, _patch, filters, biases, target + q, stride);
                }
                else
                {
                    Tile256(data + q, 8, offsets, _patch, filters, biases, target + q, stride);
                }
            }
            if (stretch)
            {
                Tile512x3(data + endWhole, offsets, _patch, filters, biases, target + endWhole, stride, positions - whole);
            }
            else if (last)
            {
                Last(wide, positions - whole <= tile / 2, data + whole, filters, biases, buffer + whole);
            }
            if (compact)
            {
                var from = direct ? (last && !stretch ? whole : _plane) : firstTile * tile;
                var to = Math.Min(_plane, endTile * tile);
                for (var r = 0; r < real && from < to; r++)
                {
                    Move(buffer + (r * _pitch) + from, output + ((long)(first + r) * _plane) + from, to - from);
                }
                return;
            }
            for (var r = 0; r < real; r++)
            {
                for (var oh = firstRow; oh < endRow; oh++)
                {
                    Move(buffer + (r * _pitch) + (oh * rowPitch), output + ((long)(first + r) * _plane) + (oh * _outWidth), _outWidth);
                }
            }
        }

        /// <summary>
        /// A layer of at most 6 filters in the compact layout (LeNet-5's 1 → 6 on 28×28): 6 filters × 64 positions per tile
        /// (<see cref="Tile6x4"/>) instead of 8 × 32 with 2 or more filters repeated, so a quarter fewer FMAs and half as many
        /// tiles; the positions past the last whole tile one vector at a time through the buffer. Each output is summed in the same
        /// order as by <see cref="Tile512"/>, so the result is the same bit for bit.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void SixFilterTiles(int real, float** filters, float* biases, float* output, float* buffer)
        {
            const int V = 16;
            var direct = real == SixFilters;
            var target = direct ? output : buffer;
            var stride = direct ? _plane : _pitch;
            var whole = positions / (4 * V) * (4 * V);
            for (var q = 0; q < whole; q += 4 * V)
            {
                Tile6x4(data + q, offsets, _patch, filters, biases, target + q, stride);
            }
            for (var q = whole; q < positions; q += V)
            {
                Tile6x1(data + q, offsets, _patch, filters, biases, buffer + q, _pitch);
            }
            var from = direct ? whole : 0;
            for (var r = 0; r < real && from < _plane; r++)
            {
                Move(buffer + (r * _pitch) + from, output + ((long)r * _plane) + from, _plane - from);
            }
        }

        /// <summary>
        /// The padded layout when the output width is a whole number of vectors: each vector of positions is a run of one
        /// output row (rows Ws apart in the image, W′ in the output), so a tile pairs two such runs and stores them
        /// straight into the output, computing no dropped column and needing no copy-out. A slice is a run of the pairs.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void RowTiles(int first, int real, float** filters, float* biases, float* output, float* buffer, bool wide, int slice, int slices)
        {
            var lanes = tile / 2;
            var direct = real == Filters;
            var stride = direct ? _plane : _pitch;
            var target = direct ? output + ((long)first * _plane) : buffer;
            var perRow = _outWidth / lanes;
            var vectors = _outHeight * perRow;
            var pairs = (vectors + 1) / 2;
            var firstVector = 2 * (pairs * slice / slices);
            var endVector = Math.Min(vectors, 2 * (pairs * (slice + 1) / slices));
            for (var v = firstVector; v < endVector; v += 2)
            {
                var from = ((v / perRow) * rowPitch) + (v % perRow * lanes);
                if (v + 1 == vectors)
                {
                    if (wide)
                    {
                        HalfTile512(data + from, offsets, _patch, filters, biases, target + (v * lanes), stride);
                    }
                    else
                    {
                        HalfTile256(data + from, offsets, _patch, filters, biases, target + (v * lanes), stride);
                    }
                    break;
                }
                var second = (((v + 1) / perRow) * rowPitch) + ((v + 1) % perRow * lanes) - from;
                if (wide)
                {
                    Tile512(data + from, second, offsets, _patch, filters, biases, target + (v * lanes), stride);
                }
                else
                {
                    Tile256(data + from, second, offsets, _patch, filters, biases, target + (v * lanes), stride);
                }
            }
            if (!direct && firstVector < endVector)
            {
                for (var r = 0; r < real; r++)
                {
                    Move(buffer + (r * _pitch) + (firstVector * lanes), output + ((long)(first + r) * _plane) + (firstVector * lanes), (endVector - firstVector) * lanes);
                }
            }
        }

        /// <summary>The positions past the last whole tile, into the buffer: a one-vector tile when they fit in one.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Last(bool wide, bool half, float* source, float** filters, float* biases, float* target)
        {
            if (wide && half)
            {
                HalfTile512(source, offsets, _patch, filters, biases, target, _pitch);
            }
            else if (wide)
            {
                Tile512(source, 16, offsets, _patch, filters, biases, target, _pitch);
            }
            else if (half)
            {
                HalfTile256(source, offsets, _patch, filters, biases, target, _pitch);
            }
            else
            {
                Tile256(source, 8, offsets, _patch, filters, biases, target, _pitch);
            }
        }

        /// <summary>Copies a run of 0–1024 floats: whole 8-float vectors, then one last vector ending at the run's end (a general copy's call costs more on these short runs).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Move(float* from, float* to, int count)
        {
            if (count < Vector256<float>.Count)
            {
                for (var i = 0; i < count; i++)
                {
                    to[i] = from[i];
                }
                return;
            }
            var last = count - Vector256<float>.Count;
            for (var i = 0; i < last; i += Vector256<float>.Count)
            {
                Vector256.Load(from + i).Store(to + i);
            }
            Vector256.Load(from + last).Store(to + last);
        }
    }

    /// <summary>
    /// One 8-filter × 32-position tile summed over every row (c, kh, kw) of the lowered matrix, starting from the
    /// filters' biases; filter r's result goes to <c>target + r·stride</c>. The second 16 positions are read
    /// <paramref name="second"/> floats after the first: 16 when contiguous, further for the next output row of a
    /// padded image.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Tile512(float* x, int second, int* offsets, int rows, float** filters, float* bias, float* target, int stride)
    {
        float* w0 = filters[0], w1 = filters[1], w2 = filters[2], w3 = filters[3], w4 = filters[4], w5 = filters[5], w6 = filters[6], w7 = filters[7];
        Vector512<float> a0 = Vector512.Create(bias[0]), a1 = Vector512.Create(bias[1]), a2 = Vector512.Create(bias[2]), a3 = Vector512.Create(bias[3]), a4 = Vector512.Create(bias[4]), a5 = Vector512.Create(bias[5]), a6 = Vector512.Create(bias[6]), a7 = Vector512.Create(bias[7]);
        Vector512<float> b0 = a0, b1 = a1, b2 = a2, b3 = a3, b4 = a4, b5 = a5, b6 = a6, b7 = a7;
        for (var t = 0; t < rows; t++)
        {
            var p = x + offsets[t];
            var u = Vector512.Load(p);
            var v = Vector512.Load(p + second);
            var f = Vector512.Create(w0[t]); a0 = Vector512.FusedMultiplyAdd(u, f, a0); b0 = Vector512.FusedMultiplyAdd(v, f, b0);
            f = Vector512.Create(w1[t]); a1 = Vector512.FusedMultiplyAdd(u, f, a1); b1 = Vector512.FusedMultiplyAdd(v, f, b1);
            f = Vector512.Create(w2[t]); a2 = Vector512.FusedMultiplyAdd(u, f, a2); b2 = Vector512.FusedMultiplyAdd(v, f, b2);
            f = Vector512.Create(w3[t]); a3 = Vector512.FusedMultiplyAdd(u, f, a3); b3 = Vector512.FusedMultiplyAdd(v, f, b3);
            f = Vector512.Create(w4[t]); a4 = Vector512.FusedMultiplyAdd(u, f, a4); b4 = Vector512.FusedMultiplyAdd(v, f, b4);
            f = Vector512.Create(w5[t]); a5 = Vector512.FusedMultiplyAdd(u, f, a5); b5 = Vector512.FusedMultiplyAdd(v, f, b5);
            f = Vector512.Create(w6[t]); a6 = Vector512.FusedMultiplyAdd(u, f, a6); b6 = Vector512.FusedMultiplyAdd(v, f, b6);
            f = Vector512.Create(w7[t]); a7 = Vector512.FusedMultiplyAdd(u, f, a7); b7 = Vector512.FusedMultiplyAdd(v, f, b7);
        }
        const int V = 16;
        a0.Store(target); b0.Store(target + V); target += stride;
        a1.Store(target); b1.Store(target + V); target += stride;
        a2.Store(target); b2.Store(target + V); target += stride;
        a3.Store(target); b3.Store(target + V); target += stride;
        a4.Store(target); b4.Store(target + V); target += stride;
        a5.Store(target); b5.Store(target + V); target += stride;
        a6.Store(target); b6.Store(target + V); target += stride;
        a7.Store(target); b7.Store(target + V);
    }

    /// <summary>
    /// 6 filters × 64 consecutive positions (24 accumulators) summed over every row of the lowered matrix from the biases,
    /// as <see cref="Tile512"/> sums each output; filter r's result goes to <c>target + r·stride</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Tile6x4(float* x, int* offsets, int rows, float** filters, float* bias, float* target, int stride)
    {
        float* w0 = filters[0], w1 = filters[1], w2 = filters[2], w3 = filters[3], w4 = filters[4], w5 = filters[5];
        Vector512<float> a0 = Vector512.Create(bias[0]), a1 = Vector512.Create(bias[1]), a2 = Vector512.Create(bias[2]), a3 = Vector512.Create(bias[3]), a4 = Vector512.Create(bias[4]), a5 = Vector512.Create(bias[5]);
        Vector512<float> b0 = a0, b1 = a1, b2 = a2, b3 = a3, b4 = a4, b5 = a5;
        Vector512<float> c0 = a0, c1 = a1, c2 = a2, c3 = a3, c4 = a4, c5 = a5;
        Vector512<float> d0 = a0, d1 = a1, d2 = a2, d3 = a3, d4 = a4, d5 = a5;
        for (var t = 0; t < rows; t++)
        {
            var p = x + offsets[t];
            var u = Vector512.Load(p);
            var v = Vector512.Load(p + 16);
            var s = Vector512.Load(p + 32);
            var e = Vector512.Load(p + 48);
            var f = Vector512.Create(w0[t]); a0 = Vector512.FusedMultiplyAdd(u, f, a0); b0 = Vector512.FusedMultiplyAdd(v, f, b0); c0 = Vector512.FusedMultiplyAdd(s, f, c0); d0 = Vector512.FusedMultiplyAdd(e, f, d0);
            f = Vector512.Create(w1[t]); a1 = Vector512.FusedMultiplyAdd(u, f, a1); b1 = Vector512.FusedMultiplyAdd(v, f, b1); c1 = Vector512.FusedMultiplyAdd(s, f, c1); d1 = Vector512.FusedMultiplyAdd(e, f, d1);
            f = Vector512.Create(w2[t]); a2 = Vector512.FusedMultiplyAdd(u, f, a2); b2 = Vector512.FusedMultiplyAdd(v, f, b2); c2 = Vector512.FusedMultiplyAdd(s, f, c2); d2 = Vector512.FusedMultiplyAdd(e, f, d2);
            f = Vector512.Create(w3[t]); a3 = Vector512.FusedMultiplyAdd(u, f, a3); b3 = Vector512.FusedMultiplyAdd(v, f, b3); c3 = Vector512.FusedMultiplyAdd(s, f, c3); d3 = Vector512.FusedMultiplyAdd(e, f, d3);
            f = Vector512.Create(w4[t]); a4 = Vector512.FusedMultiplyAdd(u, f, a4); b4 = Vector512.FusedMultiplyAdd(v, f, b4); c4 = Vector512.FusedMultiplyAdd(s, f, c4); d4 = Vector512.FusedMultiplyAdd(e, f, d4);
            f = Vector512.Create(w5[t]); a5 = Vector512.FusedMultiplyAdd(u, f, a5); b5 = Vector512.FusedMultiplyAdd(v, f, b5); c5 = Vector512.FusedMultiplyAdd(s, f, c5); d5 = Vector512.FusedMultiplyAdd(e, f, d5);
        }
        const int V = 16;
        a0.Store(target); b0.Store(target + V); c0.Store(target + (2 * V)); d0.Store(target + (3 * V)); target += stride;
        a1.Store(target); b1.Store(target + V); c1.Store(target + (2 * V)); d1.Store(target + (3 * V)); target += stride;
        a2.Store(target); b2.Store(target + V); c2.Store(target + (2 * V)); d2.Store(target + (3 * V)); target += stride;
        a3.Store(target); b3.Store(target + V); c3.Store(target + (2 * V)); d3.Store(target + (3 * V)); target += stride;
        a4.Store(target); b4.Store(target + V); c4.Store(target + (2 * V)); d4.Store(target + (3 * V)); target += stride;
        a5.Store(target); b5.Store(target + V); c5.Store(target + (2 * V)); d5.Store(target + (3 * V));
    }

    /// <summary>As <see cref="Tile6x4"/> over 16 positions (those past the last whole tile).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Tile6x1(float* x, int* offsets, int rows, float** filters, float* bias, float* target, int stride)
    {
        float* w0 = filters[0], w1 = filters[1], w2 = filters[2], w3 = filters[3], w4 = filters[4], w5 = filters[5];
        Vector512<float> a0 = Vector512.Create(bias[0]), a1 = Vector512.Create(bias[1]), a2 = Vector512.Create(bias[2]), a3 = Vector512.Create(bias[3]), a4 = Vector512.Create(bias[4]), a5 = Vector512.Create(bias[5]);
        for (var t = 0; t < rows; t++)
        {
            var u = Vector512.Load(x + offsets[t]);
            a0 = Vector512.FusedMultiplyAdd(u, Vector512.Create(w0[t]), a0);
            a1 = Vector512.FusedMultiplyAdd(u, Vector512.Create(w1[t]), a1);
            a2 = Vector512.FusedMultiplyAdd(u, Vector512.Create(w2[t]), a2);
            a3 = Vector512.FusedMultiplyAdd(u, Vector512.Create(w3[t]), a3);
            a4 = Vector512.FusedMultiplyAdd(u, Vector512.Create(w4[t]), a4);
            a5 = Vector512.FusedMultiplyAdd(u, Vector512.Create(w5[t]), a5);
        }
        a0.Store(target); target += stride;
        a1.Store(target); target += stride;
        a2.Store(target); target += stride;
        a3.Store(target); target += stride;
        a4.Store(target); target += stride;
        a5.Store(target);
    }

    /// <summary>As <see cref="Tile512"/> over 16 positions (the last ones of a map).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void HalfTile512(float* x, int* offsets, int rows, float** filters, float* bias, float* target, int stride)
    {
        float* w0 = filters[0], w1 = filters[1], w2 = filters[2], w3 = filters[3], w4 = filters[4], w5 = filters[5], w6 = filters[6], w7 = filters[7];
        Vector512<float> a0 = Vector512.Create(bias[0]), a1 = Vector512.Create(bias[1]), a2 = Vector512.Create(bias[2]), a3 = Vector512.Create(bias[3]), a4 = Vector512.Create(bias[4]), a5 = Vector512.Create(bias[5]), a6 = Vector512.Create(bias[6]), a7 = Vector512.Create(bias[7]);
        for (var t = 0; t < rows; t++)
        {
            var p = x + offsets[t];
            var u = Vector512.Load(p);
            var f = Vector512.Create(w0[t]); a0 = Vector512.FusedMultiplyAdd(u, f, a0);
            f = Vector512.Create(w1[t]); a1 = Vector512.FusedMultiplyAdd(u, f, a1);
            f = Vector512.Create(w2[t]); a2 = Vector512.FusedMultiplyAdd(u, f, a2);
            f = Vector512.Create(w3[t]); a3 = Vector512.FusedMultiplyAdd(u, f, a3);
            f = Vector512.Create(w4[t]); a4 = Vector512.FusedMultiplyAdd(u, f, a4);
            f = Vector512.Create(w5[t]); a5 = Vector512.FusedMultiplyAdd(u, f, a5);
            f = Vector512.Create(w6[t]); a6 = Vector512.FusedMultiplyAdd(u, f, a6);
            f = Vector512.Create(w7[t]); a7 = Vector512.FusedMultiplyAdd(u, f, a7);
        }
        a0.Store(target); target += stride;
        a1.Store(target); target += stride;
        a2.Store(target); target += stride;
        a3.Store(target); target += stride;
        a4.Store(target); target += stride;
        a5.Store(target); target += stride;
        a6.Store(target); target += stride;
        a7.Store(target);
    }

    /// <summary>As <see cref="Tile512"/> with 8-float vectors (an 8 × 16 tile).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Tile256(float* x, int second, int* offsets, int rows, float** filters, float* bias, float* target, int stride)
    {
        float* w0 = filters[0], w1 = filters[1], w2 = filters[2], w3 = filters[3], w4 = filters[4], w5 = filters[5], w6 = filters[6], w7 = filters[7];
        Vector256<float> a0 = Vector256.Create(bias[0]), a1 = Vector256.Create(bias[1]), a2 = Vector256.Create(bias[2]), a3 = Vector256.Create(bias[3]), a4 = Vector256.Create(bias[4]), a5 = Vector256.Create(bias[5]), a6 = Vector256.Create(bias[6]), a7 = Vector256.Create(bias[7]);
        Vector256<float> b0 = a0, b1 = a1, b2 = a2, b3 = a3, b4 = a4, b5 = a5, b6 = a6, b7 = a7;
        for (var t = 0; t < rows; t++)
        {
            var p = x + offsets[t];
            var u = Vector256.Load(p);
            var v = Vector256.Load(p + second);
            var f = Vector256.Create(w0[t]); a0 = Vector256.FusedMultiplyAdd(u, f, a0); b0 = Vector256.FusedMultiplyAdd(v, f, b0);
            f = Vector256.Create(w1[t]); a1 = Vector256.FusedMultiplyAdd(u, f, a1); b1 = Vector256.FusedMultiplyAdd(v, f, b1);
            f = Vector256.Create(w2[t]); a2 = Vector256.FusedMultiplyAdd(u, f, a2); b2 = Vector256.FusedMultiplyAdd(v, f, b2);
            f = Vector256.Create(w3[t]); a3 = Vector256.FusedMultiplyAdd(u, f, a3); b3 = Vector256.FusedMultiplyAdd(v, f, b3);
            f = Vector256.Create(w4[t]); a4 = Vector256.FusedMultiplyAdd(u, f, a4); b4 = Vector256.FusedMultiplyAdd(v, f, b4);
            f = Vector256.Create(w5[t]); a5 = Vector256.FusedMultiplyAdd(u, f, a5); b5 = Vector256.FusedMultiplyAdd(v, f, b5);
            f = Vector256.Create(w6[t]); a6 = Vector256.FusedMultiplyAdd(u, f, a6); b6 = Vector256.FusedMultiplyAdd(v, f, b6);
            f = Vector256.Create(w7[t]); a7 = Vector256.FusedMultiplyAdd(u, f, a7); b7 = Vector256.FusedMultiplyAdd(v, f, b7);
        }
        const int V = 8;
        a0.Store(target); b0.Store(target + V); target += stride;
        a1.Store(target); b1.Store(target + V); target += stride;
        a2.Store(target); b2.Store(target + V); target += stride;
        a3.Store(target); b3.Store(target + V); target += stride;
        a4.Store(target); b4.Store(target + V); target += stride;
        a5.Store(target); b5.Store(target + V); target += stride;
        a6.Store(target); b6.Store(target + V); target += stride;
        a7.Store(target); b7.Store(target + V);
    }

    /// <summary>As <see cref="Tile256"/> over 8 positions (the last ones of a map).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void HalfTile256(float* x, int* offsets, int rows, float** filters, float* bias, float* target, int stride)
    {
        float* w0 = filters[0], w1 = filters[1], w2 = filters[2], w3 = filters[3], w4 = filters[4], w5 = filters[5], w6 = filters[6], w7 = filters[7];
        Vector256<float> a0 = Vector256.Create(bias[0]), a1 = Vector256.Create(bias[1]), a2 = Vector256.Create(bias[2]), a3 = Vector256.Create(bias[3]), a4 = Vector256.Create(bias[4]), a5 = Vector256.Create(bias[5]), a6 = Vector256.Create(bias[6]), a7 = Vector256.Create(bias[7]);
        for (var t = 0; t < rows; t++)
        {
            var p = x + offsets[t];
            var u = Vector256.Load(p);
            var f = Vector256.Create(w0[t]); a0 = Vector256.FusedMultiplyAdd(u, f, a0);
            f = Vector256.Create(w1[t]); a1 = Vector256.FusedMultiplyAdd(u, f, a1);
            f = Vector256.Create(w2[t]); a2 = Vector256.FusedMultiplyAdd(u, f, a2);
            f = Vector256.Create(w3[t]); a3 = Vector256.FusedMultiplyAdd(u, f, a3);
            f = Vector256.Create(w4[t]); a4 = Vector256.FusedMultiplyAdd(u, f, a4);
            f = Vector256.Create(w5[t]); a5 = Vector256.FusedMultiplyAdd(u, f, a5);
            f = Vector256.Create(w6[t]); a6 = Vector256.FusedMultiplyAdd(u, f, a6);
            f = Vector256.Create(w7[t]); a7 = Vector256.FusedMultiplyAdd(u, f, a7);
        }
        a0.Store(target); target += stride;
        a1.Store(target); target += stride;
        a2.Store(target); target += stride;
        a3.Store(target); target += stride;
        a4.Store(target); target += stride;
        a5.Store(target); target += stride;
        a6.Store(target); target += stride;
        a7.Store(target);
    }
}
