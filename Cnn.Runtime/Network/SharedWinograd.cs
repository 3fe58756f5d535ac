using System;
using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

/// <summary>
/// A one-sample inference pass's Winograd convolutions with kept filters (<see cref="OneSampleFilters"/>) shared between the calling
/// thread and worker 1 of the network's pool (<see cref="WorkerPool.Share"/>), split one of two ways. Every output is the one the
/// unshared pass gives, bit for bit, so results do not depend on the worker count or the split. One instance per network
/// (<see cref="SharedInference"/>, or <see cref="NetworkContext.KeptWinograd"/> without an owner in a network of one worker, which
/// runs every block alone): a pass allocates nothing.
/// <list type="bullet">
/// <item><description>By blocks of 16 output channels (<see cref="ForwardBlocks"/>, <see cref="Winograd.ChannelBlocks"/>, or
/// <see cref="WinogradF4.Blocks"/> on the maps <see cref="TakesF4"/> names): each thread
/// transforms the whole sample into its own scratch on the first block it claims, then computes its blocks' products and output
/// transform, and each block's epilogue (<see cref="BlockEpilogue.Apply"/>). Runs every block on the calling thread when the pass
/// does not share its convolutions (<see cref="SharedInference.SharesConvolutions"/>).</description></item>
/// <item><description>By halves of the output's tile rows (<see cref="ForwardRows"/>, <see cref="Winograd.TileRows"/>), on maps of 16
/// rows or more: the caller computes the top half, worker 1 the bottom one (<see cref="RowHalves"/>), each copying only the image
/// rows its tiles read, then mapping its rows through the BatchNorm (<see cref="BlockEpilogue.ApplyRows"/>). By channel blocks each
/// thread reads the whole input and the next layer reads both threads' outputs, and on this VM a line the other core wrote costs
/// about 12 ns (<see cref="SharedConvFilters.MinimumMultiplyAddsPerInput"/>); by rows only the row next to the split crosses, and
/// the next such layer and the residual join after them (<see cref="SharedJoinRows"/>) find each half on the core that wrote
/// it.</description></item>
/// </list>
/// </summary>
/// <remarks>
/// The row split, measured on resnet8's batch-1 pass (its three 3×3 layers that take kept filters, and the join after the first
/// two): 18 of the benchmark's batch-1 repetitions each way, in six alternated pairs of processes, took 98.5–155.0 µs (median
/// 125.1) against 119.1–168.5 µs (median 130.4) before; 6 of the 18 ran under 110 µs, none before. The gain comes in some
/// processes only: in the others both ways took 116–169 µs. Its strided direct layers split the same way (each thread convolving
/// its own input rows) ran no faster: a half recomputed a dropped row (one row in five of the bottom half on 8×8 outputs) and worker 1 took 1–2.5 µs
/// to start each layer.
/// </remarks>
internal sealed unsafe class SharedWinograd(NetworkContext context, SharedInference? owner) : IPartedWork
{
    /// <summary>Floats between the two threads' scratch: a cache line, so their last and first writes do not share one.</summary>
    private const int BufferGap = 16;

    /// <summary>Parts of a layer split by rows: its top and bottom halves.</summary>
    private const int Halves = 2;

    /// <summary>Output rows from which a layer may be split by rows: 16, so each half has 8 or more (resnet8's 32×32 and 16×16 maps).</summary>
    private const int MinimumRows = 16;

    private Winograd.ChannelBlocks _blocks;
    private WinogradF4.Blocks _f4Blocks;
    private Winograd.TileRows _tiles;
    private Split _split;
    private BlockEpilogue _epilogue;
    private RowHalves _halves;
    private ConvGeometry _g;
    private int _y;
    private float* _input;
    private float* _filters;
    private float* _bias;
    private float* _output;
    private float* _callerScratch;
    private float* _helperScratch;
    private bool _callerFilled;
    private bool _helperFilled;

