using Cnn.Dsl;

namespace Cnn.Benchmarks.Models;

/// <summary>LeNet-5 for 1×28×28 images, as <c>lenet5()</c> in torch_reference.py: 61,706 parameters.</summary>
[Network(1, 28, 28)]
[Conv(6, 5, pad: 2), Relu, MaxPool(2)]
[Conv(16, 5), Relu, MaxPool(2)]
[Flatten, Dense(120), Relu, Dense(84), Relu, Dense(10)]
public partial class LeNet5;
