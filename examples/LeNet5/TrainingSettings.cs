namespace LeNet5Example;

/// <summary>The command line's choices.</summary>
/// <param name="Epochs">Epochs, or null to size the run to the data (see <see cref="EpochsFor"/>).</param>
/// <param name="BatchSize">Samples per step.</param>
/// <param name="LearningRate">SGD's initial learning rate.</param>
/// <param name="DataDirectory">A Fashion-MNIST folder, or null for the Debian package or the embedded copy.</param>
/// <param name="Workers">Threads sharing each batch.</param>
/// <param name="Seed">Seed of the initial weights and the shuffling.</param>
/// <param name="SavePath">Where to save the trained weights (safetensors), or null.</param>
/// <param name="CheckpointDirectory">Where to checkpoint each epoch, or null.</param>
/// <param name="Resume">Continue from the newest checkpoint.</param>
internal sealed record TrainingSettings(
    int? Epochs,
    int BatchSize,
    double LearningRate,
    string? DataDirectory,
    int Workers,
    int Seed,
    string? SavePath,
    string? CheckpointDirectory,
    bool Resume)
{
    /// <summary>Sample passes of a default run: about a minute and a half on two cores.</summary>
    public const int DefaultSamplePasses = 120_000;

    /// <summary>
    /// The epochs to train: as given, or enough for <see cref="DefaultSamplePasses"/> passes over
    /// <paramref name="trainingSamples"/> (15 epochs of the embedded 8,000 images, 2 of the full 60,000),
    /// so the default run takes about as long whichever data it finds.
    /// </summary>
    public int EpochsFor(int trainingSamples) => Epochs ?? System.Math.Max(1, (DefaultSamplePasses + trainingSamples / 2) / trainingSamples);
}
