using System;
using System.Globalization;

namespace Cnn.Runtime.Optim;

/// <summary>
/// Training produced a NaN or an infinity. The message names the tensor, the layer that produced it,
/// the step and the element: <c>gradient of conv2.weight is NaN at step 17 (element [3, 0, 1, 2]):
/// layer conv2 produced it in its backward pass</c>.
/// </summary>
public sealed class NonFiniteException : Exception
{
    /// <summary>Reports <paramref name="value"/>, found in <paramref name="arena"/> at <paramref name="step"/>.</summary>
    public NonFiniteException(NonFiniteValue value, NonFiniteArena arena, long step)
        : base(Describe(value, arena, step))
    {
        Value = value;
        Arena = arena;
        Step = step;
    }

    /// <summary>The value found and where.</summary>
    public NonFiniteValue Value { get; }

    /// <summary>The arena that held it.</summary>
    public NonFiniteArena Arena { get; }

    /// <summary>The training step (1-based) at which it was found.</summary>
    public long Step { get; }

    /// <summary>The tensor's state_dict name (<c>conv2.weight</c>).</summary>
    public string TensorName => Value.Tensor.Name;

    /// <summary>The owning layer's path (<c>conv2</c>).</summary>
    public string Layer => Value.Tensor.Layer;

    private static string Describe(NonFiniteValue value, NonFiniteArena arena, long step)
    {
        var where = string.Format(CultureInfo.InvariantCulture, "{0} at step {1} (element {2})", value.Kind, step, value.Position);
        var layer = value.Tensor.Layer;
        return arena switch
        {
            NonFiniteArena.Gradients => $"gradient of {value.Tensor.Name} is {where}: layer {layer} produced it in its backward pass (check the loss and the learning rate, or clip gradients)",
            NonFiniteArena.Parameters => $"parameter {value.Tensor.Name} is {where}: the optimizer's update of layer {layer} produced it (lower the learning rate or clip gradients)",
            _ => $"running statistic {value.Tensor.Name} is {where}: layer {layer} produced it in its forward pass",
        };
    }
}
