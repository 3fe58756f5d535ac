namespace Cnn.Runtime.Network;

/// <summary>How a layer's backward step delivers the gradient of its input (decided by the generator from the network's graph).</summary>
public enum InputGradient
{
    /// <summary>Not needed: the input is the network's input, or nothing before it learns.</summary>
    None,

    /// <summary>Overwrite the input's gradient slot: this is the first consumer, in backward order, to contribute.</summary>
    Write,

    /// <summary>Add to the input's gradient slot: the input feeds several layers (a residual or concat fan-out).</summary>
    Accumulate,
}
