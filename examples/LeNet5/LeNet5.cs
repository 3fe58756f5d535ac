using Cnn.Dsl;

namespace LeNet5Example;

/// <summary>
/// LeNet-5 (LeCun et al., 1998) in its modern form: ReLU and max pooling, padding 2 on the first
/// convolution so a 28×28 image keeps the 32×32 geometry of the original. 61,706 parameters.
/// </summary>
[Network(1, 28, 28)]
[Conv(6, 5, pad: 2), Relu, MaxPool(2)]
[Conv(16, 5), Relu, MaxPool(2)]
[Flatten, Dense(120), Relu, Dense(84), Relu, Dense(10)]
public partial class LeNet5;
