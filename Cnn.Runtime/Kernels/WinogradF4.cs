using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cnn.Runtime.Kernels;

/// <summary>
/// Winograd F(4×4, 3×3) convolution of one NCHW float32 sample whose 4×4 output tiles fit one vector (maps of at most 16×16),
/// 3×3 kernels at stride 1, padding 1, dilation 1, one group, on Vector512: each 4×4 output tile of each (output, input) channel
/// pair costs 36 multiplies instead of 144 (F(2×2, 3×3): 64, and on a 14×14 map its 49 tiles fill 64 lanes where these 16 fill
/// 16). Lane <c>4·th + tw</c> of every vector is the tile at tile row th, tile column tw. One-sample inference takes it with
/// filters kept between passes (<see cref="Network.OneSampleFilters"/>), by blocks of 16 output channels that two threads may
/// share (<see cref="Blocks"/>). Maps of at most 8×8, whose 4 tiles would fill a quarter of the lanes, swap the roles: the input
/// transform and the GEMMs take 16 channels in the lanes and the tiles as broadcasts (<see cref="HasFewTiles"/>).
/// </summary>
/// <remarks>
/// The transforms (Lavin and Gray, 2016), interpolation points 0, ±1, ±2 and ∞:
/// <c>Bᵀ = [[4,0,−5,0,1,0],[0,−4,−4,1,1,0],[0,4,−4,−1,1,0],[0,−2,−1,2,1,0],[0,2,−1,−2,1,0],[0,4,0,−5,0,1]]</c>,
/// <c>G = [[¼,0,0],[−⅙,−⅙,−⅙],[−⅙,⅙,−⅙],[1/24,1/12,⅙],[1/24,−1/12,⅙],[0,0,1]]</c>,
/// <c>Aᵀ = [[1,1,1,1,1,0],[0,1,−1,2,−2,0],[0,1,1,4,4,0],[0,1,−1,8,−8,1]]</c>. Its rounding error is larger than F(2×2, 3×3)'s (the
/// transforms scale values by up to 8 and 1/24 before the products): results agree with the direct sum within a bound of
/// 1e-5 of the sum of the terms' magnitudes (<c>WinogradF4Tests</c>), not bit for bit.
/// </remarks>
[SkipLocalsInit]
internal static unsafe partial class WinogradF4
{
    /// <summary>Transformed values per tile (6×6): the number of GEMMs.</summary>
    internal const int Points = 36;

    /// <summary>Output channels per block: one vector of filters in the transform, 16 accumulators in the GEMM.</summary>
    internal const int BlockChannels = 16;

    /// <summary>Tile rows and columns a vector holds: 4 by 4.</summary>
    private const int TilesPerSide = 4;

    /// <summary>Whether this kernel computes <paramref name="g"/>: what <see cref="Winograd.Supports"/> takes, on maps of at most 16×16.</summary>
    /// <param name="g">The convolution.</param>
    /// <returns>True when <see cref="Blocks"/> accepts it.</returns>
    internal static bool Supports(in ConvGeometry g) =>
        Winograd.Supports(g, CpuPaths.Best) && g.OutHeight <= 4 * TilesPerSide && g.OutWidth <= 4 * TilesPerSide;

    /// <summary>Floats of the filters' transform: U[ξ][block of 16 output channels][input channel][16].</summary>
    /// <param name="g">The convolution (see <see cref="Supports"/>).</param>
    /// <returns>The transform's length.</returns>
    internal static int FilterLength(in ConvGeometry g) => Points * PaddedOut(g) * g.InChannels;

    /// <summary>
    /// Floats between V[ξ] and V[ξ + 1]: the input channels' vectors and one more, so that the input transform's 36 stores of a
    /// channel do not fall in two sets of L1 (32 channels are 2 KiB a point).
    /// </summary>
    private static long InputPointStride(int inChannels) => ((long)inChannels * 16) + 16;

    private static int PaddedOut(in ConvGeometry g) => (g.OutChannels + BlockChannels - 1) / BlockChannels * BlockChannels;

