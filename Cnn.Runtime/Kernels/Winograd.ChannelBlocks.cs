namespace Cnn.Runtime.Kernels;

internal static unsafe partial class Winograd
{
    /// <summary>
    /// One sample's Winograd forward pass with filters transformed beforehand (<see cref="TransformFilters"/>), split by blocks of
    /// 16 output channels so that two threads can share a layer (<see cref="Network.SharedWinograd"/>): each thread transforms the
    /// whole sample into its own scratch once (<see cref="Transform"/>), then computes the GEMMs and the output transform of the
    /// blocks it claims (<see cref="Compute"/>). Each output is the one <see cref="Forward"/> gives, bit for bit, however the
    /// blocks are split: every product is summed over the input channels in order from zero, and a strip of one whole sample
    /// lays the same tiles out in other lanes only.
    /// </summary>
    internal readonly struct ChannelBlocks
    {
        private readonly Plan _plan;

        /// <summary>Plans <paramref name="g"/>'s sample as one strip.</summary>
        /// <param name="g">The convolution (see <see cref="Supports"/>).</param>
        internal ChannelBlocks(in ConvGeometry g) => _plan = new Plan(g, wholeSample: true);

        /// <summary>Blocks of 16 output channels (the last may be partial).</summary>
        internal int Count => _plan.PaddedOut / 16;

        /// <summary>Floats of the filters' transform <see cref="Compute"/> reads (<see cref="Plan.FilterLength"/>).</summary>
        internal int FilterLength => _plan.FilterLength;

        /// <summary>Floats of one thread's scratch: the padded image, V of the sample and M of its GEMMs.</summary>
        internal int ScratchLength => _plan.WorkLength;

        /// <summary>Transforms the sample at <paramref name="x"/> into <paramref name="work"/> (<see cref="ScratchLength"/> floats).</summary>
        /// <param name="x">The sample, [InChannels, H, W].</param>
        /// <param name="work">This thread's scratch.</param>
        internal void Transform(float* x, float* work)
        {
            FillImage(_plan, x, work);
            TransformInput(_plan, work, 0, _plan.TilesHigh, work + _plan.ImageLength);
        }

        /// <summary>
        /// Output channels 16·<paramref name="first"/> up to 16·(<paramref name="first"/> + <paramref name="count"/>) of
        /// <c>y = conv(x, W) + bias</c>, from the sample <see cref="Transform"/> wrote into <paramref name="work"/>.
        /// </summary>
        /// <param name="first">First block.</param>
        /// <param name="count">Blocks.</param>
        /// <param name="u">The filters' transform, <see cref="Plan.FilterLength"/> floats.</param>
        /// <param name="bias">Bias, or null.</param>
        /// <param name="y">The sample's output, [OutChannels, H, W] (the blocks' channels overwritten).</param>
        /// <param name="work">This thread's scratch, as <see cref="Transform"/> left it.</param>
        internal void Compute(int first, int count, float* u, float* bias, float* y, float* work)
        {
            var v = work + _plan.ImageLength;
            var m = v + _plan.InputLength;
            Multiply(_plan, u, v, m, _plan.SampleSlots / 16, 2 * first, 2 * (first + count));
            TransformOutput(_plan, m, 0, _plan.TilesHigh, bias, y, accumulate: false, 16 * first, 16 * (first + count));
        }
    }
}
