using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// A convolution's weight gradient with output positions in the vector lanes (AVX-512):
/// <c>dW[f, c, i, j] (+)= Σ_samples Σ_(oh, ow) dy[f, oh, ow] · xpad[c, oh·s + i·d, ow·s + j·d]</c>, where each accumulator
/// holds 16 positions' partial sums of one (filter, tap) pair and its lanes are added once, at the end of the call.
/// The filters-in-lanes kernel of <see cref="Conv2d"/> does one FMA per broadcast value, so with 16 filters it is
/// bound by its loads; here a tile of 4 filters × 6 taps takes 4 loads of dy and 6 unaligned loads of the image per
/// 24 FMAs, whatever the number of filters (6 × 4 where that wastes fewer FMAs on the last tiles: 6 filters, 25 taps).
/// </summary>
/// <remarks>
/// <para>The image is <see cref="PaddedImage"/>'s zero-padded copy of a sample split by stride phase, so tap (c, i, j)
/// at output (oh, ow) is <c>Data[Offsets[(c·k + i)·k + j] + oh·Ws + ow]</c>: contiguous in ow at any stride (stride 2
/// reads the phase planes) and needing no bounds checks. Positions are swept either output row by output row, each
/// row rounded up to whole vectors (no waste when W′ is a multiple of 16), or as one run over <c>q = oh·Ws + ow</c>
/// (the padding columns computed too), whichever computes fewer lanes. Where the sweep has padding lanes, dy is copied
/// once per sample into zero-padded, 64-byte aligned rows laid out the same way, so the extra lanes add nothing (they
/// multiply finite image values by zero; an infinite or NaN input, which makes the step non-finite anyway, may reach
/// more entries of dW than it would otherwise). Where it has none (rows of whole vectors, or one run over rows without
/// padding columns), the tiles read dy in place when it is 64-byte aligned or the patch is short: one thread, batch 32,
/// alternated, dy misaligned by 16 bytes against the copy, ResNet-8's stem 250–258 → 207–217 µs, its 1×1 stride-2 16→32
/// shortcut 154–214 → 127–147 µs; 16→16 on 32×32 (144-row patch, the copy a smaller share) even misaligned and
/// 2–5 % faster aligned.</para>
/// <para>Loop order: the samples go in chunks whose images (and dy) fit in L2 together (<see cref="ChunkFloats"/>);
/// per chunk, each tile sweeps every position of every sample of the chunk with its accumulators in registers,
/// the 4 filters' dy rows staying in L1 while the tiles of taps pass over them. Between chunks the accumulators
/// wait in scratch as vectors. Groups are done one after the other, each with its own images and sums. The last
/// tiles of filters and taps are completed by rereading their first row, and those sums are dropped.</para>
/// </remarks>
[SkipLocalsInit]
public static unsafe partial class PositionLaneWeightGradient
{
    private const int Lanes = 16;
    /// <summary>Accumulators of both tile shapes (4 filters × 6 taps, 6 × 4).</summary>
    private const int TileSums = 24;

    /// <summary>Most filters of a tile shape.</summary>
    private const int MaxTileFilters = 6;

    /// <summary>Most taps of a tile shape.</summary>
    private const int MaxTileTaps = 6;

    /// <summary>
    /// Floats of images and dy copies one chunk of samples may take: 128 KB, one sample of ResNet-8's 16→16, eight of
    /// LeNet's 6→16. Measured (batch 32): 32 and 64 KB no faster, 384 KB to 768 KB up to a quarter slower (the tiles'
    /// rows fall out of L1 and L2).
    /// </summary>
    private const int ChunkFloats = 32 * 1024;

    /// <summary>Patches shorter than this read dy in place even when it is not 64-byte aligned (<see cref="Plan.ReadsDyInPlace"/>).</summary>
    private const int ShortPatch = 64;

    /// <summary>Most samples per chunk (a bound on the images' stack array; small maps reach it).</summary>
    private const int MaxChunk = 16;

