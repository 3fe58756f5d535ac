using System.Collections;
using System.Collections.Generic;
using Cnn.Runtime.Model;

namespace Cnn.Dsl.Tests.Optim;

/// <summary>
/// <see cref="TestLayout"/> with layers frozen by name, standing in for a network's
/// <see cref="ITrainableLayout"/> where the optimizer tests run on bare arenas.
/// </summary>
internal sealed class FreezableLayout : ITrainableLayout
{
    private readonly IReadOnlyList<ParameterInfo> _tensors;
    private readonly HashSet<string> _frozenLayers = [];

    public FreezableLayout(params string[] frozenLayers)
        : this(TestLayout.Tensors, frozenLayers)
    {
    }

    public FreezableLayout(IReadOnlyList<ParameterInfo> tensors, params string[] frozenLayers)
    {
        _tensors = tensors;
        _frozenLayers.UnionWith(frozenLayers);
    }

    public int Count => _tensors.Count;

    public ParameterInfo this[int index] => _tensors[index];

    public void SetFrozen(string layer, bool frozen)
    {
        if (frozen)
        {
            _frozenLayers.Add(layer);
        }
        else
        {
            _frozenLayers.Remove(layer);
        }
    }

    public bool IsFrozen(int index) => !_tensors[index].IsBuffer && _frozenLayers.Contains(_tensors[index].Layer);

    public IEnumerator<ParameterInfo> GetEnumerator() => _tensors.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
