using System;

namespace Cnn.Runtime.Network;

/// <summary>
/// A NaN or infinity appeared in a training step. <see cref="Layer"/> names the first layer, in the
/// order the values were computed, that produced one: scanning forward activations in layer order
/// for a non-finite loss, and backward gradients in reverse layer order for a non-finite gradient.
/// The network's parameters are left as they were before the step's update.
/// </summary>
public sealed class NonFiniteValueException : ArithmeticException
{
    /// <summary>Reports a non-finite value.</summary>
    /// <param name="layer">The first layer that produced one (or <c>loss</c> when every activation was finite).</param>
    /// <param name="pass"><c>forward</c> or <c>backward</c>.</param>
    /// <param name="what">What was non-finite (<c>output</c>, <c>input gradient</c>, <c>gradient of conv1.weight</c>).</param>
    public NonFiniteValueException(string layer, string pass, string what)
        : base($"NaN or infinity in the {pass} pass: layer '{layer}' produced a non-finite {what}.")
    {
        Layer = layer;
        Pass = pass;
    }

    /// <summary>The first layer that produced a non-finite value.</summary>
    public string Layer { get; }

    /// <summary>Which pass: <c>forward</c> or <c>backward</c>.</summary>
    public string Pass { get; }
}
