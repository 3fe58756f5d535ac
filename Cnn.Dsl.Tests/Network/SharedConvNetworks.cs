using Cnn.Dsl;

namespace Cnn.Dsl.Tests.Network.Work;

/// <summary>
/// Convolutions one-sample inference shares with worker 1: 16 → 36 on 16×16 (1.3 M multiply-adds, a partial last filter block,
/// the padded layout's row tiles) and 36 → 40 on 8×8 (0.8 M), and one it does not (40 → 12 on 4×4); then a small dense head.
/// </summary>
[Network(16, 16, 16)]
[Conv(36, 3, pad: 1), BatchNorm, Relu, MaxPool(2)]
[Conv(40, 3, pad: 1), Relu, MaxPool(2)]
[Conv(12, 3, pad: 1), Relu]
[Flatten, Dense(5)]
public partial class LargeConv;
