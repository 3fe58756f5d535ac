using Cnn.Generators.Models;

namespace Cnn.Generators.Emit;

/// <summary>
/// One named tensor of a network and where it lives: an offset into the parameter arena for
/// learned values (the gradient arena uses the same offsets) or into the buffer arena for
/// running statistics.
/// </summary>
/// <param name="Name">The PyTorch state_dict name (<c>layer1.0.conv1.weight</c>).</param>
/// <param name="Layer">The owning layer's path (<c>layer1.0.conv1</c>).</param>
/// <param name="Shape">PyTorch's shape of the tensor (<c>[out, in/groups, kh, kw]</c> for a convolution's weight).</param>
/// <param name="Offset">Offset in the parameter arena, or in the buffer arena when <see cref="IsBuffer"/>.</param>
/// <param name="Role">What the tensor is.</param>
internal sealed record ParameterSlot(string Name, string Layer, EquatableArray<int> Shape, int Offset, TensorRole Role)
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

    /// <summary>Whether the tensor is a running statistic, kept in the buffer arena.</summary>
    public bool IsBuffer => Role is TensorRole.RunningMean or TensorRole.RunningVar;
}
