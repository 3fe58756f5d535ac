namespace Cnn.Runtime.Model;

/// <summary>What a named tensor of a network is, which decides how it is initialized, trained and saved.</summary>
public enum ParameterRole
{
    /// <summary>Convolution or dense weight (learned; Kaiming-initialized).</summary>
    Weight,

    /// <summary>Convolution or dense bias (learned).</summary>
    Bias,

    /// <summary>BatchNorm's γ (learned; initialized to 1).</summary>
    Scale,

    /// <summary>BatchNorm's β (learned; initialized to 0).</summary>
    Shift,

    /// <summary>BatchNorm's running mean (a buffer: updated in training mode, never by the optimizer).</summary>
    RunningMean,

    /// <summary>BatchNorm's running variance (a buffer; initialized to 1).</summary>
    RunningVar,
}
