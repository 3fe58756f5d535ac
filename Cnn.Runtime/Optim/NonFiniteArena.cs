namespace Cnn.Runtime.Optim;

/// <summary>Which of a network's arenas held a non-finite value, which says what produced it.</summary>
public enum NonFiniteArena
{
    /// <summary>The gradient arena: a layer's backward pass (or the loss) produced it.</summary>
    Gradients,

    /// <summary>The parameter arena: the optimizer's update produced it.</summary>
    Parameters,

    /// <summary>The buffer arena (running statistics): a BatchNorm forward pass produced it.</summary>
    Buffers,
}
