using System;

namespace Cnn.Dsl;

/// <summary>
/// Marks a <c>partial</c> class as a network and states the shape of one input sample,
/// channels × height × width (NCHW without the batch). Every other shape is inferred.
/// The layer attributes on the same declaration apply in source order: attribute lists
/// top to bottom, left to right.
/// </summary>
/// <example>
/// <code>
/// [Network(1, 28, 28)]
/// [Conv(6, 5, pad: 2), Relu, MaxPool(2)]
/// [Flatten, Dense(10)]
/// public partial class Tiny;
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    /// <summary>States the input shape of one sample.</summary>
    /// <param name="channels">Input channels (1 for grayscale, 3 for RGB).</param>
    /// <param name="height">Input height in pixels.</param>
    /// <param name="width">Input width in pixels.</param>
    public NetworkAttribute(int channels, int height, int width)
    {
        Channels = channels;
        Height = height;
        Width = width;
    }

    /// <summary>Input channels.</summary>
    public int Channels { get; }

    /// <summary>Input height.</summary>
    public int Height { get; }

    /// <summary>Input width.</summary>
    public int Width { get; }
}

/// <summary>
/// Marks a <c>partial</c> class as a reusable stack of layers with no fixed input, like a
/// generic function: its shapes are inferred anew at each place it is used
/// (<see cref="ResidualAttribute{TBody}"/>, <see cref="ConcatAttribute{TA, TB}"/>,
/// <see cref="RepeatAttribute{TBody}"/>, <see cref="UseAttribute{TBlock}"/>).
/// Integer arguments of its layers may be <see cref="Arg"/> placeholders that each use fills in.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class BlockAttribute : Attribute
{
}

/// <summary>
/// The base of every layer attribute. Every layer may be given a <see cref="Name"/>, which
/// becomes its prefix in the weights file (<c>conv1.weight</c>) and its row in the summary.
/// </summary>
public abstract class LayerAttribute : Attribute
{
    /// <summary>
    /// The layer's name in weight files and the summary. By default the layer kind plus its
    /// 1-based index among layers of that kind in the same network or block
    /// (<c>conv1</c>, <c>bn2</c>, <c>dense1</c>); layers inside a block nest with dots
    /// (<c>res1.conv1.weight</c>). Set it to match a PyTorch module's attribute names.
    /// </summary>
    public string? Name { get; set; }
}
