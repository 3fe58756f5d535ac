using Cnn.Dsl;

namespace Cnn.Dsl.Tests.Network.Work;

/// <summary>A dense layer one-sample inference shares with worker 1 (2048 → 150: 1.2 MB of weights, a partial last row block) and one it does not.</summary>
[Network(8, 16, 16)]
[Conv(8, 3, pad: 1), Relu]
[Flatten, Dense(150), Relu, Dense(4)]
public partial class LargeDense;
