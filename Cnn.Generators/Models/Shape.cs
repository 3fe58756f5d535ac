using System.Globalization;

namespace Cnn.Generators.Models;

/// <summary>
/// A per-sample tensor shape: C×H×W for feature maps, or a vector of <see cref="C"/> values
/// (after Flatten, with H = W = 1). The batch size is never part of it.
/// </summary>
internal readonly record struct Shape(int C, int H, int W, bool IsVector)
{
    public static Shape Map(int c, int h, int w) => new(c, h, w, false);

    public static Shape Vector(int n) => new(n, 1, 1, true);

    /// <summary>Values per sample; long because an invalid network may overflow int.</summary>
    public long Elements => (long)C * H * W;

    /// <summary><c>16×5×5</c> for a map, <c>400</c> for a vector, as messages and summaries print it.</summary>
    public override string ToString() => IsVector
        ? C.ToString(CultureInfo.InvariantCulture)
        : string.Format(CultureInfo.InvariantCulture, "{0}×{1}×{2}", C, H, W);
}
