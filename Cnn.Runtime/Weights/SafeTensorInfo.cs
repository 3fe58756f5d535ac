using System.Globalization;

namespace Cnn.Runtime.Weights;

/// <summary>One tensor's entry in a safetensors header, already validated against the file.</summary>
/// <param name="Name">The tensor's name (a state_dict key such as <c>conv1.weight</c>).</param>
/// <param name="DType">The stored element type.</param>
/// <param name="Shape">The dimensions; empty for a scalar.</param>
/// <param name="Begin">First byte, relative to the start of the data section.</param>
/// <param name="End">One past the last byte, relative to the start of the data section.</param>
public sealed record SafeTensorInfo(string Name, SafeTensorsDType DType, int[] Shape, long Begin, long End)
{
    /// <summary>Number of elements (1 for a scalar).</summary>
    public int ElementCount => checked((int)((End - Begin) / DType.SizeOf()));

    /// <summary>The shape as PyTorch prints it, <c>[6, 1, 5, 5]</c>.</summary>
    public string ShapeText => FormatShape(Shape);

    /// <summary>Formats a shape as <c>[6, 1, 5, 5]</c> (<c>[]</c> for a scalar).</summary>
    public static string FormatShape(int[] shape) =>
        "[" + string.Join(", ", System.Array.ConvertAll(shape, d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}
