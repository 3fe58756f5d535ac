using Cnn.Dsl;

namespace Cnn.Examples.Models;

// torchvision's resnet50 (v1.5: the stride on the 3×3 convolution) for 3×224×224 images:
// 25,557,032 parameters under torchvision's state_dict names.

/// <summary>ResNet-50 (He et al., 2015), layer for layer as torchvision builds it.</summary>
[Network(3, 224, 224)]
[Conv(64, 7, stride: 2, pad: 3, bias: false), BatchNorm, Relu, MaxPool(3, stride: 2, pad: 1)]
[Use<ThreeBottlenecks>(64, 256, 1, Name = "layer1")]
[Use<FourBottlenecks>(128, 512, 2, Name = "layer2")]
[Use<SixBottlenecks>(256, 1024, 2, Name = "layer3")]
[Use<ThreeBottlenecks>(512, 2048, 2, Name = "layer4")]
[GlobalAvgPool, Dense(1000, Name = "fc")]
public partial class ResNet50;

/// <summary>
/// torchvision's Bottleneck body: 1×1 down to <c>Arg.A</c> channels, 3×3 at stride <c>Arg.C</c>,
/// 1×1 up to <c>Arg.B</c> channels.
/// </summary>
[Block]
[Conv(Arg.A, 1, bias: false), BatchNorm, Relu]
[Conv(Arg.A, 3, stride: Arg.C, pad: 1, bias: false), BatchNorm, Relu]
[Conv(Arg.B, 1, bias: false), BatchNorm]
public partial class Bottleneck;

/// <summary>The shortcut to <c>Arg.B</c> channels at stride <c>Arg.C</c>, torchvision's <c>downsample</c>.</summary>
[Block]
[Conv(Arg.B, 1, stride: Arg.C, bias: false, Name = "0"), BatchNorm(Name = "1")]
public partial class BottleneckProjection;

/// <summary>The first block of a stage, which changes width (and size): <c>relu(projection(x) + bottleneck(x))</c>.</summary>
[Block]
[Residual<Bottleneck, BottleneckProjection>(Arg.A, Arg.B, Arg.C, Name = "", ShortcutName = "downsample"), Relu]
public partial class FirstBottleneck;

/// <summary>A block that keeps its input's shape: <c>relu(x + bottleneck(x))</c>.</summary>
[Block]
[Residual<Bottleneck>(Arg.A, Arg.B, 1, Name = ""), Relu]
public partial class NextBottleneck;

/// <summary>A stage of three blocks (<c>layerN.0</c> … <c>layerN.2</c>).</summary>
[Block]
[Use<FirstBottleneck>(Arg.A, Arg.B, Arg.C, Name = "0"), Use<NextBottleneck>(Arg.A, Arg.B, Name = "1"), Use<NextBottleneck>(Arg.A, Arg.B, Name = "2")]
public partial class ThreeBottlenecks;

/// <summary>A stage of four blocks.</summary>
[Block]
[Use<FirstBottleneck>(Arg.A, Arg.B, Arg.C, Name = "0"), Use<NextBottleneck>(Arg.A, Arg.B, Name = "1")]
[Use<NextBottleneck>(Arg.A, Arg.B, Name = "2"), Use<NextBottleneck>(Arg.A, Arg.B, Name = "3")]
public partial class FourBottlenecks;

/// <summary>A stage of six blocks.</summary>
[Block]
[Use<FirstBottleneck>(Arg.A, Arg.B, Arg.C, Name = "0"), Use<NextBottleneck>(Arg.A, Arg.B, Name = "1")]
[Use<NextBottleneck>(Arg.A, Arg.B, Name = "2"), Use<NextBottleneck>(Arg.A, Arg.B, Name = "3")]
[Use<NextBottleneck>(Arg.A, Arg.B, Name = "4"), Use<NextBottleneck>(Arg.A, Arg.B, Name = "5")]
public partial class SixBottlenecks;
