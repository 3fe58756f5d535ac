using Cnn.Dsl;

namespace Cnn.Dsl.Tests.Network.Work;

/// <summary>
/// Convolutions one-sample inference shares with worker 1: 16 → 68 on 16×16 (2.5 M multiply-adds, 612 per input value, a partial
/// last filter block, the padded layout's row tiles) and 68 → 60 on 8×8 (2.4 M, 540 per input value), and one it does not (60 → 12
/// on 4×4); then a small dense head.
/// </summary>
[Network(16, 16, 16)]
[Conv(68, 3, pad: 1), BatchNorm, Relu, MaxPool(2)]
[Conv(60, 3, pad: 1), Relu, MaxPool(2)]
[Conv(12, 3, pad: 1), Relu]
[Flatten, Dense(5)]
public partial class LargeConv;
