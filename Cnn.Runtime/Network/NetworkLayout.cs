using System.Collections;
using System.Collections.Generic;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Network;

/// <summary>A network's layout with a read-only view of its frozen flags (which only the network writes).</summary>
internal sealed class NetworkLayout : ITrainableLayout
{
    private readonly IReadOnlyList<ParameterInfo> _tensors;
    private readonly bool[] _frozen;

    public NetworkLayout(IReadOnlyList<ParameterInfo> tensors, bool[] frozen)
    {
        _tensors = tensors;
        _frozen = frozen;
    }

    public int Count => _tensors.Count;

    public ParameterInfo this[int index] => _tensors[index];

    public bool IsFrozen(int index) => _frozen[index];

    public IEnumerator<ParameterInfo> GetEnumerator() => _tensors.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
