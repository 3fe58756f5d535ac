using System;
using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

/// <summary>
/// A one-sample inference pass's large Winograd convolutions with kept filters (<see cref="OneSampleFilters"/>), split by blocks of
/// 16 output channels (<see cref="Winograd.ChannelBlocks"/>) between the calling thread and worker 1 of the network's pool
/// (<see cref="WorkerPool.Share"/>). Each thread transforms the sample into its own scratch on the first block it claims, then
/// computes its blocks' products and output transform; they share only the input, the transformed filters and the output. Every
/// output is the one the unshared pass gives, bit for bit, so results do not depend on the worker count. The pass shares its
/// convolutions only while such passes measure faster (<see cref="SharedInference.SharesConvolutions"/>), and runs every block on
/// the calling thread otherwise. One instance per network (<see cref="SharedInference"/>): a pass allocates nothing.
/// </summary>
internal sealed unsafe class SharedWinogradBlocks(NetworkContext context, SharedInference owner) : IPartedWork
{
    /// <summary>Floats between the two threads' scratch: a cache line, so their last and first writes do not share one.</summary>
    private const int BufferGap = 16;

    private Winograd.ChannelBlocks _blocks;
    private BlockEpilogue _epilogue;
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
    /// Whether one-sample inference shares <paramref name="g"/>'s kept-filter Winograd pass: the size from which
    /// <see cref="SharedConvFilters"/> shares a direct convolution (<see cref="SharedConvFilters.MinimumMultiplyAdds"/> in all and
    /// <see cref="SharedConvFilters.MinimumMultiplyAddsPerInput"/> per input value), and two blocks of 16 output channels or more.
    /// </summary>
    /// <param name="g">A convolution <see cref="Conv2d.OneSampleTakesWinograd"/> names.</param>
    /// <returns>True to share it.</returns>
    internal static bool Shares(in ConvGeometry g) =>
        g.MultiplyAdds >= SharedConvFilters.MinimumMultiplyAdds && g.MultiplyAdds >= (long)SharedConvFilters.MinimumMultiplyAddsPerInput * g.InputLength
        && new Winograd.ChannelBlocks(g).Count > 1;

    /// <summary>Scratch a shared layer needs: one <see cref="Winograd.ChannelBlocks.ScratchLength"/> for each thread.</summary>
    /// <param name="g">The convolution.</param>
    /// <returns>Floats.</returns>
    internal static int ScratchLength(in ConvGeometry g) => ScratchLength(new Winograd.ChannelBlocks(g));

    private static int ScratchLength(in Winograd.ChannelBlocks blocks) => (2 * blocks.ScratchLength) + BufferGap;

    /// <summary>
    /// Computes one sample's <c>y = conv(x, W) + bias</c> from its kept filters on this thread and worker 1, or on this thread alone
    /// when the pass does not share convolutions, each block of channels followed by <paramref name="epilogue"/> on its thread.
    /// </summary>
    /// <param name="g">The convolution (see <see cref="Shares"/>).</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="filters">The weights' transform (<see cref="OneSampleFilters.For"/>).</param>
    /// <param name="bias">Bias offset, or -1.</param>
    /// <param name="epilogue">What each block's channels go through next.</param>
    internal void Forward(in ConvGeometry g, int x, int y, ReadOnlySpan<float> filters, int bias, in BlockEpilogue epilogue)
    {
        var input = context.Activation(x, g.InputLength);
        var output = context.Activation(y, g.OutputLength);
        var biases = bias < 0 ? ReadOnlySpan<float>.Empty : context.Parameter(bias, g.OutChannels);
        var scratch = context.Scratch;
        var blocks = new Winograd.ChannelBlocks(g);
        if (scratch.Length < ScratchLength(blocks) || filters.Length < blocks.FilterLength)
        {
            throw new ArgumentException($"A shared Winograd convolution needs {ScratchLength(blocks)} floats of scratch and {blocks.FilterLength} of transformed filters, got {scratch.Length} and {filters.Length}.");
        }
        // Pinned until Share returns, which it does only once every part has finished: the parts' pointers stay valid.
        fixed (float* xBase = input, yBase = output, u = filters, biasBase = biases, work = scratch)
        {
            _blocks = blocks;
            _epilogue = epilogue;
            _g = g;
            _y = y;
            _input = xBase;
            _filters = u;
            _bias = biasBase;
            _output = yBase;
            _callerScratch = work;
            _helperScratch = work + blocks.ScratchLength + BufferGap;
            _callerFilled = _helperFilled = false;
            try
            {
                if (owner.SharesConvolutions())
                {
                    owner.Run(this, blocks.Count);
                }
                else
                {
                    for (var part = 0; part < blocks.Count; part++)
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

    /// <summary>Runs block <paramref name="part"/> and its epilogue on either thread, transforming the sample into that thread's scratch first if it has not yet.</summary>
    /// <param name="part">The block of 16 output channels.</param>
    /// <param name="worker">0 for the caller, 1 for worker 1.</param>
    public void RunPart(int part, int worker)
    {
        var work = worker == 0 ? _callerScratch : _helperScratch;
        ref var filled = ref worker == 0 ? ref _callerFilled : ref _helperFilled;
        if (!filled)
        {
            _blocks.Transform(_input, work);
            filled = true;
        }
        _blocks.Compute(part, 1, _filters, _bias, _output, work);
        if (_epilogue.Maps || _epilogue.Pools)
        {
            var first = 16 * part;
            _epilogue.Apply(context, in _g, _y, first, Math.Min(16, _g.OutChannels - first));
        }
    }
}
