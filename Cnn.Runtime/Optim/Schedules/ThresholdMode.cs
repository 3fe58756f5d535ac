namespace Cnn.Runtime.Optim.Schedules;

/// <summary>How <see cref="ReduceLROnPlateau"/> decides that a value beats the best so far.</summary>
public enum ThresholdMode
{
    /// <summary>By a relative margin: below best·(1 − threshold) in <see cref="PlateauMode.Min"/>, above best·(1 + threshold) in <see cref="PlateauMode.Max"/>.</summary>
    Relative,

    /// <summary>By an absolute margin: below best − threshold, or above best + threshold.</summary>
    Absolute,
}
