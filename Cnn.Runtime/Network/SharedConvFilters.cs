using System;
using Cnn.Runtime.Kernels;

namespace Cnn.Runtime.Network;

/// <summary>
/// A one-sample inference pass's large convolutions (<see cref="DirectConv"/>), split by blocks of 8 filters (and, when a
/// layer has fewer than <see cref="MinimumParts"/> blocks, slices of each block's positions) between the calling thread and
/// worker 1 of the network's pool (<see cref="WorkerPool.Share"/>). Each thread copies the sample into its own image and
/// writes its partial tiles to its own buffer; they share only the input, the weights and the output. Every output is summed by
/// <see cref="DirectConv.Blocks.ComputeSlice"/> exactly as the one-thread call sums it, so results are bit-identical with or
/// without sharing. A pass shares its convolutions only while such passes measure faster than passes running them alone
/// (<see cref="SharedInference.SharesConvolutions"/>).
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

    /// <summary>
    /// Multiply-adds per input value from which a layer is shared. Worker 1 reads the layer's whole input to make its own image,
    /// and the caller's next layers rewrite those lines on the following pass; on this VM rewriting a line the other core has
    /// read costs ~12 ns, not overlapped (a C test of two pinned threads: 64 KiB in 10.4–13 µs against 0.6 µs otherwise). Sharing
    /// saves half the layer's work, 16·m/2 multiply-adds per input line at m per value (~110 per ns at one core's peak): about
    /// 21 ns a line at m = 288, not enough to pay for the line's two trips, and 42 ns at m = 576. ResNet-8's one-sample passes
    /// measured 173–197 µs sharing its 144- to 576-per-value layers against 150–155 µs alone, and 154 against 151 µs sharing only
    /// its 288 and 576 ones; bn2conv's and simplecnn's 576-per-value layers (pooled inputs under much work) gain.
    /// </summary>
    internal const int MinimumMultiplyAddsPerInput = 512;

    /// <summary>Floats between the two threads' scratch: a cache line, so their last and first writes do not share one.</summary>
    private const int BufferGap = 16;

    /// <summary>
    /// Parts a layer is cut into at least, when it has fewer filter blocks: each block's positions are then sliced too, so a
    /// worker starting late or a last part finishing late costs less (resnet8's 16-filter layers have two blocks).
    /// </summary>
    private const int MinimumParts = 8;

    private DirectConv.Blocks _blocks;
    private int _slices;
    private float* _output;
    private float* _callerBuffer;
    private float* _input;
    private float* _weight;
    private float* _bias;
    private float* _helperScratch;
    private ConvGeometry _g;
    private DirectConv.Blocks _helperBlocks;
    private bool _helperFilled;

    /// <summary>Whether one-sample inference shares <paramref name="g"/>.</summary>
    /// <param name="g">The convolution.</param>
    /// <returns>
    /// True when <see cref="DirectConv"/> computes it, it has two filter blocks or more, at least <see cref="MinimumMultiplyAdds"/>
    /// and at least <see cref="MinimumMultiplyAddsPerInput"/> per input value.
    /// </returns>
    internal static bool Shares(in ConvGeometry g) =>
        g.MultiplyAdds >= MinimumMultiplyAdds && g.MultiplyAdds >= (long)MinimumMultiplyAddsPerInput * g.InputLength &&
        DirectConv.Supports(in g) && DirectConv.FilterBlocks(in g) > 1;

    /// <summary>Scratch a shared layer needs: <see cref="DirectConv.ScratchLength"/> for each thread (worker 1 makes its own image).</summary>
    /// <param name="g">The convolution.</param>
    /// <returns>Floats.</returns>
    internal static int ScratchLength(in ConvGeometry g) => (2 * DirectConv.ScratchLength(in g)) + BufferGap;

    /// <summary>Computes one sample's convolution on this thread and worker 1, or on this thread alone when the pass does not share convolutions.</summary>
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
        var share = owner.SharesConvolutions();
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
                _g = g;
                _input = xBase;
                _weight = weightBase;
                _bias = biasBase;
                _output = yBase;
                _helperScratch = work + DirectConv.ScratchLength(in g) + BufferGap;
                _helperFilled = false;
                try
                {
                    owner.Run(this, blocks * _slices);
                }
                finally
                {
                    _output = _callerBuffer = _input = _weight = _bias = _helperScratch = null;
                }
            }
        }
    }

    /// <summary>
    /// Runs a part on either thread. Worker 1 first makes its own copy of the image from the input: read in order, the input
    /// streams into its cache, whereas the caller's image, read row by scattered row by the tiles, arrives one stalled cache line
    /// at a time (kernel A/B, worker 1 awake: bn2conv's 32 → 64 on 14×14 shared 36 µs with the caller's image, 26 µs with its own;
    /// 44 µs alone).
    /// </summary>
    /// <param name="part">The part: block part / slices, slice part % slices.</param>
    /// <param name="worker">0 for the caller, 1 for worker 1.</param>
    public void RunPart(int part, int worker)
    {
        if (worker == 0)
        {
            _blocks.ComputeSlice(part / _slices, part % _slices, _slices, _output, _callerBuffer);
            return;
        }
        if (!_helperFilled)
        {
            _helperBlocks = new DirectConv.SampleImage(in _g, _helperScratch, _weight, _bias, CpuPath.Auto, DirectConvLayout.Auto).Fill(_input);
            _helperFilled = true;
        }
        _helperBlocks.ComputeSlice(part / _slices, part % _slices, _slices, _output, _helperScratch + DirectConv.ImageLength(in _g));
    }
}