    /// <summary>
    /// Whether one-sample inference shares <paramref name="g"/>'s kept-filter Winograd pass by channel blocks: the size from which
    /// <see cref="SharedConvFilters"/> shares a direct convolution (<see cref="SharedConvFilters.MinimumMultiplyAdds"/> in all and
    /// <see cref="SharedConvFilters.MinimumMultiplyAddsPerInput"/> per input value), and two blocks of 16 output channels or more.
    /// </summary>
    /// <param name="g">A convolution <see cref="Conv2d.OneSampleTakesWinograd"/> names.</param>
    /// <returns>True to share it.</returns>
    internal static bool SharesBlocks(in ConvGeometry g) =>
        g.MultiplyAdds >= SharedConvFilters.MinimumMultiplyAdds && g.MultiplyAdds >= (long)SharedConvFilters.MinimumMultiplyAddsPerInput * g.InputLength
        && new Winograd.ChannelBlocks(g).Count > 1;

    /// <summary>
    /// Whether one-sample inference computes <paramref name="g"/>'s kept-filter Winograd pass by F(4×4, 3×3)
    /// (<see cref="WinogradF4"/>), with one worker or two: maps its one vector of 4×4 tiles covers, except where a pass that shares
    /// would split the layer by rows (<paramref name="rowSite"/>: under a BatchNorm, <see cref="SplitsRows"/>), so that the result
    /// does not depend on the worker count or on whether a pass shares. Every block on one thread, medians of 31 alternated rounds
    /// in one process, the transform and the blocks: bn2conv's 32 → 64 on 14×14 3.5 + 15.2 µs against F(2×2, 3×3)'s 2.7 + 24.2,
    /// simplecnn's on 16×16 3.7 + 15.6 against 3.2 + 24.8, 32 → 32 on 16×16 3.8 + 8.6 against 3.2 + 12.0.
    /// </summary>
    /// <param name="g">A convolution <see cref="Conv2d.OneSampleTakesWinograd"/> names.</param>
    /// <param name="rowSite">Whether the layer's call splits it by rows when its pass shares (<see cref="ForwardRows"/>).</param>
    /// <returns>True to take F(4×4, 3×3).</returns>
    internal static bool TakesF4(in ConvGeometry g, bool rowSite) => WinogradF4.Supports(in g) && !(rowSite && SplitsRows(in g));

    /// <summary>Whether one-sample inference may split <paramref name="g"/>'s kept-filter Winograd pass by halves of its rows.</summary>
    /// <param name="g">A convolution <see cref="Conv2d.OneSampleTakesWinograd"/> names.</param>
    /// <returns>True for maps of at least 16 rows.</returns>
    internal static bool SplitsRows(in ConvGeometry g) => g.OutHeight >= MinimumRows;

    /// <summary>
    /// Scratch a layer computed by channel blocks needs: one <see cref="Winograd.ChannelBlocks.ScratchLength"/>, or
    /// <see cref="WinogradF4.Blocks.ScratchLength"/> where that kernel may take it and is larger, for each thread.
    /// </summary>
    /// <param name="g">The convolution.</param>
    /// <returns>Floats.</returns>
    internal static int BlocksScratchLength(in ConvGeometry g) =>
        ScratchLength(Math.Max(new Winograd.ChannelBlocks(g).ScratchLength, WinogradF4.Supports(in g) ? new WinogradF4.Blocks(g).ScratchLength : 0));

    /// <summary>Scratch a layer split by rows needs: one <see cref="Winograd.TileRows.ScratchLength"/> for each thread.</summary>
    /// <param name="g">The convolution.</param>
    /// <returns>Floats.</returns>
    internal static int RowsScratchLength(in ConvGeometry g) => ScratchLength(new Winograd.TileRows(g).ScratchLength);

    /// <summary>Both threads' parts and the gap between them.</summary>
    private static int ScratchLength(int threadScratch) => (2 * threadScratch) + BufferGap;

