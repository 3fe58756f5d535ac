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
    /// <summary>
    /// Sample passes of a default run: about a minute on two cores, and enough for LeNet-5's
    /// validation loss to bottom out on the embedded split (measured: past about 10 epochs it rises
    /// as the network memorizes 7,200 images; early stopping then keeps the best epoch's weights).
    /// </summary>
    public const int DefaultSamplePasses = 540_000;

    /// <summary>
    /// The epochs to train: as given, or enough for <see cref="DefaultSamplePasses"/> passes over
    /// <paramref name="trainingSamples"/> (75 epochs of the embedded split's 7,200 training images, where early stopping usually ends sooner; 10 of the full set's 54,000),
    /// so the default run takes about as long whichever data it finds.
    /// </summary>
    public int EpochsFor(int trainingSamples) => Epochs ?? System.Math.Max(1, (DefaultSamplePasses + trainingSamples / 2) / trainingSamples);

    /// <summary>What is wrong with the settings, or null.</summary>
    public string? Problem() =>
        Resume && CheckpointDirectory is null ? "--resume needs --checkpoints DIR to resume from."
        : Epochs is < 1 || BatchSize < 1 || Workers < 1 ? "--epochs, --batch-size and --workers must be at least 1."
        : !(LearningRate > 0) ? "--lr must be positive."
        : null;
}
