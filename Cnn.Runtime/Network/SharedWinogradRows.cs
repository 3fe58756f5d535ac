using System;
using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

/// <summary>
/// A one-sample inference pass's Winograd convolutions with kept filters (<see cref="OneSampleFilters"/>) on large maps, split between
/// the calling thread and worker 1 by halves of the output's tile rows (<see cref="Winograd.TileRows"/>): the caller computes the top
/// half, worker 1 the bottom one (<see cref="RowHalves"/>), each with its BatchNorm map (<see cref="BlockEpilogue.ApplyRows"/>).
/// Split by output channels (<see cref="SharedWinogradBlocks"/>) each thread reads the whole input and the next layer reads both
/// threads' outputs, and on this VM a line the other core wrote costs about 12 ns (<see cref="SharedConvFilters.MinimumMultiplyAddsPerInput"/>):
/// resnet8's 16 → 16 layers on 32×32 were not worth sharing that way. Split by rows, each thread copies only the image rows its
/// tiles read (its half and the row next to it) and writes only its half, and the next such layer and the residual join after them
/// (<see cref="SharedJoinRows"/>) find each half on the core that wrote it. Every output is the one the whole layer gives, bit for bit.
/// One instance per network (<see cref="SharedInference"/>): a pass allocates nothing.
/// </summary>
/// <remarks>
/// Measured on resnet8's batch-1 pass (its three 3×3 layers that take kept filters, and the join after the first two): 18 of the
/// benchmark's batch-1 repetitions each way, in six alternated pairs of processes, took 98.5–155.0 µs (median 125.1) against
/// 119.1–168.5 µs (median 130.4) before; 7 of the 18 ran under 110 µs, none before. The gain comes in some processes only: in
/// the others both ways took 120–170 µs. Its strided direct layers split the same way (each thread convolving its own
/// input rows) ran no faster: each half recomputed a dropped row (one in four on 8×8 outputs) and worker 1 took 1–2.5 µs to
/// start each layer.
/// </remarks>
internal sealed unsafe class SharedWinogradRows(NetworkContext context, SharedInference owner) : IPartedWork
{
    /// <summary>Parts: halves of the tile rows, one per thread.</summary>
    private const int Parts = 2;

    /// <summary>Floats between the two threads' scratch: a cache line, so their last and first writes do not share one.</summary>
    private const int BufferGap = 16;

    /// <summary>Output rows from which a layer is split: 16, so each half has 8 or more (resnet8's 32×32 and 16×16 maps).</summary>
    private const int MinimumRows = 16;

    private Winograd.TileRows _tiles;
    private ConvGeometry _g;
    private BlockEpilogue _epilogue;
    private RowHalves _halves;
    private int _y;
    private float* _input;
    private float* _filters;
    private float* _bias;
    private float* _output;
    private float* _callerScratch;
    private float* _helperScratch;

    /// <summary>Whether one-sample inference may split <paramref name="g"/>, computed by Winograd with kept filters, by halves of its rows.</summary>
    /// <param name="g">The convolution (<see cref="Conv2d.OneSampleTakesWinograd"/>).</param>
    /// <returns>True for maps of at least 16 rows.</returns>
    internal static bool Splits(in ConvGeometry g) => g.OutHeight >= MinimumRows;

    /// <summary>Scratch a split layer needs: each thread's <see cref="Winograd.TileRows.ScratchLength"/> and a gap.</summary>
    /// <param name="g">The convolution (see <see cref="Splits"/>).</param>
    /// <returns>Floats.</returns>
    internal static int ScratchLength(in ConvGeometry g) => (2 * new Winograd.TileRows(in g).ScratchLength) + BufferGap;

    /// <summary>Computes one sample's convolution and its epilogue by halves of its rows on this thread and worker 1.</summary>
    /// <param name="g">The convolution (see <see cref="Splits"/>).</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="filters">The weights' transform (<see cref="OneSampleFilters.For"/>).</param>
    /// <param name="bias">Bias offset, or -1.</param>
    /// <param name="epilogue">What follows on each half's rows: a BatchNorm map, or nothing.</param>
    internal void Forward(in ConvGeometry g, int x, int y, ReadOnlySpan<float> filters, int bias, in BlockEpilogue epilogue)
    {
        var input = context.Activation(x, g.InputLength);
        var output = context.Activation(y, g.OutputLength);
        var biases = bias < 0 ? ReadOnlySpan<float>.Empty : context.Parameter(bias, g.OutChannels);
        var scratch = context.Scratch;
        var tiles = new Winograd.TileRows(in g);
        if (scratch.Length < ScratchLength(in g) || filters.Length < tiles.FilterLength)
        {
            throw new ArgumentException($"A Winograd convolution split by rows needs {ScratchLength(in g)} floats of scratch and {tiles.FilterLength} of transformed filters, got {scratch.Length} and {filters.Length}.");
        }
        // Pinned until Run returns, which it does only once both parts have finished: the parts' pointers stay valid.
        fixed (float* xBase = input, yBase = output, u = filters, biasBase = biases, work = scratch)
        {
            _tiles = tiles;
            _g = g;
            _epilogue = epilogue;
            _halves = default;
            _y = y;
            _input = xBase;
            _filters = u;
            _bias = bias < 0 ? null : biasBase;
            _output = yBase;
            _callerScratch = work;
            _helperScratch = work + tiles.ScratchLength + BufferGap;
            try
            {
                owner.Run(this, Parts);
            }
            finally
            {
                _input = _filters = _bias = _output = _callerScratch = _helperScratch = null;
            }
        }
    }

    /// <summary>
    /// Computes a half of the tile rows on either thread, in that thread's scratch: the caller's own half, or the other one when the
    /// caller claims both parts (<see cref="RowHalves"/>); then the epilogue on those rows.
    /// </summary>
    /// <param name="part">The part claimed (either claim computes one half).</param>
    /// <param name="worker">0 for the caller, 1 for worker 1.</param>
    public void RunPart(int part, int worker)
    {
        var half = _halves.Take(worker);
        var first = _tiles.FirstTileRow(half, Parts);
        var end = _tiles.FirstTileRow(half + 1, Parts);
        _tiles.Compute(first, end, _input, _filters, _bias, _output, worker == 0 ? _callerScratch : _helperScratch);
        _epilogue.ApplyRows(context, in _g, _y, Math.Min(_g.OutHeight, 2 * first), Math.Min(_g.OutHeight, 2 * end));
    }
}
