using Cnn.Dsl;

namespace Cnn.Examples.Models;

// torchvision's resnet18 for 3×224×224 ImageNet images: 11,689,512 parameters, and the same
// state_dict names (conv1.weight, layer2.0.downsample.0.weight, fc.bias), so its weights load as they are.

/// <summary>ResNet-18 (He et al., 2015), layer for layer as torchvision builds it.</summary>
[Network(3, 224, 224)]
[Conv(64, 7, stride: 2, pad: 3, bias: false), BatchNorm, Relu, MaxPool(3, stride: 2, pad: 1)]
[Repeat<BasicUnit>(2, 64, Name = "layer1")]
[Use<DownsamplingStage>(128, Name = "layer2")]
[Use<DownsamplingStage>(256, Name = "layer3")]
[Use<DownsamplingStage>(512, Name = "layer4")]
[GlobalAvgPool, Dense(1000, Name = "fc")]
public partial class ResNet18;

/// <summary>Two 3×3 convolutions of <c>Arg.A</c> channels, the first with stride <c>Arg.B</c>: torchvision's BasicBlock body.</summary>
[Block]
[Conv(Arg.A, 3, stride: Arg.B, pad: 1, bias: false), BatchNorm, Relu]
[Conv(Arg.A, 3, pad: 1, bias: false), BatchNorm]
public partial class Basic;

/// <summary>The shortcut that matches a stage's new width and stride: a strided 1×1 convolution and BatchNorm, named as torchvision's <c>downsample</c>.</summary>
[Block]
[Conv(Arg.A, 1, stride: Arg.B, bias: false, Name = "0"), BatchNorm(Name = "1")]
public partial class Projection;

/// <summary>A BasicBlock that keeps its input's shape: <c>relu(x + Basic(x))</c>.</summary>
[Block]
[Residual<Basic>(Arg.A, 1, Name = ""), Relu]
public partial class BasicUnit;

/// <summary>A BasicBlock that halves the size and sets the width <c>Arg.A</c>: <c>relu(Projection(x) + Basic(x))</c>.</summary>
[Block]
[Residual<Basic, Projection>(Arg.A, 2, Name = "", ShortcutName = "downsample"), Relu]
public partial class DownsamplingUnit;

/// <summary>A ResNet-18 stage after the first: a downsampling block, then one that keeps the shape (<c>layerN.0</c>, <c>layerN.1</c>).</summary>
[Block]
[Use<DownsamplingUnit>(Arg.A, Name = "0"), Use<BasicUnit>(Arg.A, Name = "1")]
public partial class DownsamplingStage;
