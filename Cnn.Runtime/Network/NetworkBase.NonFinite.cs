using System;
using System.Numerics.Tensors;

namespace Cnn.Runtime.Network;

public abstract partial class NetworkBase
{
    /// <summary>The loss is not finite: the first layer, in forward order, whose output has a NaN or infinity in any worker.</summary>
    private NonFiniteValueException NonFiniteForward()
    {
        foreach (var layer in _plan.Layers)
        {
            foreach (var context in ActiveContexts())
            {
                if (!IsFinite(context.Activation(layer.OutputOffset, layer.OutputLength)))
                {
                    return new NonFiniteValueException(layer.Name, "forward", "output");
                }
            }
        }
        return new NonFiniteValueException("loss", "forward", "loss (every layer's output was finite)");
    }

    /// <summary>
    /// A gradient is not finite: the first layer, in backward order, with a non-finite parameter
    /// gradient or input gradient in any worker. Layers before the first that trains did not run, and
    /// that layer wrote no input gradient: what their slots hold is from an earlier pass.
    /// </summary>
    private NonFiniteValueException NonFiniteGradient()
    {
        for (var l = _plan.Layers.Count - 1; l >= _trainedSteps.First; l--)
        {
            var layer = _plan.Layers[l];
            foreach (var context in ActiveContexts())
            {
                foreach (var info in _plan.Layout)
                {
                    if (!info.IsBuffer && info.Layer == layer.Name && !IsFinite(context.Gradients.AsSpan(info.Offset, info.Length)))
                    {
                        return new NonFiniteValueException(layer.Name, "backward", "gradient of " + info.Name);
                    }
                }
                if (l > _trainedSteps.First && layer.InputGradientOffset >= 0 && !IsFinite(context.ActivationGradient(layer.InputGradientOffset, layer.InputGradientLength)))
                {
                    return new NonFiniteValueException(layer.Name, "backward", "input gradient");
                }
            }
        }
        foreach (var info in _plan.Layout)
        {
            if (!info.IsBuffer && !IsFinite(Gradients.AsSpan(info.Offset, info.Length)))
            {
                return new NonFiniteValueException(info.Layer, "backward", "gradient of " + info.Name + " (after summing the workers)");
            }
        }
        return new NonFiniteValueException("unknown", "backward", "gradient");
    }

    /// <summary>Whether every gradient of a trained tensor is finite (frozen ones are zero, never written).</summary>
    private bool TrainedGradientsFinite()
    {
        for (var i = 0; i < _frozen.Length; i++)
        {
            var info = _plan.Layout[i];
            if (!info.IsBuffer && !_frozen[i] && !IsFinite(Gradients.AsSpan(info.Offset, info.Length)))
            {
                return false;
            }
        }
        return true;
    }

    private NetworkContext[] ActiveContexts()
    {
        var active = 0;
        foreach (var count in _counts)
        {
            active += count > 0 ? 1 : 0;
        }
        return _contexts.AsSpan(0, active).ToArray();
    }

    private static bool IsFinite(ReadOnlySpan<float> values) => values.IsEmpty || float.IsFinite(TensorPrimitives.MaxMagnitude(values));
}
