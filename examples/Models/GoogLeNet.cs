using Cnn.Dsl;

namespace Cnn.Examples.Models;

// torchvision's googlenet without the auxiliary classifiers (aux_logits=False) for 3×224×224
// images: 6,624,904 parameters under torchvision's state_dict names (inception4a.branch2.1.conv.weight).
// As torchvision, the "5×5" branch uses a 3×3 convolution.

/// <summary>GoogLeNet (Szegedy et al., 2014), Inception v1, as torchvision builds it.</summary>
[Network(3, 224, 224)]
[Use<BasicConv>(64, 7, 2, 3, Name = "conv1"), MaxPool(3, stride: 2, ceilMode: true, Name = "maxpool1")]
[Use<BasicConv>(64, 1, 1, 0, Name = "conv2"), Use<BasicConv>(192, 3, 1, 1, Name = "conv3"), MaxPool(3, stride: 2, ceilMode: true, Name = "maxpool2")]
[Concat<Branch1x1, Branch3x3, Branch5x5, BranchPool>(64, 96, 128, 16, 32, 32, Name = "inception3a")]
[Concat<Branch1x1, Branch3x3, Branch5x5, BranchPool>(128, 128, 192, 32, 96, 64, Name = "inception3b")]
[MaxPool(3, stride: 2, ceilMode: true, Name = "maxpool3")]
[Concat<Branch1x1, Branch3x3, Branch5x5, BranchPool>(192, 96, 208, 16, 48, 64, Name = "inception4a")]
[Concat<Branch1x1, Branch3x3, Branch5x5, BranchPool>(160, 112, 224, 24, 64, 64, Name = "inception4b")]
[Concat<Branch1x1, Branch3x3, Branch5x5, BranchPool>(128, 128, 256, 24, 64, 64, Name = "inception4c")]
[Concat<Branch1x1, Branch3x3, Branch5x5, BranchPool>(112, 144, 288, 32, 64, 64, Name = "inception4d")]
[Concat<Branch1x1, Branch3x3, Branch5x5, BranchPool>(256, 160, 320, 32, 128, 128, Name = "inception4e")]
[MaxPool(2, stride: 2, ceilMode: true, Name = "maxpool4")]
[Concat<Branch1x1, Branch3x3, Branch5x5, BranchPool>(256, 160, 320, 32, 128, 128, Name = "inception5a")]
[Concat<Branch1x1, Branch3x3, Branch5x5, BranchPool>(384, 192, 384, 48, 128, 128, Name = "inception5b")]
[GlobalAvgPool, Dropout(0.2), Dense(1000, Name = "fc")]
public partial class GoogLeNet;

/// <summary>torchvision's BasicConv2d: <c>Arg.A</c> filters of size <c>Arg.B</c>, stride <c>Arg.C</c>, padding <c>Arg.D</c>, no bias, BatchNorm (eps 0.001), ReLU.</summary>
[Block]
[Conv(Arg.A, Arg.B, stride: Arg.C, pad: Arg.D, bias: false, Name = "conv"), BatchNorm(eps: 0.001, Name = "bn"), Relu]
public partial class BasicConv;

// Every branch gets the Inception module's six widths: A 1×1, B 3×3 reduce, C 3×3, D "5×5" reduce, E "5×5", F pool projection.

/// <summary>Inception branch 1: a 1×1 convolution to <c>Arg.A</c> channels.</summary>
[Block]
[Conv(Arg.A, 1, bias: false, Name = "conv"), BatchNorm(eps: 0.001, Name = "bn"), Relu]
public partial class Branch1x1;

/// <summary>Inception branch 2: 1×1 to <c>Arg.B</c>, then 3×3 to <c>Arg.C</c>.</summary>
[Block]
[Use<BasicConv>(Arg.B, 1, 1, 0, Name = "0"), Use<BasicConv>(Arg.C, 3, 1, 1, Name = "1")]
public partial class Branch3x3;

/// <summary>Inception branch 3: 1×1 to <c>Arg.D</c>, then 3×3 (torchvision's "5×5") to <c>Arg.E</c>.</summary>
[Block]
[Use<BasicConv>(Arg.D, 1, 1, 0, Name = "0"), Use<BasicConv>(Arg.E, 3, 1, 1, Name = "1")]
public partial class Branch5x5;

/// <summary>Inception branch 4: 3×3 max pooling at stride 1, then 1×1 to <c>Arg.F</c>.</summary>
[Block]
[MaxPool(3, stride: 1, pad: 1, ceilMode: true, Name = "0"), Use<BasicConv>(Arg.F, 1, 1, 0, Name = "1")]
public partial class BranchPool;
