using System;

namespace Cnn.Dsl;

/// <summary>
/// Flattens C×H×W to a vector of C·H·W values in C, H, W order (PyTorch's <c>nn.Flatten</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : LayerAttribute
{
}

/// <summary>
/// Fully connected layer, PyTorch's <c>nn.Linear</c>: a vector of N values → <c>units</c> values.
/// Weights are [units, N], He-initialized; bias is [units]. Needs a vector input, so a
/// <see cref="FlattenAttribute"/> (or a global pooling followed by Flatten) must come first.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : LayerAttribute
{
    /// <summary>A fully connected layer.</summary>
    /// <param name="units">Output values.</param>
    /// <param name="bias">Whether the layer adds a learned bias per output.</param>
    public DenseAttribute(int units, bool bias = true)
    {
        Units = units;
        Bias = bias;
    }

    /// <summary>Output values.</summary>
    public int Units { get; }

    /// <summary>Whether a bias is learned.</summary>
    public bool Bias { get; }
}