    /// <summary>
    /// Computes one sample's <c>y = conv(x, W) + bias</c> from its kept filters by channel blocks, by F(4×4, 3×3) when
    /// <paramref name="f4"/> (<see cref="TakesF4"/>) and F(2×2, 3×3) otherwise, on this thread and worker 1 when the layer <see cref="SharesBlocks"/>
    /// and the pass shares its convolutions, else on this thread alone; each block of channels followed by
    /// <paramref name="epilogue"/> on its thread.
    /// </summary>
    /// <param name="g">The convolution (see <see cref="SharesBlocks"/> and <see cref="TakesF4"/>).</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="filters">The weights' transform (<see cref="OneSampleFilters.For"/>, in the form of the kernel taken).</param>
    /// <param name="bias">Bias offset, or -1.</param>
    /// <param name="epilogue">What each block's channels go through next.</param>
    /// <param name="f4">Whether to take F(4×4, 3×3) (<paramref name="filters"/> in its form).</param>
    internal void ForwardBlocks(in ConvGeometry g, int x, int y, ReadOnlySpan<float> filters, int bias, in BlockEpilogue epilogue, bool f4)
    {
        // A BatchNorm map, 2×2 pooling and ReLU after F(4×4) run in its output transform (the ReLU between map and pooling would not).
        _split = !f4 ? Split.Blocks : epilogue.Pools && !epilogue.Relu && WinogradF4.Pools(in g, epilogue.Pool) ? Split.F4PooledBlocks : Split.F4Blocks;
        _callerFilled = _helperFilled = false;
        var share = owner is not null && SharesBlocks(in g) && owner.SharesConvolutions();
        if (f4)
        {
            // A pooled split has parts of one block: Pools is false on the maps whose parts are pairs (WinogradF4.HasFewTiles).
            _f4Blocks = new WinogradF4.Blocks(g);
            Run(in g, x, y, filters, bias, epilogue, _f4Blocks.ScratchLength, _f4Blocks.FilterLength, _f4Blocks.Parts, share);
            return;
        }
        _blocks = new Winograd.ChannelBlocks(g);
        Run(in g, x, y, filters, bias, epilogue, _blocks.ScratchLength, _blocks.FilterLength, _blocks.Count, share);
    }

    /// <summary>Computes one sample's convolution by halves of its rows on this thread and worker 1, each half followed by <paramref name="epilogue"/>.</summary>
    /// <param name="g">The convolution (see <see cref="SplitsRows"/>), in a pass that shares its convolutions (so this job has an owner).</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="filters">The weights' transform (<see cref="OneSampleFilters.For"/>).</param>
    /// <param name="bias">Bias offset, or -1.</param>
    /// <param name="epilogue">What follows on each half's rows: a BatchNorm map, or nothing.</param>
    internal void ForwardRows(in ConvGeometry g, int x, int y, ReadOnlySpan<float> filters, int bias, in BlockEpilogue epilogue)
    {
        _tiles = new Winograd.TileRows(g);
        _split = Split.Rows;
        _halves = default;
        Run(in g, x, y, filters, bias, epilogue, _tiles.ScratchLength, _tiles.FilterLength, Halves, share: true);
    }

    private void Run(in ConvGeometry g, int x, int y, ReadOnlySpan<float> filters, int bias, in BlockEpilogue epilogue, int threadScratch, int filterLength,
        int parts, bool share)
    {
        var input = context.Activation(x, g.InputLength);
        var output = context.Activation(y, g.OutputLength);
        var biases = bias < 0 ? ReadOnlySpan<float>.Empty : context.Parameter(bias, g.OutChannels);
        var scratch = context.Scratch;
        var needed = ScratchLength(threadScratch);
        if (scratch.Length < needed || filters.Length < filterLength)
        {
            throw new ArgumentException($"A shared Winograd convolution needs {needed} floats of scratch and {filterLength} of transformed filters, got {scratch.Length} and {filters.Length}.");
        }
        // Pinned until Share returns, which it does only once every part has finished: the parts' pointers stay valid.
        fixed (float* xBase = input, yBase = output, u = filters, biasBase = biases, work = scratch)
        {
            _epilogue = epilogue;
            _g = g;
            _y = y;
            _input = xBase;
            _filters = u;
            _bias = bias < 0 ? null : biasBase;
            _output = yBase;
            _callerScratch = work;
            _helperScratch = work + threadScratch + BufferGap;
            try
            {
                if (share)
                {
                    owner!.Run(this, parts);
                }
                else
                {
                    for (var part = 0; part < parts; part++)
                    {
                        RunPart(part, 0);
                    }
                }
            }
            finally
            {
                _input = _filters = _bias = _output = _callerScratch = _helperScratch = null;
            }
        }
    }

