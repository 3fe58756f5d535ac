using System;

namespace Cnn.Runtime.Kernels;

internal static unsafe partial class Winograd
{
    /// <summary>
    /// One sample's Winograd forward pass with filters transformed beforehand (<see cref="TransformFilters"/>), split by runs of
    /// tile rows so that two threads can share a layer by halves of its map (<see cref="Network.SharedWinograd"/>): a thread copies
    /// only the image rows its tiles read (the input rows of its half and one row either side), then transforms, multiplies and
    /// writes its tile rows' outputs. Each output is the one <see cref="Forward"/> gives, bit for bit: a tile's products are summed over
    /// the input channels in order from zero wherever its lanes lie.
    /// </summary>
    internal readonly struct TileRows
    {
        private readonly Plan _plan;

        /// <summary>Plans <paramref name="g"/>'s sample in strips of tile rows.</summary>
        /// <param name="g">The convolution (see <see cref="Supports"/>).</param>
        internal TileRows(in ConvGeometry g) => _plan = new Plan(g);

        /// <summary>Floats of the filters' transform <see cref="Compute"/> reads (<see cref="Plan.FilterLength"/>).</summary>
        internal int FilterLength => _plan.FilterLength;

        /// <summary>Floats of one thread's scratch: the padded image and V and M of one strip.</summary>
        internal int ScratchLength => _plan.WorkLength;

        /// <summary>
        /// The first tile row of part <paramref name="part"/> of <paramref name="parts"/>: the tile rows split as evenly as whole vectors of
        /// tiles allow (<see cref="Plan.LaneGroups"/> rows share a vector on maps up to 16 wide).
        /// </summary>
        /// <param name="part">0 ≤ part ≤ parts (parts gives the end).</param>
        /// <param name="parts">Parts.</param>
        /// <returns>A tile row, a multiple of <see cref="Plan.LaneGroups"/> or the last.</returns>
        internal int FirstTileRow(int part, int parts)
        {
            var groups = (_plan.TilesHigh + _plan.LaneGroups - 1) / _plan.LaneGroups;
            return Math.Min(_plan.TilesHigh, groups * part / parts * _plan.LaneGroups);
        }

        /// <summary>
        /// Output rows [2·<paramref name="first"/>, 2·<paramref name="end"/>) (those that exist) of the sample at <paramref name="x"/> into
        /// <paramref name="y"/>: <c>y = conv(x, W) + bias</c>, with W's transform at <paramref name="u"/>.
        /// </summary>
        /// <param name="first">The first tile row (see <see cref="FirstTileRow"/>).</param>
        /// <param name="end">The tile row past the last.</param>
        /// <param name="x">The sample's input.</param>
        /// <param name="u">The filters' transform.</param>
        /// <param name="bias">Bias, or null.</param>
        /// <param name="y">The sample's output.</param>
        /// <param name="work">This thread's <see cref="ScratchLength"/> floats.</param>
        internal void Compute(int first, int end, float* x, float* u, float* bias, float* y, float* work)
        {
            if (first < 0 || end > _plan.TilesHigh || first > end || (first % _plan.LaneGroups != 0 && first != _plan.TilesHigh))
            {
                throw new ArgumentOutOfRangeException(nameof(first), $"Tile rows [{first}, {end}) of {_plan.TilesHigh} must start on a group of {_plan.LaneGroups}.");
            }
            var v = work + _plan.ImageLength;
            var m = v + _plan.InputLength;
            // Tile row t reads image rows 2t to 2t + 3; the last strip's rows are rounded up to whole lane groups.
            var imageEnd = Math.Min(_plan.ImageHeight, (2 * RoundUp(end, _plan.LaneGroups)) + 2);
            FillImage(_plan, x, work, 2 * first, imageEnd);
            Strips(_plan, work, first, end, u, v, m, bias, y, accumulate: false);
        }
    }
}
