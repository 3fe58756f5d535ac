using System;

namespace Cnn.Dsl;

/// <summary>
/// Batch normalization over channels, PyTorch's <c>nn.BatchNorm2d</c> (or <c>BatchNorm1d</c>
/// after <see cref="FlattenAttribute"/>). Learns γ (<c>weight</c>) and β (<c>bias</c>) per
/// channel; keeps <c>running_mean</c> and <c>running_var</c> as buffers, updated in training
/// with the unbiased batch variance, used as they are in inference.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNormAttribute : LayerAttribute
{
    /// <summary>Batch normalization.</summary>
    /// <param name="eps">Added to the variance before the square root.</param>
    /// <param name="momentum">Weight of the new batch in the running statistics.</param>
    public BatchNormAttribute(double eps = 1e-5, double momentum = 0.1)
    {
        Eps = eps;
        Momentum = momentum;
    }

    /// <summary>Added to the variance before the square root.</summary>
    public double Eps { get; }

    /// <summary>Weight of the new batch in the running statistics.</summary>
    public double Momentum { get; }
}

/// <summary>
/// Dropout, PyTorch's <c>nn.Dropout</c>: in training, zeroes each value with probability
/// <c>rate</c> and scales the rest by 1/(1 − rate); in inference, the identity.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : LayerAttribute
{
    /// <summary>Dropout.</summary>
    /// <param name="rate">Probability of zeroing a value, in [0, 1).</param>
    public DropoutAttribute(double rate = 0.5)
    {
        Rate = rate;
    }

    /// <summary>Probability of zeroing a value.</summary>
    public double Rate { get; }
}
