namespace CifarExample;

/// <summary>The choices of one CIFAR-10 run.</summary>
/// <param name="Model"><c>vgg</c> or <c>resnet</c>.</param>
/// <param name="DataDirectory">Folder of the CIFAR-10 binary batches (or the folder holding <c>cifar-10-batches-bin</c>).</param>
/// <param name="Epochs">Epochs; SGD's learning rate is cosine-annealed to 0 over them.</param>
/// <param name="BatchSize">Samples per step.</param>
/// <param name="LearningRate">SGD's initial learning rate (Nesterov momentum 0.9, weight decay 5e-4).</param>
/// <param name="Workers">Threads sharing each batch.</param>
/// <param name="Seed">Seed of the initial weights, shuffling, augmentation and dropout.</param>
/// <param name="SavePath">Where to save the trained weights (safetensors), or null.</param>
public sealed record CifarSettings(
    string Model,
    string DataDirectory,
    int Epochs = 30,
    int BatchSize = 128,
    double LearningRate = 0.05,
    int Workers = 2,
    int Seed = 0,
    string? SavePath = null)
{
    /// <summary>The model names <c>--model</c> accepts.</summary>
    public static readonly string[] Models = ["vgg", "resnet"];

    /// <summary>What is wrong with the settings, or null.</summary>
    public string? Problem() =>
        System.Array.IndexOf(Models, Model) < 0 ? $"--model must be one of: {string.Join(", ", Models)}."
        : Epochs < 1 || BatchSize < 1 || Workers < 1 ? "--epochs, --batch-size and --workers must be at least 1."
        : !(LearningRate > 0) ? "--lr must be positive."
        : null;
}
