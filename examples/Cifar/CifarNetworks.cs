using Cnn.Dsl;

namespace CifarExample;

/// <summary>
/// A small VGG-style network for 3×32×32 CIFAR-10 images: three stages of two 3×3 convolutions
/// (32, 64, 128 channels) with BatchNorm, each halved by max pooling, then a dropout and a linear classifier.
/// </summary>
[Network(3, 32, 32)]
[Use<CifarVggStage>(32, Name = "stage1"), Use<CifarVggStage>(64, Name = "stage2"), Use<CifarVggStage>(128, Name = "stage3")]
[Flatten, Dropout(0.3), Dense(10, Name = "classifier")]
public partial class CifarVgg;

/// <summary>Two 3×3 convolutions of <c>Arg.A</c> channels with BatchNorm and ReLU, then a 2×2 max pooling.</summary>
[Block]
[Conv(Arg.A, 3, pad: 1, bias: false), BatchNorm, Relu]
[Conv(Arg.A, 3, pad: 1, bias: false), BatchNorm, Relu, MaxPool(2)]
public partial class CifarVggStage;

/// <summary>
/// A ResNet-style network for CIFAR-10 in the shape He et al. used for it (ResNet-14 here): a 3×3 stem of
/// 16 channels, three stages of two basic blocks at 16, 32 and 64 channels (the last two halving the size
/// through a projection shortcut), global average pooling and a linear classifier.
/// </summary>
[Network(3, 32, 32)]
[Conv(16, 3, pad: 1, bias: false), BatchNorm, Relu]
[Repeat<CifarIdentityUnit>(2, 16, Name = "layer1")]
[Use<CifarDownsamplingUnit>(32, Name = "layer2"), Use<CifarIdentityUnit>(32, Name = "layer2b")]
[Use<CifarDownsamplingUnit>(64, Name = "layer3"), Use<CifarIdentityUnit>(64, Name = "layer3b")]
[GlobalAvgPool, Dense(10, Name = "fc")]
public partial class CifarResNet;

/// <summary>Two 3×3 convolutions of <c>Arg.A</c> channels, the first with stride <c>Arg.B</c>: a basic block's body.</summary>
[Block]
[Conv(Arg.A, 3, stride: Arg.B, pad: 1, bias: false), BatchNorm, Relu]
[Conv(Arg.A, 3, pad: 1, bias: false), BatchNorm]
public partial class CifarBasicBody;

/// <summary>The shortcut that matches a new width and stride: a strided 1×1 convolution and BatchNorm.</summary>
[Block]
[Conv(Arg.A, 1, stride: Arg.B, bias: false), BatchNorm]
public partial class CifarProjection;

/// <summary>A basic block that keeps its input's shape: <c>relu(x + body(x))</c>.</summary>
[Block]
[Residual<CifarBasicBody>(Arg.A, 1, Name = ""), Relu]
public partial class CifarIdentityUnit;

/// <summary>A basic block that halves the size and sets the width <c>Arg.A</c>: <c>relu(shortcut(x) + body(x))</c>.</summary>
[Block]
[Residual<CifarBasicBody, CifarProjection>(Arg.A, 2, Name = ""), Relu]
public partial class CifarDownsamplingUnit;
