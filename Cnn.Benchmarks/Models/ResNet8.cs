using Cnn.Dsl;

namespace Cnn.Benchmarks.Models;

// resnet8() of torch_reference.py: a 16-channel stem, one basic block that keeps the shape (identity
// shortcut) and two that halve the size and double the width (1×1 projection shortcut), global
// average pooling and a 10-way classifier.

/// <summary>A CIFAR-style ResNet-8 for 3×32×32 images: 78,042 parameters, as PyTorch counts them.</summary>
[Network(3, 32, 32)]
[Conv(16, 3, pad: 1, bias: false), BatchNorm, Relu]
[Residual<BasicBody>(16, 1), Relu]
[Residual<BasicBody, ProjectionShortcut>(32, 2), Relu]
[Residual<BasicBody, ProjectionShortcut>(64, 2), Relu]
[GlobalAvgPool, Dense(10)]
public partial class ResNet8;

/// <summary>Two 3×3 convolutions of <c>Arg.A</c> channels with BatchNorm, the first with stride <c>Arg.B</c>: the residual branch of a basic block.</summary>
[Block]
[Conv(Arg.A, 3, stride: Arg.B, pad: 1, bias: false), BatchNorm, Relu]
[Conv(Arg.A, 3, pad: 1, bias: false), BatchNorm]
public partial class BasicBody;

/// <summary>A strided 1×1 convolution and BatchNorm that match the residual branch's width <c>Arg.A</c> and stride <c>Arg.B</c>.</summary>
[Block]
[Conv(Arg.A, 1, stride: Arg.B, bias: false), BatchNorm]
public partial class ProjectionShortcut;
