namespace Cnn.Runtime.Training;

public sealed partial class Trainer
{
    /// <summary>
    /// Makes the network's frozen set and the optimizer's agree, so a user freezes once, either way.
    /// At the start of <c>Fit</c>, layers listed in <see cref="Optim.Optimizer.FrozenLayers"/> are
    /// frozen in the network too (which then stops computing their gradients into the update).
    /// From then on the network is the truth: before each epoch the optimizer's list is rebuilt from
    /// <see cref="Network.NetworkBase.IsFrozen"/>, so that a callback calling <c>Network.Unfreeze()</c>
    /// or <c>Network.Freeze(…)</c> between epochs (fine-tuning in stages) takes effect, and frozen
    /// tensors get neither weight decay nor momentum.
    /// </summary>
    private void ApplyFreezing(bool initial)
    {
        var frozen = Optimizer.FrozenLayers;
        if (initial)
        {
            foreach (var tensor in Network.Layout)
            {
                if (!tensor.IsBuffer && frozen.Freezes(tensor.Layer) && !Network.IsFrozen(tensor))
                {
                    Network.Freeze(tensor.Layer);
                }
            }
        }
        frozen.Clear();
        foreach (var tensor in Network.Layout)
        {
            if (!tensor.IsBuffer && Network.IsFrozen(tensor))
            {
                frozen.Add(tensor.Layer);
            }
        }
    }
}
