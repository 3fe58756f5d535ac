using System;

namespace Cnn.Runtime.Weights;

/// <summary>The element types a safetensors file can declare, by their header names (<c>"F32"</c>, <c>"I64"</c>…).</summary>
public enum SafeTensorsDType
{
    /// <summary>IEEE 754 single precision, the runtime's own type.</summary>
    F32,

    /// <summary>IEEE 754 double precision; read as float (rounded).</summary>
    F64,

    /// <summary>IEEE 754 half precision; read as float (exact).</summary>
    F16,

    /// <summary>bfloat16, the upper half of a float; read as float (exact).</summary>
    BF16,

    /// <summary>64-bit signed integer, PyTorch's type for BatchNorm's <c>num_batches_tracked</c>.</summary>
    I64,

    /// <summary>32-bit signed integer; read as long.</summary>
    I32,

    /// <summary>16-bit signed integer; read as long.</summary>
    I16,

    /// <summary>8-bit signed integer; read as long.</summary>
    I8,

    /// <summary>8-bit unsigned integer; read as long.</summary>
    U8,

    /// <summary>Boolean, one byte each; its size is known so the file can be validated, but it is not read.</summary>
    Bool,
}

/// <summary>Sizes and header names of <see cref="SafeTensorsDType"/>.</summary>
public static class SafeTensorsDTypes
{
    /// <summary>Bytes per element.</summary>
    public static int SizeOf(this SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.F64 or SafeTensorsDType.I64 => 8,
        SafeTensorsDType.F32 or SafeTensorsDType.I32 => 4,
        SafeTensorsDType.F16 or SafeTensorsDType.BF16 or SafeTensorsDType.I16 => 2,
        SafeTensorsDType.I8 or SafeTensorsDType.U8 or SafeTensorsDType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>Whether the runtime reads this type as float.</summary>
    public static bool IsFloat(this SafeTensorsDType dtype) =>
        dtype is SafeTensorsDType.F32 or SafeTensorsDType.F64 or SafeTensorsDType.F16 or SafeTensorsDType.BF16;

    /// <summary>Whether the runtime reads this type as long.</summary>
    public static bool IsInteger(this SafeTensorsDType dtype) =>
        dtype is SafeTensorsDType.I64 or SafeTensorsDType.I32 or SafeTensorsDType.I16 or SafeTensorsDType.I8 or SafeTensorsDType.U8;

    /// <summary>The header's spelling (<c>"BF16"</c>, <c>"BOOL"</c>).</summary>
    public static string HeaderName(this SafeTensorsDType dtype) =>
        dtype == SafeTensorsDType.Bool ? "BOOL" : dtype.ToString();

    /// <summary>Parses a header's dtype name (exact spelling, as the format defines it).</summary>
    public static bool TryParse(string name, out SafeTensorsDType dtype)
    {
        dtype = name switch
        {
            "F32" => SafeTensorsDType.F32,
            "F64" => SafeTensorsDType.F64,
            "F16" => SafeTensorsDType.F16,
            "BF16" => SafeTensorsDType.BF16,
            "I64" => SafeTensorsDType.I64,
            "I32" => SafeTensorsDType.I32,
            "I16" => SafeTensorsDType.I16,
            "I8" => SafeTensorsDType.I8,
            "U8" => SafeTensorsDType.U8,
            "BOOL" => SafeTensorsDType.Bool,
            _ => (SafeTensorsDType)(-1),
        };
        return (int)dtype >= 0;
    }
}
