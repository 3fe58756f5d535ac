using System;

namespace Cnn.Dsl;

/// <summary>Rectified linear unit, <c>max(0, x)</c>, elementwise.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ReluAttribute : LayerAttribute
{
}

/// <summary>Leaky ReLU, <c>x</c> for x ≥ 0 and <c>slope·x</c> otherwise, elementwise.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LeakyReluAttribute : LayerAttribute
{
    /// <summary>Leaky ReLU.</summary>
    /// <param name="slope">Slope for negative inputs (PyTorch's <c>negative_slope</c>).</param>
    public LeakyReluAttribute(double slope = 0.01)
    {
        Slope = slope;
    }

    /// <summary>Slope for negative inputs.</summary>
    public double Slope { get; }
}

/// <summary>Exponential linear unit, <c>x</c> for x &gt; 0 and <c>alpha·(eˣ − 1)</c> otherwise.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class EluAttribute : LayerAttribute
{
    /// <summary>ELU.</summary>
    /// <param name="alpha">Saturation value for large negative inputs.</param>
    public EluAttribute(double alpha = 1.0)
    {
        Alpha = alpha;
    }

    /// <summary>Saturation value for large negative inputs.</summary>
    public double Alpha { get; }
}

/// <summary>Hyperbolic tangent, elementwise.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class TanhAttribute : LayerAttribute
{
}

/// <summary>Logistic sigmoid, <c>1 / (1 + e⁻ˣ)</c>, elementwise.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SigmoidAttribute : LayerAttribute
{
}

/// <summary>Gaussian error linear unit, <c>x·Φ(x)</c> with the exact normal CDF (PyTorch's default).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GeluAttribute : LayerAttribute
{
}

/// <summary>
/// Softmax over the features of each sample, for inference output. Training already applies
/// a fused, numerically stable softmax inside the cross-entropy loss, so a network that
/// trains should end in <see cref="DenseAttribute"/>; the analyzer warns when a Softmax
/// would be applied twice.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SoftmaxAttribute : LayerAttribute
{
}
