using System.Collections.Generic;
using Cnn.Runtime.Data.Augmentations;

namespace Cnn.Runtime.Data;

/// <summary>How a <see cref="DataLoader"/> orders, transforms and groups samples.</summary>
public sealed record DataLoaderOptions
{
    /// <summary>Visit samples in a fresh random order each epoch (default), or in dataset order.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Skip an epoch's last batch when it would be smaller than the batch size.</summary>
    public bool DropLast { get; init; }

    /// <summary>Seed of the shuffling and of every augmentation; the same seed gives the same batches.</summary>
    public ulong Seed { get; init; }

    /// <summary>Per-channel standardization applied after the augmentations, or none.</summary>
    public ChannelNormalization? Normalization { get; init; }

    /// <summary>Augmentations applied to each sample in order, on [0, 1] values, before normalization.</summary>
    public IReadOnlyList<Augmentation> Augmentations { get; init; } = [];
}
