using System.Globalization;

namespace Cnn.Runtime.Model;

/// <summary>
/// A per-sample shape, C×H×W for feature maps or a vector of <see cref="C"/> values (H = W = 1).
/// The batch size is never part of it: it is a run-time argument of every pass.
/// </summary>
/// <param name="C">Channels (or the vector's length).</param>
/// <param name="H">Height (1 for a vector).</param>
/// <param name="W">Width (1 for a vector).</param>
/// <param name="IsVector">Whether this is a vector rather than a map.</param>
public readonly record struct TensorShape(int C, int H, int W, bool IsVector = false)
{
    /// <summary>Values per sample.</summary>
    public int Elements => C * H * W;

    /// <summary><c>16×5×5</c> for a map, <c>400</c> for a vector.</summary>
    public override string ToString() => IsVector
        ? C.ToString(CultureInfo.InvariantCulture)
        : string.Format(CultureInfo.InvariantCulture, "{0}×{1}×{2}", C, H, W);
}
