using System.Collections.Generic;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Network;

/// <summary>
/// Which steps of a network (<see cref="NetworkPlan.Layers"/>, forward order) have parameters that
/// train, derived from the network's frozen flags whenever they change. The generated backward pass
/// reads it: a frozen layer's weight gradient is not computed, and nothing before the first step that
/// trains needs a gradient, so backward stops there.
/// </summary>
internal sealed class TrainedSteps
{
    private readonly int[][] _tensorsOfStep;
    private readonly bool[] _trains;

    public TrainedSteps(NetworkPlan plan)
    {
        var steps = plan.Layers.Count;
        _trains = new bool[steps];
        _tensorsOfStep = new int[steps][];
        for (var s = 0; s < steps; s++)
        {
            var tensors = new List<int>();
            for (var i = 0; i < plan.Layout.Count; i++)
            {
                if (!plan.Layout[i].IsBuffer && plan.Layout[i].Layer == plan.Layers[s].Name)
                {
                    tensors.Add(i);
                }
            }
            _tensorsOfStep[s] = tensors.ToArray();
        }
    }

    /// <summary>The first step, in forward order, whose parameters train; the step count when none does.</summary>
    public int First { get; private set; }

    /// <summary>Whether any step trains (else backward has nothing to compute).</summary>
    public bool Any => First < _trains.Length;

    /// <summary>Whether step <paramref name="step"/> has parameters and they are not frozen.</summary>
    public bool this[int step] => _trains[step];

    /// <summary>Recomputes the flags from the network's per-tensor frozen flags (layout order).</summary>
    public void Update(bool[] frozen)
    {
        First = _trains.Length;
        for (var s = _trains.Length - 1; s >= 0; s--)
        {
            _trains[s] = false;
            foreach (var tensor in _tensorsOfStep[s])
            {
                _trains[s] |= !frozen[tensor];
            }
            if (_trains[s])
            {
                First = s;
            }
        }
    }
}
