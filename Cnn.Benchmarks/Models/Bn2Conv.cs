using Cnn.Dsl;

namespace Cnn.Benchmarks.Models;

/// <summary>Two convolution–BatchNorm stages and a dropout head for 1×28×28 images, as <c>bn2conv()</c> in torch_reference.py.</summary>
[Network(1, 28, 28)]
[Conv(32, 3, pad: 1), BatchNorm, Relu, MaxPool(2)]
[Conv(64, 3, pad: 1), BatchNorm, Relu, MaxPool(2)]
[Flatten, Dense(128), Relu, Dropout(0.3), Dense(10)]
public partial class Bn2Conv;
