using System;
using System.IO;
using System.Linq;
using System.Numerics.Tensors;
using Cnn.Runtime.Data;
using Cnn.Runtime.Optim;
using Cnn.Runtime.Optim.Schedules;
using Cnn.Runtime.Training;

namespace Cnn.Dsl.Tests.Training;

public sealed class TrainerOptionsTests
{
    private static readonly Dataset Train = SyntheticData.Bands(96, seed: 1);

    [Fact]
    public void Reduce_on_plateau_is_fed_the_validation_loss_after_each_epoch()
    {
        var validation = SyntheticData.Shuffled(SyntheticData.Bands(60, seed: 3), seed: 4);
        using var network = new TinyClassifier(seed: 9);
        var optimizer = new SGD(network.Layout, 0.1, momentum: 0.9);
        var trainer = new Trainer(network, optimizer, new ReduceLROnPlateau(optimizer, factor: 0.5, patience: 0));

        var history = trainer.Fit(Train, validation, new TrainingOptions { Epochs = 6, BatchSize = 16 });

        var rates = history.Series["lr"];
        var losses = history.Series["val_loss"];
        var best = double.PositiveInfinity;
        for (var epoch = 0; epoch + 1 < rates.Length; epoch++)
        {
            // Patience 0: every epoch that fails to beat the best validation loss halves the next epoch's rate.
            var improved = losses[epoch] < best * (1 - 1e-4);
            best = improved ? losses[epoch] : best;
            Assert.Equal(improved ? rates[epoch] : rates[epoch] * 0.5, rates[epoch + 1], 15);
        }
        Assert.True(rates[^1] < rates[0], "the noise validation set stopped improving at some point");
    }

    [Fact]
    public void Gradient_norm_clipping_bounds_every_step()
    {
        using var network = new TinyClassifier(seed: 2);
        var trainer = new Trainer(network, new SGD(network.Layout, 1.0));
        var previous = network.Parameters.ToArray();
        var largest = 0f;
        var probe = new CallbackProbe
        {
            OnBatch = _ =>
            {
                var current = network.Parameters.ToArray();
                largest = Math.Max(largest, TensorPrimitives.Distance<float>(current, previous));
                previous = current;
            },
        };

        trainer.Fit(Train, null, new TrainingOptions { Epochs = 1, BatchSize = 16, ClipGradientNorm = 0.01f, Callbacks = [probe] });

        // Plain SGD with lr 1 moves the parameters by exactly the clipped gradient.
        Assert.InRange(largest, 0.009f, 0.01f * 1.0001f);
    }

    [Fact]
    public void Resuming_with_other_batches_is_refused_with_the_reason()
    {
        using var folder = new TempFolder();
        using var network = new TinyClassifier(seed: 2);
        var options = new TrainingOptions { Epochs = 1, BatchSize = 16, CheckpointDirectory = folder.Path };
        new Trainer(network, new SGD(network.Layout, 0.05)).Fit(Train, null, options);

        using var other = new TinyClassifier(seed: 2);
        var error = Assert.Throws<InvalidDataException>(() =>
            new Trainer(other, new SGD(other.Layout, 0.05)).Fit(Train, null, options with { Epochs = 2, BatchSize = 32, Resume = true }));

        Assert.Contains("batches of 16", error.Message, StringComparison.Ordinal);
        Assert.Contains("batches of 32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resuming_with_another_kind_of_optimizer_is_refused()
    {
        using var folder = new TempFolder();
        using var network = new TinyClassifier(seed: 2);
        var options = new TrainingOptions { Epochs = 1, BatchSize = 16, CheckpointDirectory = folder.Path };
        new Trainer(network, new SGD(network.Layout, 0.05)).Fit(Train, null, options);

        using var other = new TinyClassifier(seed: 2);
        var error = Assert.Throws<InvalidDataException>(() =>
            new Trainer(other, new Adam(other.Layout, 0.01)).Fit(Train, null, options with { Epochs = 2, Resume = true }));

        Assert.Contains("SGD", error.Message, StringComparison.Ordinal);
        Assert.Contains("Adam", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_out_of_range_are_refused_before_training()
    {
        using var network = new TinyClassifier(seed: 2);
        var trainer = new Trainer(network, new SGD(network.Layout, 0.05));
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(Train, null, new TrainingOptions { Epochs = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(Train, null, new TrainingOptions { ClipGradientNorm = 0 }));
        Assert.Throws<ArgumentException>(() => trainer.Fit(Train, null, new TrainingOptions { Resume = true }));
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(Train, 1.0, new TrainingOptions()));
        Assert.Equal(0, network.TrainingSteps);
    }
}
