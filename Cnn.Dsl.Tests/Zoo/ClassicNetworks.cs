using Cnn.Dsl;

namespace Cnn.Dsl.Tests.Zoo;

/// <summary>LeNet-5 as usually adapted to 28×28 MNIST (the first convolution padded by 2).</summary>
[Network(1, 28, 28)]
[Conv(6, 5, pad: 2), Relu, MaxPool(2)]
[Conv(16, 5), Relu, MaxPool(2)]
[Flatten, Dense(120), Relu, Dense(84), Relu, Dense(10)]
public partial class LeNet5;

/// <summary>torchvision's alexnet on 3×224×224 (its adaptive pooling is the identity at this size).</summary>
[Network(3, 224, 224)]
[Conv(64, 11, stride: 4, pad: 2), Relu, MaxPool(3, stride: 2)]
[Conv(192, 5, pad: 2), Relu, MaxPool(3, stride: 2)]
[Conv(384, 3, pad: 1), Relu, Conv(256, 3, pad: 1), Relu, Conv(256, 3, pad: 1), Relu, MaxPool(3, stride: 2)]
[Flatten, Dropout, Dense(4096), Relu, Dropout, Dense(4096), Relu, Dense(1000)]
public partial class AlexNet;

/// <summary>torchvision's vgg16 (configuration D, no BatchNorm) on 3×224×224.</summary>
[Network(3, 224, 224)]
[Repeat<ConvRelu>(2, 64), MaxPool(2)]
[Repeat<ConvRelu>(2, 128), MaxPool(2)]
[Repeat<ConvRelu>(3, 256), MaxPool(2)]
[Repeat<ConvRelu>(3, 512), MaxPool(2)]
[Repeat<ConvRelu>(3, 512), MaxPool(2)]
[Flatten, Dense(4096), Relu, Dropout, Dense(4096), Relu, Dropout, Dense(1000)]
public partial class Vgg16;

/// <summary>A 3×3 convolution to <c>Arg.A</c> channels keeping the size, then ReLU.</summary>
[Block]
[Conv(Arg.A, 3, pad: 1), Relu]
public partial class ConvRelu;