    /// <summary>Whether <paramref name="path"/> runs this kernel: Vector512 on a processor that accelerates it. Any geometry.</summary>
    /// <param name="path">The instruction set.</param>
    /// <returns>True when <see cref="BackwardWeights"/> accepts the path.</returns>
    public static bool Supports(CpuPath path = CpuPath.Auto) => CpuPaths.Resolve(path) == CpuPath.Vector512 && Vector512.IsHardwareAccelerated;

    /// <summary>Floats of scratch <see cref="BackwardWeights"/> needs for <paramref name="g"/> (any batch size: the chunk size depends on the geometry only).</summary>
    /// <param name="g">The convolution.</param>
    /// <returns>The scratch length in floats.</returns>
    public static int ScratchLength(in ConvGeometry g)
    {
        var plan = new Plan(g);
        return Lanes + (plan.Chunk * plan.SampleFloats) + (plan.Tiles * TileSums * Lanes);
    }

    /// <summary><c>dW (+)= Σₙ dy ⋆ x</c>, as <see cref="Conv2d.BackwardWeights"/> computes it (without the bias gradient).</summary>
    /// <param name="g">The convolution.</param>
    /// <param name="n">Batch size.</param>
    /// <param name="x">Input, [n, InChannels, InHeight, InWidth].</param>
    /// <param name="dy">Output gradient, [n, OutChannels, OutHeight, OutWidth].</param>
    /// <param name="dWeight">Weight gradient, [OutChannels, InChannels/Groups, Kernel, Kernel].</param>
    /// <param name="accumulate">Add into dWeight rather than overwrite it.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats.</param>
    /// <param name="path">Vector512 (see <see cref="Supports"/>).</param>
    public static void BackwardWeights(in ConvGeometry g, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dWeight, bool accumulate, Span<float> scratch, CpuPath path = CpuPath.Auto)
    {
        if (!Supports(path))
        {
            throw new ArgumentException($"The position-lane weight gradient needs the Vector512 path; got {CpuPaths.Resolve(path)}.");
        }
        if (n < 0 || x.Length < (long)n * g.InputLength || dy.Length < (long)n * g.OutputLength || dWeight.Length < g.WeightLength || scratch.Length < ScratchLength(g))
        {
            throw new ArgumentException($"Weight gradient of {n} samples: operands or scratch too short (scratch {scratch.Length}, needs {ScratchLength(g)}).");
        }
        fixed (float* xBase = x, dyBase = dy, dwBase = dWeight, work = scratch)
        {
            Run(g, n, xBase, dyBase, dwBase, accumulate, work);
        }
    }

    /// <summary>Share of the lanes this kernel computes that are real output positions (1 when W′ is a multiple of 16).</summary>
    internal static double LaneShare(in ConvGeometry g)
    {
        var plan = new Plan(g);
        return (double)g.OutHeight * g.OutWidth / (plan.Rows * plan.Width);
    }