    /// <summary>
    /// A block of output channels by F(4×4) with its epilogue in the output transform (<see cref="WinogradF4.Blocks.ComputePooled"/>):
    /// the BatchNorm's map of the block's channels, if any, as <see cref="BlockEpilogue.Apply"/> computes it, and the pooled values
    /// only, the convolution's and the BatchNorm's outputs left unwritten (nothing in an inference pass reads them).
    /// </summary>
    private void PooledF4Part(int part, float* work)
    {
        var first = WinogradF4.BlockChannels * part;
        var count = Math.Min(WinogradF4.BlockChannels, _g.OutChannels - first);
        var scale = stackalloc float[WinogradF4.BlockChannels];
        var shift = stackalloc float[WinogradF4.BlockChannels];
        if (_epilogue.Maps)
        {
            var map = context.InferenceMap(_g.OutChannels, _epilogue.Gamma, _epilogue.Beta, _epilogue.RunningMean, _epilogue.RunningVar, _epilogue.Eps);
            for (var c = 0; c < count; c++)
            {
                (scale[c], shift[c]) = map.Of(first + c);
            }
        }
        fixed (float* pooled = context.Activation(_epilogue.Pooled, _epilogue.Pool.OutputLength))
        {
            _f4Blocks.ComputePooled(part, 1, _filters, _bias, _epilogue.Maps ? scale : null, shift, pooled, work);
        }
    }

    /// <summary>
    /// Runs a part on either thread, in that thread's scratch: a block of channels (transforming the sample first if this thread has
    /// not), or a half of the tile rows (the caller's own, or the other when the caller claims both: <see cref="RowHalves"/>); then
    /// the epilogue on what it computed.
    /// </summary>
    /// <param name="part">The block, or the part claimed (either claim computes one half).</param>
    /// <param name="worker">0 for the caller, 1 for worker 1.</param>
    public void RunPart(int part, int worker)
    {
        var work = worker == 0 ? _callerScratch : _helperScratch;
        if (_split == Split.Rows)
        {
            var half = _halves.Take(worker);
            var first = _tiles.FirstTileRow(half, Halves);
            var end = _tiles.FirstTileRow(half + 1, Halves);
            _tiles.Compute(first, end, _input, _filters, _bias, _output, work);
            _epilogue.ApplyRows(context, in _g, _y, Math.Min(_g.OutHeight, 2 * first), Math.Min(_g.OutHeight, 2 * end));
            return;
        }
        ref var filled = ref worker == 0 ? ref _callerFilled : ref _helperFilled;
        if (!filled)
        {
            if (_split == Split.Blocks)
            {
                _blocks.Transform(_input, work);
            }
            else
            {
                _f4Blocks.Transform(_input, work);
            }
            filled = true;
        }
        switch (_split)
        {
            case Split.F4PooledBlocks:
                PooledF4Part(part, work);
                return;
            case Split.F4Blocks:
                _f4Blocks.Compute(part * _f4Blocks.PartBlocks, _f4Blocks.PartBlocks, _filters, _bias, _output, work);
                break;
            default:
                _blocks.Compute(part, 1, _filters, _bias, _output, work);
                break;
        }
        if (_epilogue.Maps || _epilogue.Pools)
        {
            var channels = _split == Split.F4Blocks ? WinogradF4.BlockChannels * _f4Blocks.PartBlocks : 16;
            var first = channels * part;
            _epilogue.Apply(context, in _g, _y, first, Math.Min(channels, _g.OutChannels - first));
        }
    }

    /// <summary>How the current layer is split into parts.</summary>
    private enum Split
    {
        /// <summary>Blocks of 16 output channels by F(2×2, 3×3) (<see cref="Winograd.ChannelBlocks"/>), each followed by the epilogue.</summary>
        Blocks,

        /// <summary>
        /// Parts of <see cref="WinogradF4.Blocks.PartBlocks"/> blocks of 16 output channels by F(4×4, 3×3) (<see cref="WinogradF4.Blocks.Compute"/>),
        /// each followed by the epilogue.
        /// </summary>
        F4Blocks,

        /// <summary>Blocks by F(4×4, 3×3) with the epilogue in the output transform (<see cref="PooledF4Part"/>).</summary>
        F4PooledBlocks,

        /// <summary>Halves of the tile rows by F(2×2, 3×3) (<see cref="Winograd.TileRows"/>).</summary>
        Rows,
    }
}
