namespace Cnn.Generators.Models;

/// <summary>Every kind of layer the language has, including the compositions.</summary>
internal enum LayerKind
{
    Conv,
    ConvTranspose,
    MaxPool,
    AvgPool,
    GlobalAvgPool,
    BatchNorm,
    Dropout,
    Flatten,
    Dense,
    Relu,
    LeakyRelu,
    Elu,
    Tanh,
    Sigmoid,
    Gelu,
    Softmax,
    Residual,
    Concat,
    Repeat,
    Use,
}