    /// <summary>The weight gradient over every group; <paramref name="work"/> holds <see cref="ScratchLength"/> floats.</summary>
    internal static void Run(in ConvGeometry g, int n, float* x, float* dy, float* dWeight, bool accumulate, float* work)
    {
        var plan = new Plan(g);
        int icg = g.GroupInChannels, ocg = g.GroupOutChannels, patch = g.PatchLength;
        work = (float*)(((nint)work + 63) & ~(nint)63);
        // Per sample of a chunk: its image, then its copy of dy, whose padding lanes are zeroed here and never written again.
        var images = stackalloc PaddedImage[plan.Chunk];
        for (var i = 0; i < plan.Chunk; i++)
        {
            images[i] = new PaddedImage(g, work + ((long)i * plan.SampleFloats));
            new Span<float>(work + ((long)i * plan.SampleFloats) + plan.ImageFloats, ocg * plan.DyPlane).Clear();
        }
        var dyCopy = work + plan.ImageFloats;
        var sums = (Vector512<float>*)(work + ((long)plan.Chunk * plan.SampleFloats));
        var dyRows = stackalloc float*[MaxTileFilters];
        var xRows = stackalloc float*[MaxTileTaps];
        int tileFilters = plan.TileFilters, tileTaps = plan.TileTaps;
        var image = images[0];
        var inPlace = plan.ReadsDyInPlace(g, dy);
        for (var group = 0; group < g.Groups; group++)
        {
            new Span<float>(sums, plan.Tiles * TileSums * Lanes).Clear();
            for (var first = 0; first < n; first += plan.Chunk)
            {
                var count = Math.Min(plan.Chunk, n - first);
                for (var i = 0; i < count; i++)
                {
                    var sample = first + i;
                    var input = x + ((long)sample * g.InputLength) + (group * icg * g.InPlane);
                    images[i].Fill(input);
                    if (!inPlace)
                    {
                        plan.CopyDy(g, dy + ((long)sample * g.OutputLength) + (group * ocg * g.OutPlane), dyCopy + ((long)i * plan.SampleFloats));
                    }
                }
                // Filter f's dy plane of the chunk's first sample: in dy itself, or in its copy.
                var dyPlanes = inPlace ? dy + ((long)first * g.OutputLength) + (group * ocg * g.OutPlane) : dyCopy;
                var sweep = inPlace ? plan.Sweep(count, g.OutputLength) : plan.Sweep(count, plan.SampleFloats);
                // The next chunk's inputs and dy, a few lines after each tile of this one's.
                var next = Math.Min(plan.Chunk, n - first - count);
                var prefetch = next > 0 && g.Groups == 1
                    ? new SamplePrefetch(x + ((long)(first + count) * g.InputLength), (long)next * g.InputLength, dy + ((long)(first + count) * g.OutputLength),
                        (long)next * g.OutputLength, plan.FilterTiles * plan.TapTiles)
                    : default;
                for (var ft = 0; ft < plan.FilterTiles; ft++)
                {
                    for (var f = 0; f < tileFilters; f++)
                    {
                        // Filters past the last read the tile's first again; their sums are never stored.
                        var filter = (ft * tileFilters) + f;
                        dyRows[f] = dyPlanes + ((long)(filter < ocg ? filter : ft * tileFilters) * plan.DyPlane);
                    }
                    for (var tt = 0; tt < plan.TapTiles; tt++)
                    {
                        for (var t = 0; t < tileTaps; t++)
                        {
                            var tap = (tt * tileTaps) + t;
                            xRows[t] = image.Data + image.Offsets[tap < patch ? tap : tt * tileTaps];
                        }
                        var tileSums = sums + (((ft * plan.TapTiles) + tt) * TileSums);
                        if (tileTaps == 6)
                        {
                            Tile4x6(sweep, dyRows, xRows, tileSums);
                        }
                        else
                        {
                            Tile6x4(sweep, dyRows, xRows, tileSums);
                        }
                        prefetch.Step();
                    }
                }
            }
            Store(plan, ocg, patch, sums, dWeight + (group * ocg * patch), accumulate);
        }
    }

    /// <summary>
    /// What a tile sweeps: <see cref="Samples"/> samples of <see cref="Rows"/> runs of <see cref="Width"/> positions
    /// (whole vectors), contiguous in dy's copy; in the image each run starts <see cref="XPitch"/> floats after the last.
    /// From its last run's start, each sample's next run is <see cref="DySkip"/> and <see cref="XSkip"/> floats further.
    /// </summary>
    private readonly record struct Sweep(int Samples, int Rows, int Width, int XPitch, int DySkip, int XSkip);

