using Cnn.Dsl;

// Small networks that together use every layer kind and every composition, for the finite-difference checks.
namespace Cnn.Dsl.Tests.Network.Checks;

/// <summary>Conv with padding and dilation, BatchNorm (training statistics), Relu, MaxPool, strided Conv, LeakyRelu, Dropout, Dense, Tanh.</summary>
[Network(2, 7, 7)]
[Conv(3, 3, pad: 1), BatchNorm, Relu, MaxPool(2, stride: 2, ceilMode: true)]
[Conv(4, 3, stride: 2, pad: 2, dilation: 2), LeakyRelu(0.1)]
[Flatten, Dropout(0.3), Dense(5), Tanh, Dense(3)]
public partial class Plain;

/// <summary>Only smooth functions (Elu with alpha 1 has a continuous derivative): ConvTranspose, Elu, grouped Conv, AvgPool with padding, Sigmoid, Gelu. (BatchNorm on vectors is in the golden Mlp; here, over 4 samples, it amplified float32 noise past the check's tolerance.)</summary>
[Network(2, 4, 4)]
[ConvTranspose(4, 3, stride: 2, pad: 1, outputPad: 1), Elu]
[Conv(4, 3, pad: 1, groups: 2)]
[AvgPool(3, stride: 2, pad: 1), Sigmoid, Conv(6, 1), Gelu]
[Flatten, Dense(6), Tanh, Dense(3, bias: false)]
public partial class Smooth;

[Block]
[Relu, Conv(Arg.A, 3, pad: 1), BatchNorm]
public partial class PreActivation;

[Block]
[Conv(Arg.A, 3, stride: Arg.B, pad: 1), Tanh]
public partial class Strided;

[Block]
[Conv(Arg.A, 1, stride: Arg.B)]
public partial class Project;

[Block]
[Conv(Arg.A, 1), Elu]
public partial class Narrow;

[Block]
[MaxPool(3, stride: 1, pad: 1)]
public partial class PoolOnly;

[Block]
[Residual<PreActivation>(Arg.A)]
public partial class Unit;

[Block]
[Repeat<Unit>(2, Arg.A), Concat<Narrow, PoolOnly, Strided>(2, 1)]
public partial class Stage;

/// <summary>Residual whose body starts with Relu (its input's gradient is the sum of two paths through an activation), a projection shortcut, Concat of three branches (one a bare pool), Repeat, Use, nesting.</summary>
[Network(3, 6, 6)]
[Conv(4, 3, pad: 1)]
[Residual<PreActivation>(4)]
[Residual<Strided, Project>(5, 2), Sigmoid]
[Use<Stage>(5)]
[GlobalAvgPool, Flatten, Dense(3)]
public partial class Composed;

/// <summary>A regression head for the squared-error loss.</summary>
[Network(1, 5, 5)]
[Conv(2, 3), Gelu, Flatten, Dense(4), Sigmoid]
public partial class Regression;

/// <summary>Per-pixel class probabilities: a trailing Softmax over the channels of a map.</summary>
[Network(2, 3, 3)]
[Conv(4, 1), Softmax]
public partial class MapSoftmax;

/// <summary>A classifier with a trailing Softmax: training feeds the logits to the loss.</summary>
[Network(1, 4, 4)]
[Flatten, Dense(6), Relu, Dense(3), Softmax]
public partial class WithSoftmax;


[Block]
[Conv(Arg.A, 3, pad: 1), Softmax]
public partial class ChannelAttention;

#pragma warning disable CNN0012 // softmax inside the network, on purpose: its backward is what is checked
/// <summary>Softmax inside the network: over channels of a map (inside a residual, so its input gradient accumulates) and over a vector.</summary>
[Network(2, 3, 3)]
[Conv(3, 1), Residual<ChannelAttention>(3), Flatten, Dense(5), Softmax, Dense(3)]
public partial class InnerSoftmax;
#pragma warning restore CNN0012

[Block]
[BatchNorm, Relu, Conv(Arg.A, 3, pad: 1)]
public partial class PreActivationV2;

[Block]
[Relu, MaxPool(3, stride: 1, pad: 1)]
public partial class RectifiedPool;

[Block]
[Conv(Arg.A, 1)]
public partial class Pointwise;

/// <summary>
/// Every ReLU the generator fuses: ReLU into the MaxPool after it (its input gradient written, and, in the
/// first Concat branch, added to the second branch's), a BatchNorm with its ReLU whose input the residual's
/// identity shortcut also reads (so it adds its input gradient), a residual join with the ReLU after it,
/// and a BatchNorm with its ReLU that writes.
/// </summary>
[Network(2, 6, 6)]
[Conv(4, 3, pad: 1), Relu, MaxPool(2)]
[Residual<PreActivationV2>(4), Relu]
[Concat<RectifiedPool, Pointwise>(3)]
[BatchNorm, Relu, Flatten, Dense(3)]
public partial class Fused;

[Block]
[Conv(Arg.A, 3, stride: Arg.B, pad: 1, bias: false), BatchNorm, Relu, Conv(Arg.A, 3, pad: 1, bias: false), BatchNorm]
public partial class JoinedBody;

[Block]
[Conv(Arg.A, 3, stride: Arg.B, pad: 1, bias: false), BatchNorm, Tanh, Conv(Arg.A, 3, pad: 1, bias: false), BatchNorm]
public partial class SmoothJoinedBody;

[Block]
[Conv(Arg.A, 1, stride: Arg.B, bias: false), BatchNorm]
public partial class JoinedProjection;

/// <summary>
/// resnet8's shape in small: residual joins with a ReLU after them that apply the BatchNorms they alone read, and run those
/// BatchNorms' backward in their own call: the body's last one beside an identity shortcut, then the body's and a projection's.
/// (Too many ReLU kinks for finite differences over 4 samples: <see cref="FrozenBackwardTests"/> compares it with itself.)
/// </summary>
[Network(2, 6, 6)]
[Conv(3, 3, pad: 1, bias: false), BatchNorm, Relu]
[Residual<JoinedBody>(3, 1), Relu]
[Residual<JoinedBody, JoinedProjection>(4, 2), Relu]
[GlobalAvgPool, Flatten, Dense(3)]
public partial class Joined;

/// <summary><see cref="Joined"/> without kinks, for finite differences: Tanh instead of each ReLU and no ReLU after the joins.</summary>
[Network(2, 6, 6)]
[Conv(3, 3, pad: 1), Tanh]
[Residual<SmoothJoinedBody>(3, 1)]
[Residual<SmoothJoinedBody, JoinedProjection>(4, 2)]
[GlobalAvgPool, Flatten, Dense(3)]
public partial class SmoothJoined;
