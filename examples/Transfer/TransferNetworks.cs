using Cnn.Dsl;

namespace TransferExample;

/// <summary>LeNet-style network trained on Fashion-MNIST classes 0–4 (T-shirt, trouser, pullover, dress, coat).</summary>
[Network(1, 28, 28)]
[Conv(6, 5, pad: 2), Relu, MaxPool(2)]
[Conv(16, 5), Relu, MaxPool(2)]
[Flatten, Dense(120), Relu, Dense(84), Relu, Dense(5)]
public partial class SourceNet;

/// <summary>
/// The same convolutions (same names, so <c>conv1</c> and <c>conv2</c> tensors carry over) with a new,
/// smaller head for classes 5–9 (sandal, shirt, sneaker, bag, ankle boot).
/// </summary>
[Network(1, 28, 28)]
[Conv(6, 5, pad: 2), Relu, MaxPool(2)]
[Conv(16, 5), Relu, MaxPool(2)]
[Flatten, Dense(64), Relu, Dense(5)]
public partial class TargetNet;