    /// <summary>How one geometry's positions are swept and its scratch laid out.</summary>
    private readonly struct Plan
    {
        internal Plan(in ConvGeometry g)
        {
            var imageWidth = PaddedImage.PhaseWidth(g);
            var rowLanes = RoundUp(g.OutWidth, Lanes);
            var flatLanes = RoundUp(g.OutHeight * imageWidth, Lanes);
            var byRow = g.OutHeight * rowLanes <= flatLanes;
            Rows = byRow ? g.OutHeight : 1;
            Width = byRow ? rowLanes : flatLanes;
            XPitch = byRow ? imageWidth : 0;
            CopyPitch = byRow ? rowLanes : imageWidth;
            DyPlane = Rows * Width;
            ImageFloats = RoundUp(PaddedImage.ScratchLength(g), Lanes);
            SampleFloats = ImageFloats + (g.GroupOutChannels * DyPlane);
            Chunk = Math.Clamp(ChunkFloats / SampleFloats, 1, MaxChunk);
            // 6 filters × 4 taps where it computes fewer FMAs than 4 × 6 (LeNet's 1→6: 168 pairs for 150 against 240;
            // 1.2–1.35× faster). 8 × 3 (the 27 taps of a 3-channel 3×3 kernel without waste) measured 0.85× on
            // ResNet-8's stem and even on bn2conv's 1→32, its 11 loads per 24 FMAs costing what it saved.
            TileTaps = Computed(g, 6, 4) < Computed(g, 4, 6) ? 4 : 6;
            TileFilters = TileSums / TileTaps;
            FilterTiles = (g.GroupOutChannels + TileFilters - 1) / TileFilters;
            TapTiles = (g.PatchLength + TileTaps - 1) / TileTaps;
        }

        /// <summary>Runs per sample: the output rows, or one run over oh·Ws + ow.</summary>
        internal int Rows { get; }

        /// <summary>Lanes per run, a multiple of 16.</summary>
        internal int Width { get; }

        /// <summary>Image floats from one run to the next.</summary>
        internal int XPitch { get; }

        /// <summary>Floats from one output row to the next in dy's copy.</summary>
        internal int CopyPitch { get; }

        /// <summary>Floats per filter in dy's copy.</summary>
        internal int DyPlane { get; }

        /// <summary>Floats of one sample's image (offsets and slack included), rounded to whole vectors.</summary>
        internal int ImageFloats { get; }

        /// <summary>Scratch floats per sample of a chunk: its image, then its copy of dy.</summary>
        internal int SampleFloats { get; }

        /// <summary>Samples filled at once.</summary>
        internal int Chunk { get; }

        /// <summary>Filters per tile: 4 or 6.</summary>
        internal int TileFilters { get; }

        /// <summary>Taps per tile: 6 or 4.</summary>
        internal int TileTaps { get; }

        internal int FilterTiles { get; }

        internal int TapTiles { get; }

        internal int Tiles => FilterTiles * TapTiles;

        /// <summary>The sweep of <paramref name="samples"/> samples of the chunk, whose dy planes start <paramref name="dyPitch"/> floats apart.</summary>
        internal Sweep Sweep(int samples, int dyPitch) => new(samples, Rows, Width, XPitch, dyPitch - DyPlane, SampleFloats - (Rows * XPitch));

        /// <summary>
        /// Whether the tiles read dy where it lies: its own rows already are the copy's layout (output rows of whole
        /// vectors, or one run with no padding columns and a whole number of vectors), and either every sample's planes
        /// start on a cache line or the patch is short (under <see cref="ShortPatch"/> rows), so the copy would be a large
        /// share of the work. Long patches read misaligned ran even with the copy (ResNet-8's 16→16).
        /// </summary>
        internal bool ReadsDyInPlace(in ConvGeometry g, float* dy) =>
            CopyPitch == g.OutWidth && DyPlane == g.OutPlane
            && (g.PatchLength < ShortPatch || (((nint)dy & 63) == 0 && g.OutputLength % Lanes == 0 && g.GroupOutChannels * g.OutPlane % Lanes == 0));

        /// <summary>Copies one sample's dy rows of the group, [ocg, H′, W′], into their zero-padded places.</summary>
        internal void CopyDy(in ConvGeometry g, float* source, float* target)
        {
            int width = g.OutWidth, height = g.OutHeight;
            var tail = RowCopy.TailMask(width);
            for (var f = 0; f < g.GroupOutChannels; f++)
            {
                var to = target + ((long)f * DyPlane);
                for (var oh = 0; oh < height; oh++, source += width, to += CopyPitch)
                {
                    RowCopy.Copy(source, to, width, tail);
                }
            }
        }

        private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

        /// <summary>Filter-tap pairs computed by tiles of <paramref name="filters"/> × <paramref name="taps"/>, the last ones partly wasted.</summary>
        private static int Computed(in ConvGeometry g, int filters, int taps) => RoundUp(g.GroupOutChannels, filters) * RoundUp(g.PatchLength, taps);
    }
}
