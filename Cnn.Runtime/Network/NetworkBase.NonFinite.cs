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
    /// A gradient is not finite: the first layer, in backward order, with a non-finite parameter gradient or input gradient in any
    /// worker. Gradients never live at once share memory (<see cref="NetworkPlan.GradientSlots"/>), so a layer's input gradient may be
    /// gone by now: each worker's backward pass runs again from its loss gradient, which stays in place, and a <see cref="GradientTrace"/>
    /// checks each layer's gradients as soon as the statement writing them has run. Layers before the first that trains do not run,
    /// and that layer writes no input gradient.
    /// </summary>
    private NonFiniteValueException NonFiniteGradient()
    {
        // Worker 0's arena is the network's: with several workers it holds the sums, which its pass run again would overwrite.
        var sums = (float[])Gradients.Clone();
        GradientTrace? first = null;
        foreach (var context in ActiveContexts())
        {
            var trace = new GradientTrace(this, context);
            var timer = context.Timer;
            context.Timer = trace;
            try
            {
                BackwardLayers(context);
            }
            finally
            {
                context.Timer = timer;
            }
            trace.Finish();
            if (trace.Error is not null && (first is null || trace.Layer > first.Layer))
            {
                first = trace;
            }
        }
        sums.CopyTo(Gradients, 0);
        if (first?.Error is { } error)
        {
            return error;
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

    /// <summary>The non-finite gradient of layer <paramref name="l"/> in <paramref name="context"/>: a parameter's, then its input's; or null.</summary>
    private NonFiniteValueException? NonFiniteGradientAt(int l, NetworkContext context)
    {
        var layer = _plan.Layers[l];
        foreach (var info in _plan.Layout)
        {
            if (!info.IsBuffer && info.Layer == layer.Name && !IsFinite(context.Gradients.AsSpan(info.Offset, info.Length)))
            {
                return new NonFiniteValueException(layer.Name, "backward", "gradient of " + info.Name);
            }
        }
        return l > _trainedSteps.First && layer.InputGradientOffset >= 0 && !IsFinite(context.ActivationGradient(layer.InputGradientOffset, layer.InputGradientLength))
            ? new NonFiniteValueException(layer.Name, "backward", "input gradient")
            : null;
    }

    /// <summary>
    /// Checks one worker's layers, in backward order, while its backward pass runs again: at the end of the statement of step
    /// <c>k</c>, every layer from the last one checked down to <c>k</c>, whose gradients that statement or an earlier one wrote
    /// (a BatchNorm its join applies has no statement: the join's wrote them) and whose input gradient is still live, since its
    /// reader, at or below <c>k</c>, has not yet run past it.
    /// </summary>
    private sealed class GradientTrace(NetworkBase network, NetworkContext context) : IStatementTimer
    {
        private int _next = network._plan.Layers.Count - 1;

        /// <summary>The first layer found with a non-finite gradient, or -1.</summary>
        public int Layer { get; private set; } = -1;

        /// <summary>What was found, or null.</summary>
        public NonFiniteValueException? Error { get; private set; }

        public void Start()
        {
        }

        public void Mark(int statement)
        {
            var step = statement - network._plan.Layers.Count;
            if (step >= 0)
            {
                CheckDownTo(step);
            }
        }

        /// <summary>The backward pass has ended: checks the layers left, down to the first that trains.</summary>
        public void Finish() => CheckDownTo(network._trainedSteps.First);

        private void CheckDownTo(int step)
        {
            for (; _next >= step && Error is null; _next--)
            {
                if (network.NonFiniteGradientAt(_next, context) is { } error)
                {
                    (Error, Layer) = (error, _next);
                }
            }
        }
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
