using Cnn.Dsl;

namespace Cnn.Benchmarks.Models;

/// <summary>Two convolution stages and a wide dense head for 3×32×32 images, as <c>simplecnn()</c> in torch_reference.py.</summary>
[Network(3, 32, 32)]
[Conv(32, 3, pad: 1), Relu, MaxPool(2)]
[Conv(64, 3, pad: 1), Relu, MaxPool(2)]
[Flatten, Dense(512), Relu, Dense(10)]
public partial class SimpleCnn;
