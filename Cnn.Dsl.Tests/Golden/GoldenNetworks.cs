// Written by tools/golden/make_golden.py from its network definitions (tools/golden/networks.py):
// edit them there and regenerate, so these classes and the golden files never disagree.
using Cnn.Dsl;

namespace Cnn.Dsl.Tests.Golden;

[Block]
[Conv(Arg.A, 3, pad: 1), BatchNorm, Relu]
[Conv(Arg.A, 3, pad: 1)]
public partial class ResBody;

[Block]
[Conv(Arg.A, 3, stride: Arg.B, pad: 1), BatchNorm, Relu]
[Conv(Arg.A, 3, pad: 1), BatchNorm]
public partial class ProjBody;

[Block]
[Conv(Arg.A, 1, stride: Arg.B, bias: false), BatchNorm]
public partial class Projection;

[Block]
[Conv(Arg.A, 1), Relu]
public partial class Branch1x1;

[Block]
[Conv(Arg.A, 3, pad: 1), Relu]
public partial class Branch3x3;

[Block]
[Conv(Arg.B, 3, pad: 1), Relu]
public partial class BranchWide;

[Block]
[MaxPool(3, stride: 1, pad: 1), Conv(Arg.A, 1)]
public partial class BranchPool;

[Block]
[AvgPool(3, stride: 1, pad: 1), Conv(Arg.A, 1), Relu]
public partial class BranchAvg;

[Block]
[Conv(Arg.A, 3, pad: 1, bias: false), BatchNorm, LeakyRelu]
public partial class RepeatUnit;

[Block]
[Concat<Branch1x1, Branch3x3>(2), BatchNorm]
[Conv(Arg.A, 1)]
public partial class InnerBody;

[Block]
[Residual<InnerBody>(Arg.A), Relu]
public partial class ResUnit;

[Block]
[Conv(Arg.A, 3, pad: 1), Relu]
[Repeat<ResUnit>(2, Arg.A)]
public partial class Stage;

[Block]
[Conv(Arg.A, 3, stride: Arg.B, pad: 1, bias: false), BatchNorm, Relu]
[Conv(Arg.A, 3, pad: 1, bias: false), BatchNorm]
public partial class Basic;

[Block]
[Conv(Arg.A, 1, stride: Arg.B, bias: false, Name = "0"), BatchNorm(Name = "1")]
public partial class Downsample;

[Block]
[Residual<Basic>(Arg.A, 1, Name = ""), Relu]
public partial class BasicUnit;

[Block]
[Residual<Basic, Downsample>(Arg.A, 2, Name = "0", ShortcutName = "downsample"), Relu]
[Residual<Basic>(Arg.A, 1, Name = "1"), Relu]
public partial class DownStage;

/// <summary>
/// Convolution with padding, stride, no bias and a 1×1 kernel; Relu, Tanh, Sigmoid; Flatten, Dense.
/// </summary>
[Network(1, 9, 9)]
[Conv(3, 3, pad: 1), Relu]
[Conv(4, 3, stride: 2, pad: 1, bias: false), Tanh]
[Conv(4, 1), Sigmoid]
[Flatten, Dense(3)]
public partial class ConvBasics;

/// <summary>
/// Dilation, groups, depthwise (with and without a channel multiplier); LeakyRelu(0.2), Elu(0.5), Gelu; Dense without bias.
/// </summary>
[Network(4, 9, 9)]
[Conv(4, 3, dilation: 2), LeakyRelu(0.2)]
[Conv(6, 3, pad: 1, groups: 2), Elu(0.5)]
[Conv(6, 3, pad: 1, groups: 6), Gelu]
[Conv(12, 3, stride: 2, pad: 2, dilation: 2, groups: 6), Relu]
[GlobalAvgPool, Flatten, Dense(3, bias: false)]
public partial class DilatedGrouped;

/// <summary>
/// ConvTranspose with stride, pad and outputPad, without bias, and at stride 1.
/// </summary>
[Network(2, 3, 3)]
[ConvTranspose(3, 3, stride: 2, pad: 1, outputPad: 1), Relu]
[ConvTranspose(2, 2, stride: 2, bias: false), Tanh]
[ConvTranspose(2, 3, pad: 1)]
[AvgPool(4), Flatten, Dense(3)]
public partial class TransposedConv;

/// <summary>
/// Max and average pooling with padding (averages count the padding, as PyTorch's default) and strides other than the window.
/// </summary>
[Network(2, 9, 9)]
[Conv(3, 3, pad: 1)]
[MaxPool(3, stride: 2, pad: 1), Relu]
[AvgPool(3, stride: 1, pad: 1)]
[MaxPool(2, stride: 1), AvgPool(2)]
[Flatten, Dense(3)]
public partial class PoolingFloor;

