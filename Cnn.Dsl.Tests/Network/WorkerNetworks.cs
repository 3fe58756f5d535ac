using Cnn.Dsl;

// Networks for the worker tests: every path workers must agree on.
namespace Cnn.Dsl.Tests.Network.Work;

[Block]
[Conv(Arg.A, 3, pad: 1, bias: false), BatchNorm, Relu, Conv(Arg.A, 3, pad: 1)]
public partial class Body;

/// <summary>BatchNorm (per-worker statistics), dropout and a residual.</summary>
[Network(2, 8, 8)]
[Conv(4, 3, pad: 1), BatchNorm, Relu, MaxPool(2)]
[Residual<Body>(4), Relu]
[Flatten, Dropout(0.25), Dense(16), Relu, Dense(5)]
public partial class Trainable;

/// <summary>No BatchNorm: workers compute exactly the one-worker gradient (up to summation order).</summary>
[Network(2, 8, 8)]
[Conv(4, 3, pad: 1), Relu, MaxPool(2)]
[Residual<Body2>(4), Relu]
[Flatten, Dropout(0.25), Dense(16), Relu, Dense(5)]
public partial class NoNorm;

[Block]
[Conv(Arg.A, 3, pad: 1), Tanh, Conv(Arg.A, 3, pad: 1)]
public partial class Body2;


/// <summary>Layers large enough for a one-sample pass to share them with the helper thread (and one too small to).</summary>
[Network(8, 16, 16)]
[Conv(32, 3, pad: 1), Relu, MaxPool(2)]
[Conv(16, 3, pad: 1), Relu]
[Flatten, Dense(300), Relu, Dense(10)]
public partial class Shared;
