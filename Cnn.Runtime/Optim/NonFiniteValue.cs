using System.Globalization;
using Cnn.Runtime.Model;

namespace Cnn.Runtime.Optim;

/// <summary>A NaN or infinity found in an arena: the tensor holding it, where in the tensor, and the value.</summary>
/// <param name="Tensor">The tensor.</param>
/// <param name="Index">The flat index of the first non-finite element within the tensor.</param>
/// <param name="Value">The value: NaN, +∞ or −∞.</param>
public readonly record struct NonFiniteValue(ParameterInfo Tensor, int Index, float Value)
{
    /// <summary><c>NaN</c>, <c>+∞</c> or <c>−∞</c>.</summary>
    public string Kind => float.IsNaN(Value) ? "NaN" : Value > 0 ? "+∞" : "−∞";

    /// <summary>The element's position as PyTorch indexes it: <c>[3, 0, 1, 2]</c>.</summary>
    public string Position
    {
        get
        {
            var shape = Tensor.Shape;
            var coordinates = new int[shape.Length];
            var rest = Index;
            for (var axis = shape.Length - 1; axis >= 0; axis--)
            {
                coordinates[axis] = shape[axis] == 0 ? 0 : rest % shape[axis];
                rest = shape[axis] == 0 ? 0 : rest / shape[axis];
            }
            return "[" + string.Join(", ", System.Array.ConvertAll(coordinates, c => c.ToString(CultureInfo.InvariantCulture))) + "]";
        }
    }
}
