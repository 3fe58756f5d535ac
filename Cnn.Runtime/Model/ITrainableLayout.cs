using System.Collections.Generic;

namespace Cnn.Runtime.Model;

/// <summary>
/// A network's tensors (its <see cref="ParameterInfo"/> layout) with a live, read-only view of which
/// of them the network has frozen. <see cref="Network.NetworkBase.Layout"/> is one, and the network
/// is the only owner of the frozen state (<see cref="Network.NetworkBase.Freeze"/>): an optimizer
/// built over it, <see cref="Optim.GradientClipping"/> and <see cref="Optim.NonFiniteScan"/> given it
/// leave frozen tensors out, whenever they were frozen. A plain list of tensors freezes nothing.
/// </summary>
public interface ITrainableLayout : IReadOnlyList<ParameterInfo>
{
    /// <summary>Whether the tensor at <paramref name="index"/> is frozen (kept out of training); false for buffers.</summary>
    /// <param name="index">Position in the layout.</param>
    /// <returns>True while the network holds it frozen.</returns>
    bool IsFrozen(int index);
}
