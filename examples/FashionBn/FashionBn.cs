using Cnn.Dsl;

namespace FashionBnExample;

/// <summary>
/// Two 3×3 convolution stages, each normalized by BatchNorm before its ReLU and halved by max
/// pooling, then a dropout-regularized dense head: the "2 Conv + pooling + BN" family that the
/// Fashion-MNIST benchmark lists at 93.4%.
/// </summary>
[Network(1, 28, 28)]
[Conv(32, 3, pad: 1), BatchNorm, Relu, MaxPool(2)]
[Conv(64, 3, pad: 1), BatchNorm, Relu, MaxPool(2)]
[Flatten, Dense(128), Relu, Dropout(0.3), Dense(10)]
public partial class FashionBn;
