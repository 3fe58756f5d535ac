using System.Collections.Generic;
using Cnn.Runtime.Model;

namespace Cnn.Dsl.Tests.Optim;

/// <summary>The small network layout make_torch_reference.py packs: conv1, bn1 (with buffers), dense1.</summary>
internal static class TestLayout
{
    public const int ArenaLength = 54;

    public static IReadOnlyList<ParameterInfo> Tensors { get; } =
    [
        new("conv1.weight", "conv1", [2, 1, 2, 2], 0, ParameterRole.Weight),
        new("conv1.bias", "conv1", [2], 8, ParameterRole.Bias),
        new("bn1.weight", "bn1", [2], 10, ParameterRole.Scale),
        new("bn1.bias", "bn1", [2], 12, ParameterRole.Shift),
        // Buffers sit in their own arena, overlapping the parameter offsets on purpose: the optimizer must skip them.
        new("bn1.running_mean", "bn1", [2], 0, ParameterRole.RunningMean),
        new("bn1.running_var", "bn1", [2], 2, ParameterRole.RunningVar),
        new("dense1.weight", "dense1", [5, 7], 14, ParameterRole.Weight),
        new("dense1.bias", "dense1", [5], 49, ParameterRole.Bias),
    ];
}
