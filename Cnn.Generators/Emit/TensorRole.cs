namespace Cnn.Generators.Emit;

/// <summary>
/// What a named tensor is. Mirrors <c>Cnn.Runtime.Model.ParameterRole</c> member for member
/// (the generator cannot reference the runtime), so the emitter writes the runtime's member by name.
/// </summary>
internal enum TensorRole
{
    Weight,
    Bias,
    Scale,
    Shift,
    RunningMean,
    RunningVar,
}