    /// <summary>
    /// <c>U = G g Gᵀ</c> of every filter, U[ξ][b][ic][o] for output channel 16·b + o (zero past the last): the taps of a block's 16
    /// filters of one input channel are staged as 16 rows, transposed into lanes (<see cref="Transpose16"/>) and transformed together.
    /// </summary>
    /// <param name="g">The convolution (see <see cref="Supports"/>).</param>
    /// <param name="weight">Weight, [OutChannels, InChannels, 3, 3].</param>
    /// <param name="filters">At least <see cref="FilterLength"/> floats (overwritten).</param>
    internal static void TransformFilters(in ConvGeometry g, ReadOnlySpan<float> weight, Span<float> filters)
    {
        if (!Supports(g) || weight.Length < g.WeightLength || filters.Length < FilterLength(g))
        {
            throw new ArgumentException($"Winograd F(4×4, 3×3) filters of {g.OutChannels} × {g.InChannels} need a supported convolution, {g.WeightLength} weights and {FilterLength(g)} floats.");
        }
        int inChannels = g.InChannels, blocks = PaddedOut(g) / BlockChannels;
        long pointStride = (long)blocks * inChannels * BlockChannels;
        var staging = stackalloc float[2 * 16 * 16];
        var rows = stackalloc float*[16];
        for (var l = 0; l < 16; l++)
        {
            rows[l] = staging + (16 * l);
        }
        var taps = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(9)).AsSingle();
        fixed (float* w = weight, u = filters)
        {
            for (var b = 0; b < blocks; b++)
            {
                var count = Math.Min(BlockChannels, g.OutChannels - (BlockChannels * b));
                for (var ic = 0; ic < inChannels; ic++)
                {
                    for (var o = 0; o < 16; o++)
                    {
                        var filter = w + ((((long)((BlockChannels * b) + o) * inChannels) + ic) * 9);
                        (o < count ? Avx512F.MaskLoad(filter, taps, Vector512<float>.Zero) : Vector512<float>.Zero).Store(rows[o]);
                    }
                    Transpose16.Run(rows, staging + 256, 16);
                    TransformFilterLanes(staging + 256, u + ((((long)b * inChannels) + ic) * BlockChannels), pointStride);
                }
            }
        }
    }

    /// <summary>One vector of 16 filters, tap t of each at <paramref name="taps"/>[16·t]: U[ξ] of each to <paramref name="target"/> + ξ·<paramref name="pointStride"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformFilterLanes(float* taps, float* target, long pointStride)
    {
        var g = stackalloc Vector512<float>[9];
        for (var t = 0; t < 9; t++)
        {
            g[t] = Vector512.Load(taps + (16 * t));
        }
        // G·g: 6 rows of 3, per column c.
        var r = stackalloc Vector512<float>[18];
        for (var c = 0; c < 3; c++)
        {
            FilterColumn(g[c], g[3 + c], g[6 + c], r, c, 3);
        }
        // (G·g)·Gᵀ: per row i, the same combination of its three columns.
        var row = stackalloc Vector512<float>[6];
        for (var i = 0; i < 6; i++)
        {
            FilterColumn(r[3 * i], r[(3 * i) + 1], r[(3 * i) + 2], row, 0, 1);
            for (var j = 0; j < 6; j++)
            {
                row[j].Store(target + (((6 * i) + j) * pointStride));
            }
        }
    }

    /// <summary><c>G·(g0, g1, g2)</c> into <paramref name="r"/>[offset + k·stride], k = 0…5.</summary>
    private static void FilterColumn(Vector512<float> g0, Vector512<float> g1, Vector512<float> g2, Vector512<float>* r, int offset, int stride)
    {
        var sixth = Vector512.Create(1f / 6);
        var outer = g0 + g2;
        var weighted = (Vector512.Create(1f / 24) * g0) + (sixth * g2);
        var middle = Vector512.Create(1f / 12) * g1;
        r[offset] = Vector512.Create(0.25f) * g0;
        r[offset + stride] = -sixth * (outer + g1);
        r[offset + (2 * stride)] = -sixth * (outer - g1);
        r[offset + (3 * stride)] = weighted + middle;
        r[offset + (4 * stride)] = weighted - middle;
        r[offset + (5 * stride)] = g2;
    }

    /// <summary>
    /// One sample's forward pass with filters transformed beforehand (<see cref="TransformFilters"/>), split by blocks of 16 output
    /// channels so that two threads can share a layer (<see cref="Network.SharedWinograd"/>): each thread transforms the whole
    /// sample into its own scratch once (<see cref="Transform"/>), then computes the GEMMs and the output transform of the blocks it
    /// claims (<see cref="Compute"/>). Each output channel is computed the same way whichever blocks a call covers, so any split
    /// gives the same bits.
    /// </summary>
    internal readonly struct Blocks
    {
        private readonly int _inChannels;
        private readonly int _outChannels;
        private readonly int _height;
        private readonly int _width;
        private readonly bool _fewTiles;

        /// <summary>Plans <paramref name="g"/>'s sample.</summary>
        /// <param name="g">The convolution (see <see cref="Supports"/>).</param>
        internal Blocks(in ConvGeometry g)
        {
            if (!Supports(g))
            {
                throw new ArgumentException($"Winograd F(4×4, 3×3) computes 3×3 stride-1 pad-1 convolutions on maps of at most 16×16 on Vector512, not {g.InChannels}→{g.OutChannels} on {g.OutHeight}×{g.OutWidth}.");
            }
            (_inChannels, _outChannels, _height, _width) = (g.InChannels, g.OutChannels, g.OutHeight, g.OutWidth);
            Count = PaddedOut(g) / BlockChannels;
            FilterLength = WinogradF4.FilterLength(g);
            _fewTiles = HasFewTiles(g);
        }

        /// <summary>Blocks of 16 output channels (the last may be partial).</summary>
        internal int Count { get; }

        /// <summary>
        /// Blocks a thread best computes in one <see cref="Compute"/> call: 2 on maps of at most 8×8 (<see cref="HasFewTiles"/>, whose
        /// GEMM takes two blocks at once), else 1.
        /// </summary>
        internal int PartBlocks => _fewTiles ? 2 : 1;

        /// <summary>Parts of <see cref="PartBlocks"/> blocks each (the last may have fewer).</summary>
        internal int Parts => (Count + PartBlocks - 1) / PartBlocks;

        /// <summary>Floats of the filters' transform <see cref="Compute"/> reads (<see cref="WinogradF4.FilterLength"/>).</summary>
        internal int FilterLength { get; }

        /// <summary>
        /// Floats of one thread's scratch: V of the sample, [36][InChannels][16] (<see cref="InputPointStride"/>), or [36][4][InChannels]
        /// on a map of few tiles (<see cref="TransformInputFewTiles"/>), and M of <see cref="PartBlocks"/> blocks, [36][16][16] each.
        /// </summary>
        internal int ScratchLength => InputLength + (PartBlocks * Points * BlockChannels * 16);

        private int InputLength => _fewTiles ? Points * FewTileSlots * FewTileSlotStride(_inChannels) : (int)(Points * InputPointStride(_inChannels));

        /// <summary>Transforms the sample at <paramref name="x"/> into <paramref name="work"/> (<see cref="ScratchLength"/> floats).</summary>
        /// <param name="x">The sample, [InChannels, H, W].</param>
        /// <param name="work">This thread's scratch.</param>
        internal void Transform(float* x, float* work)
        {
            if (_fewTiles)
            {
                TransformInputFewTiles(_inChannels, _height, _width, x, work);
                return;
            }
            TransformInput(_inChannels, _height, _width, x, work);
        }

        /// <summary>
        /// Output channels 16·<paramref name="first"/> up to 16·(<paramref name="first"/> + <paramref name="count"/>) of
        /// <c>y = conv(x, W) + bias</c>, from the sample <see cref="Transform"/> wrote into <paramref name="work"/>.
        /// </summary>
        /// <param name="first">First block.</param>
        /// <param name="count">Blocks.</param>
        /// <param name="u">The filters' transform, <see cref="FilterLength"/> floats.</param>
        /// <param name="bias">Bias, or null.</param>
        /// <param name="y">The sample's output, [OutChannels, H, W] (the blocks' channels overwritten).</param>
        /// <param name="work">This thread's scratch, as <see cref="Transform"/> left it.</param>
        internal void Compute(int first, int count, float* u, float* bias, float* y, float* work)
        {
            if (_fewTiles)
            {
                ComputeFewTiles(first, count, u, bias, y, work);
                return;
            }
            for (var b = first; b < Math.Min(Count, first + count); b++)
            {
                var offset = BlockChannels * b;
                TransformOutput(Products(b, u, work), Channels(b), bias is null ? null : bias + offset, _height, _width, y + ((long)offset * _height * _width));
            }
        }

        /// <summary>
        /// As <see cref="Compute"/>, then a BatchNorm's inference map (when <paramref name="scale"/> is not null), a 2×2 max pooling
        /// (<see cref="Pools"/>: the pooled map is ⌊H/2⌋×⌊W/2⌋) and a ReLU of each block's channels in the output transform, into
        /// <paramref name="pooled"/> only.
        /// </summary>
        /// <param name="first">First block.</param>
        /// <param name="count">Blocks.</param>
        /// <param name="u">The filters' transform.</param>
        /// <param name="bias">Bias, or null.</param>
        /// <param name="scale">The map's scale per output channel from channel 16·<paramref name="first"/> on, or null for no map.</param>
        /// <param name="shift">The map's shift per output channel from channel 16·<paramref name="first"/> on (read when <paramref name="scale"/> is not null).</param>
        /// <param name="pooled">The sample's pooled output, [OutChannels, ⌊H/2⌋, ⌊W/2⌋] (the blocks' channels overwritten).</param>
        /// <param name="work">This thread's scratch, as <see cref="Transform"/> left it.</param>
        internal void ComputePooled(int first, int count, float* u, float* bias, float* scale, float* shift, float* pooled, float* work)
        {
            if (_fewTiles)
            {
                throw new InvalidOperationException($"Maps of at most 8×8 ({_height}×{_width}) are computed with the channels in the lanes, then pooled (Pools is false).");
            }
            int pooledHeight = _height / 2, pooledWidth = _width / 2;
            for (var b = first; b < Math.Min(Count, first + count); b++)
            {
                int offset = BlockChannels * b, mapOffset = BlockChannels * (b - first);
                TransformOutputPooled(Products(b, u, work), Channels(b), bias is null ? null : bias + offset, scale is null ? null : scale + mapOffset,
                    scale is null ? null : shift + mapOffset, pooledHeight, pooledWidth, pooled + ((long)offset * pooledHeight * pooledWidth));
            }
        }

        /// <summary><see cref="Compute"/> by <see cref="MultiplyFewTiles"/>, two blocks at a time.</summary>
        private void ComputeFewTiles(int first, int count, float* u, float* bias, float* y, float* work)
        {
            var m = work + InputLength;
            var end = Math.Min(Count, first + count);
            for (var b = first; b < end; b += 2)
            {
                var blocks = Math.Min(2, end - b);
                MultiplyFewTiles(_inChannels, BlockFilters(u, b), FilterPointStride, blocks, work, m);
                for (var j = 0; j < blocks; j++)
                {
                    var offset = BlockChannels * (b + j);
                    TransformOutputFewTiles(m + (j * Points * BlockChannels * 16), Channels(b + j), bias is null ? null : bias + offset, _height, _width,
                        y + ((long)offset * _height * _width));
                }
            }
        }

        /// <summary>Block <paramref name="b"/>'s 36 GEMMs into the M part of <paramref name="work"/>, which it returns.</summary>
        private float* Products(int b, float* u, float* work)
        {
            var m = work + InputLength;
            Multiply(_inChannels, BlockFilters(u, b), FilterPointStride, work, m);
            return m;
        }

        /// <summary>Floats between U[ξ][b] and U[ξ + 1][b].</summary>
        private long FilterPointStride => (long)Count * _inChannels * BlockChannels;

        /// <summary>Block <paramref name="b"/>'s U[0][b].</summary>
        private float* BlockFilters(float* u, int b) => u + ((long)b * _inChannels * BlockChannels);

        /// <summary>Output channels of block <paramref name="b"/>: 16, or fewer in the last.</summary>
        private int Channels(int b) => Math.Min(BlockChannels, _outChannels - (BlockChannels * b));
    }
}
