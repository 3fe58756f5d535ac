using System;
using System.Diagnostics;
using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

/// <summary>
/// A one-sample inference pass's large convolutions (<see cref="DirectConv"/>), split by blocks of 8 filters (and, when a
/// layer has fewer than <see cref="MinimumParts"/> blocks, slices of each block's positions) between the calling thread and
/// worker 1 of the network's pool (<see cref="WorkerPool.Share"/>). The caller copies the sample into the image once; both
/// threads then only read it, each writing its partial tiles to its own buffer. Every output is summed by
/// <see cref="DirectConv.Blocks.ComputeSlice"/> exactly as the one-thread call sums it, so results are bit-identical with or
/// without sharing. Each layer is shared only while that measures faster than running it alone (<see cref="MeasuredSharing"/>).
/// One instance per network (<see cref="SharedInference"/>): a pass allocates nothing.
/// </summary>
internal sealed unsafe class SharedConvFilters(NetworkContext context, SharedInference owner) : IPartedWork
{
    /// <summary>
    /// Multiply-adds from which a layer is shared: ~5 µs on one core. Below it the hand-off (~1 µs when worker 1 is awake: the
    /// caller's fill, then worker 1 pulling the image into its cache) ate the gain: LeNet-5's 240 k and bn2conv's 226 k convolutions
    /// measured 4.4 → 3.9 and 4.4 → 3.8 µs at best and 4.4 → 7.7 µs at worst (kernel A/B with worker 1 awake).
    /// </summary>
    internal const long MinimumMultiplyAdds = 500_000;

    /// <summary>Floats between the two threads' buffers: a cache line, so their last and first writes do not share one.</summary>
    private const int BufferGap = 16;

    /// <summary>
    /// Parts a layer is cut into at least, when it has fewer filter blocks: each block's positions are then sliced too, so a
    /// worker starting late or a last part finishing late costs less (resnet8's 16-filter layers have two blocks).
    /// </summary>
    private const int MinimumParts = 8;

    private readonly MeasuredSharing _measured = new();
    private DirectConv.Blocks _blocks;
    private int _slices;
    private float* _output;
    private float* _callerBuffer;
    private float* _helperBuffer;

    /// <summary>Whether one-sample inference shares <paramref name="g"/>.</summary>
    /// <param name="g">The convolution.</param>
    /// <returns>True when <see cref="DirectConv"/> computes it, it has two filter blocks or more and at least <see cref="MinimumMultiplyAdds"/>.</returns>
    internal static bool Shares(in ConvGeometry g) =>
        g.MultiplyAdds >= MinimumMultiplyAdds && DirectConv.Supports(in g) && DirectConv.FilterBlocks(in g) > 1;

    /// <summary>Scratch a shared layer needs: <see cref="DirectConv.ScratchLength"/> and worker 1's buffer.</summary>
    /// <param name="g">The convolution.</param>
    /// <returns>Floats.</returns>
    internal static int ScratchLength(in ConvGeometry g) => DirectConv.ScratchLength(in g) + BufferGap + DirectConv.BufferLength(in g);

    /// <summary>Computes one sample's convolution on this thread and worker 1, or on this thread alone while that measures faster.</summary>
    /// <param name="g">The convolution (see <see cref="Shares"/>).</param>
    /// <param name="x">Input slot.</param>
    /// <param name="y">Output slot.</param>
    /// <param name="weight">Weight offset.</param>
    /// <param name="bias">Bias offset, or -1.</param>
    internal void Forward(in ConvGeometry g, int x, int y, int weight, int bias)
    {
        var input = context.Activation(x, g.InputLength);
        var output = context.Activation(y, g.OutputLength);
        var weights = context.Parameter(weight, g.WeightLength);
        var biases = bias < 0 ? ReadOnlySpan<float>.Empty : context.Parameter(bias, g.OutChannels);
        var scratch = context.Scratch;
        DirectConv.Check(in g, 1, input.Length, weights.Length, biases, output.Length, scratch.Length, CpuPath.Auto);
        if (scratch.Length < ScratchLength(in g))
        {
            throw new ArgumentException($"A shared convolution needs {ScratchLength(in g)} floats of scratch, got {scratch.Length}.");
        }
        var slot = _measured.Slot(weight);
        var share = slot < 0 || _measured.Shares(slot);
        var start = Stopwatch.GetTimestamp();
        // Pinned until Share returns, which it does only once every part has finished: the parts' pointers stay valid.
        fixed (float* xBase = input, yBase = output, weightBase = weights, biasBase = biases, work = scratch)
        {
            _blocks = new DirectConv.SampleImage(in g, work, weightBase, biasBase, CpuPath.Auto, DirectConvLayout.Auto).Fill(xBase);
            var blocks = DirectConv.FilterBlocks(in g);
            _callerBuffer = work + DirectConv.ImageLength(in g);
            if (!share)
            {
                _blocks.Compute(0, blocks, yBase, _callerBuffer);
            }
            else
            {
                _slices = Math.Clamp((MinimumParts + blocks - 1) / blocks, 1, _blocks.MaxSlices);
                _output = yBase;
                _helperBuffer = work + DirectConv.ScratchLength(in g) + BufferGap;
                try
                {
                    owner.Run(this, blocks * _slices);
                }
                finally
                {
                    _output = _callerBuffer = _helperBuffer = null;
                }
            }
        }
        if (slot >= 0)
        {
            _measured.Record(slot, share, Stopwatch.GetTimestamp() - start);
        }
    }

    /// <inheritdoc/>
    public void RunPart(int part, int worker) =>
        _blocks.ComputeSlice(part / _slices, part % _slices, _slices, _output, worker == 0 ? _callerBuffer : _helperBuffer);
}
