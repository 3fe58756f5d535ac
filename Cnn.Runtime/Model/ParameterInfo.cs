namespace Cnn.Runtime.Model;

/// <summary>
/// One named tensor of a network, as PyTorch's state_dict names and lays it out
/// (<c>conv1.weight</c> as [out, in/groups, kh, kw]), and where it lives: an offset into the
/// parameter arena for learned values (and, at the same offset, the gradient arena), or into the
/// buffer arena for running statistics.
/// </summary>
/// <param name="Name">The state_dict name (<c>layer1.0.conv1.weight</c>).</param>
/// <param name="Layer">The owning layer's dotted path (<c>layer1.0.conv1</c>), the unit of freezing.</param>
/// <param name="Shape">The PyTorch shape.</param>
/// <param name="Offset">Offset into the parameter arena, or the buffer arena when <see cref="IsBuffer"/>.</param>
/// <param name="Role">What the tensor is.</param>
public sealed record ParameterInfo(string Name, string Layer, int[] Shape, int Offset, ParameterRole Role)
{
    /// <summary>Number of values.</summary>
    public int Length
    {
        get
        {
            var length = 1;
            foreach (var dim in Shape)
            {
                length *= dim;
            }
            return length;
        }
    }

    /// <summary>Whether this is a buffer (running statistics), kept out of the optimizer.</summary>
    public bool IsBuffer => Role is ParameterRole.RunningMean or ParameterRole.RunningVar;

    /// <summary>Whether weight decay applies by default (PyTorch applies it to every parameter; this is informational for users who exclude biases and norms).</summary>
    public bool IsWeight => Role == ParameterRole.Weight;
}
