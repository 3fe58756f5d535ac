using System;
using System.Collections.Generic;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Network;

/// <summary>
/// PyTorch's default initialization, reproduced in distribution (not bit for bit, since the random
/// streams differ): convolution and dense weights and biases uniform in ±1/√fan_in (Kaiming-uniform
/// with a = √5), BatchNorm γ = 1, β = 0, running mean 0, running variance 1.
/// </summary>
public static class ParameterInitializer
{
    /// <summary>Initializes every tensor of <paramref name="layout"/>, drawing in layout order from a stream of <paramref name="seed"/>.</summary>
    /// <param name="layout">The network's parameters and buffers.</param>
    /// <param name="parameters">The parameter arena.</param>
    /// <param name="buffers">The buffer arena.</param>
    /// <param name="seed">The seed; the same seed gives the same values.</param>
    public static void Initialize(IReadOnlyList<ParameterInfo> layout, Span<float> parameters, Span<float> buffers, long seed)
    {
        var random = new SeededRandom(seed, stream: -1);
        foreach (var info in layout)
        {
            var target = info.IsBuffer ? buffers.Slice(info.Offset, info.Length) : parameters.Slice(info.Offset, info.Length);
            switch (info.Role)
            {
                case ParameterRole.Weight:
                case ParameterRole.Bias:
                    var bound = 1f / MathF.Sqrt(FanIn(layout, info));
                    random.FillUniform(target, -bound, bound);
                    break;
                case ParameterRole.Scale:
                case ParameterRole.RunningVar:
                    target.Fill(1f);
                    break;
                default:
                    target.Clear();
                    break;
            }
        }
    }

    /// <summary>
    /// PyTorch's fan-in of a weight: its second dimension times its receptive field
    /// (<c>in/groups·kh·kw</c> for Conv, <c>out·kh·kw</c> for ConvTranspose, <c>in</c> for Dense); a
    /// bias uses its layer's weight.
    /// </summary>
    /// <param name="layout">The network's tensors (to find a bias's weight).</param>
    /// <param name="info">A weight or bias.</param>
    /// <returns>The fan-in, at least 1.</returns>
    public static int FanIn(IReadOnlyList<ParameterInfo> layout, ParameterInfo info)
    {
        var weight = info;
        if (info.Role != ParameterRole.Weight)
        {
            foreach (var other in layout)
            {
                if (other.Layer == info.Layer && other.Role == ParameterRole.Weight)
                {
                    weight = other;
                    break;
                }
            }
        }
        if (weight.Shape.Length < 2)
        {
            return Math.Max(1, weight.Length);
        }
        var fanIn = 1;
        for (var i = 1; i < weight.Shape.Length; i++)
        {
            fanIn *= weight.Shape[i];
        }
        return Math.Max(1, fanIn);
    }
}