/// <summary>
/// Ceil mode: partial windows at the end, the padded average's shrinking divisor, and PyTorch's rule dropping a window that starts in the right padding.
/// </summary>
[Network(2, 8, 8)]
[Conv(3, 3, pad: 1)]
[MaxPool(3, stride: 2, ceilMode: true)]
[AvgPool(3, stride: 2, pad: 1, ceilMode: true)]
[MaxPool(2, pad: 1, ceilMode: true)]
[Flatten, Dense(3)]
public partial class PoolingCeil;

/// <summary>
/// BatchNorm on maps in training (batch statistics, running-statistics update) and evaluation, default and custom eps and momentum.
/// </summary>
[Network(3, 6, 6)]
[Conv(4, 3, pad: 1, bias: false), BatchNorm, Relu]
[Conv(4, 2, stride: 2), BatchNorm(eps: 0.001, momentum: 0.3), Relu]
[GlobalAvgPool, Flatten, Dense(3)]
public partial class BatchNormConv;

/// <summary>
/// Dense layers; BatchNorm on vectors; Dropout(0) (identity in training too); default Elu and LeakyRelu.
/// </summary>
[Network(1, 4, 4)]
[Flatten, Dense(12), BatchNorm, Relu, Dropout(0.0)]
[Dense(8), Elu]
[Dense(6, bias: false), LeakyRelu]
[Dense(3)]
public partial class Mlp;

/// <summary>
/// Residual x + body(x), used twice (res1, res2), the body's width from a placeholder.
/// </summary>
[Network(2, 6, 6)]
[Conv(4, 3, pad: 1), Relu]
[Residual<ResBody>(4), Relu]
[Residual<ResBody>(4), Relu]
[GlobalAvgPool, Flatten, Dense(3)]
public partial class ResidualIdentity;

/// <summary>
/// Residual with a projection shortcut (stride 2, more channels), default and custom shortcut names.
/// </summary>
[Network(3, 7, 7)]
[Conv(4, 3, pad: 1), Relu]
[Residual<ProjBody, Projection>(6, 2), Relu]
[Residual<ProjBody, Projection>(6, 1, ShortcutName = "proj"), Relu]
[GlobalAvgPool, Flatten, Dense(3)]
public partial class ResidualProjection;

/// <summary>
/// Concat of two, three and four branches (pooling branches too), a branch reading the second placeholder, a named concat.
/// </summary>
[Network(3, 5, 5)]
[Concat<Branch1x1, Branch3x3>(2)]
[Concat<Branch1x1, Branch3x3, BranchPool>(2)]
[Concat<Branch1x1, BranchWide, BranchPool, BranchAvg>(2, 3, Name = "mixed")]
[GlobalAvgPool, Flatten, Dense(3)]
public partial class InceptionConcat;

/// <summary>
/// Repeat: three copies of a block, each with its own weights (repeat1.0 … repeat1.2).
/// </summary>
[Network(2, 6, 6)]
[Conv(4, 3, pad: 1)]
[Repeat<RepeatUnit>(3, 4)]
[GlobalAvgPool, Flatten, Dense(3)]
public partial class RepeatNet;

/// <summary>
/// Blocks within blocks: Use of a stage holding a Repeat of residuals whose body holds a Concat; placeholders passed on.
/// </summary>
[Network(2, 5, 5)]
[Use<Stage>(4)]
[Use<Stage>(3, Name = "late")]
[GlobalAvgPool, Flatten, Dense(3)]
public partial class NestedBlocks;

/// <summary>
/// torchvision's ResNet naming (layer1.0.conv1, layer2.0.downsample.0): Name overrides and an unscoped residual.
/// </summary>
[Network(3, 9, 9)]
[Conv(4, 3, pad: 1, bias: false), BatchNorm, Relu, MaxPool(3, stride: 2, pad: 1)]
[Repeat<BasicUnit>(2, 4, Name = "layer1")]
[Use<DownStage>(8, Name = "layer2")]
[GlobalAvgPool, Flatten, Dense(3, Name = "fc")]
public partial class MiniResNet;

/// <summary>
/// Evaluation only (Dropout above 0 draws random masks): Dropout is the identity, Softmax ends the network.
/// </summary>
[Network(1, 6, 6)]
[Conv(3, 3), Relu, Dropout]
[MaxPool(2), Flatten, Dense(5), Dropout(0.25)]
[Dense(4), Softmax]
public partial class InferenceHead;

/// <summary>
/// LeNet-5 as DESIGN.md writes it; its PyTorch state_dict is lenet5_state_dict.safetensors.
/// </summary>
[Network(1, 28, 28)]
[Conv(6, 5, pad: 2), Relu, MaxPool(2)]
[Conv(16, 5), Relu, MaxPool(2)]
[Flatten, Dense(120), Relu, Dense(84), Relu, Dense(10)]
public partial class LeNet5;
