using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Cnn.Dsl.Tests.Infrastructure;
using Cnn.Runtime.Data;
using Cnn.Runtime.Optim;
using Cnn.Runtime.Training;

namespace Cnn.Dsl.Tests.Training;

public sealed class TrainerTests
{
    private static readonly Dataset Train = SyntheticData.Bands(150, seed: 1);

    private static TrainingOptions Options(int epochs) => new()
    {
        Epochs = epochs,
        BatchSize = 16,
        Loader = new DataLoaderOptions { Seed = 11 },
    };

    [Fact]
    public void Fit_learns_a_separable_problem_and_keeps_a_keras_like_history()
    {
        using var network = new TinyClassifier(seed: 2);
        var trainer = new Trainer(network, new SGD(network.Layout, 0.05, momentum: 0.9));

        var history = trainer.Fit(Train, validationFraction: 0.2, Options(6));

        Assert.Equal(6, history.Epochs.Count);
        Assert.False(history.StoppedEarly || history.Cancelled);
        var last = history.Last!;
        Assert.Equal(30, last.Validation!.Samples);
        Assert.Equal(120, last.Train.Samples);
        Assert.True(last.Validation.Accuracy >= 0.95, $"validation accuracy {last.Validation.Accuracy}");
        Assert.True(last.Train.Loss < history.Epochs[0].Train.Loss, "the training loss fell");
        Assert.Equal(3, last.Validation.ClassAccuracies.Count);
        Assert.Equal(30, last.Validation.Confusion.Total);
        Assert.Equal(["accuracy", "loss", "lr", "val_accuracy", "val_loss"], history.Series.Keys.Order());
        Assert.All(history.Series.Values, series => Assert.Equal(6, series.Length));
        Assert.True(last.ImagesPerSecond > 0);
    }

    [Fact]
    public void Evaluate_gives_the_validation_metrics_of_the_last_epoch()
    {
        var (train, validation) = Train.SplitPerClass(0.2);
        using var network = new TinyClassifier(seed: 2);
        var trainer = new Trainer(network, new SGD(network.Layout, 0.05, momentum: 0.9));
        var history = trainer.Fit(train, validation, Options(2));

        var evaluated = trainer.Evaluate(validation, classNames: ["top", "middle", "bottom"]);

        Assert.Equal(history.Last!.Validation!.Loss, evaluated.Loss, 12);
        Assert.Equal(history.Last.Validation.Accuracy, evaluated.Accuracy);
        Assert.Equal("middle", evaluated.Confusion.ClassNames[1]);
    }

    [Fact]
    public void Layers_frozen_on_the_network_stay_fixed_even_with_momentum_and_weight_decay()
    {
        using var network = new TinyClassifier(seed: 3);
        network.Freeze("conv1");
        var optimizer = new SGD(network.Layout, 0.05, momentum: 0.9, weightDecay: 0.01);
        var conv = network.Parameter("conv1.weight").ToArray();
        var dense = network.Parameter("dense1.weight").ToArray();

        new Trainer(network, optimizer).Fit(Train, null, Options(2));

        Assert.Equal(conv, network.Parameter("conv1.weight").ToArray());
        Assert.NotEqual(dense, network.Parameter("dense1.weight").ToArray());
        Assert.Equal([0L, 0L], optimizer.TensorSteps[..2].ToArray());
    }

    [Fact]
    public void Unfreezing_from_a_callback_takes_effect_at_the_next_step()
    {
        using var network = new TinyClassifier(seed: 3);
        network.Freeze("conv1", "bn1");
        var optimizer = new SGD(network.Layout, 0.05, momentum: 0.9);
        var conv = network.Parameter("conv1.weight").ToArray();
        var gamma = network.Parameter("bn1.weight").ToArray();
        float[]? convAfterFirstEpoch = null;
        var probe = new CallbackProbe
        {
            OnEpoch = result =>
            {
                if (result.Epoch == 1)
                {
                    convAfterFirstEpoch = network.Parameter("conv1.weight").ToArray();
                    network.Unfreeze("conv1");
                }
            },
        };

        new Trainer(network, optimizer).Fit(Train, null, Options(2) with { Callbacks = [probe] });

        Assert.Equal(conv, convAfterFirstEpoch);
        Assert.NotEqual(conv, network.Parameter("conv1.weight").ToArray());
        Assert.Equal(gamma, network.Parameter("bn1.weight").ToArray());
    }

    [Fact]
    public void An_optimizer_over_another_layout_is_rejected_because_it_would_not_see_the_networks_freezing()
    {
        using var network = new TinyClassifier(seed: 3);
        var copy = network.Layout.ToArray();

        var error = Assert.Throws<ArgumentException>(() => new Trainer(network, new SGD(copy, 0.05)));

        Assert.Contains("network.Layout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_finite_input_stops_training_naming_the_first_layer_whose_output_is_not_finite()
    {
        var images = Train.Images.ToArray();
        images[5 * 36 + 7] = float.NaN;
        var poisoned = new Dataset(images, Train.Labels.ToArray(), SyntheticData.Shape, 3);
        using var network = new TinyClassifier(seed: 4);
        var trainer = new Trainer(network, new SGD(network.Layout, 0.05));

        var probe = new CallbackProbe();
        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(poisoned, null, Options(1) with { Loader = new DataLoaderOptions { Shuffle = false }, Callbacks = [probe] }));

        Assert.Equal("conv1", error.Layer);
        Assert.Equal(0, error.Batch);
        Assert.StartsWith("Training diverged in epoch 1, batch 0, at layer conv1: ", error.Message, StringComparison.Ordinal);
        Assert.Same(error, probe.Failure);
    }

    [Fact]
    public void An_update_that_overflows_stops_training_naming_the_layer()
    {
        using var network = new TinyClassifier(seed: 4);
        var trainer = new Trainer(network, new SGD(network.Layout, 1e38));

        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(Train, null, Options(1)));

        Assert.Contains(error.Layer, new[] { "conv1", "bn1", "dense1" });
        Assert.Contains("layer " + error.Layer, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Training_steps_allocate_nothing_after_the_first_epoch()
    {
        using var network = new TinyClassifier(seed: 5);
        var trainer = new Trainer(network, new SGD(network.Layout, 0.05, momentum: 0.9));
        var windows = new List<AllocationAssert.Window>();
        var open = default(AllocationAssert.Window);
        var probe = new CallbackProbe
        {
            // One window per epoch after the first, from its second batch to its last but one.
            OnBatch = p =>
            {
                if (p.Epoch >= 2 && p.Batch == 1)
                {
                    open = AllocationAssert.Window.Open();
                }
                else if (p.Epoch >= 2 && p.Batch == p.Batches - 2)
                {
                    windows.Add(open.Close());
                }
            },
        };

        trainer.Fit(Train, null, Options(4) with { Callbacks = [probe] });

        Assert.Equal(3, windows.Count);
        AllocationAssert.NothingAllocated(windows);
    }

    [Fact]
    public void Plain_progress_reports_speed_eta_and_each_epoch()
    {
        using var network = new TinyClassifier(seed: 6);
        var trainer = new Trainer(network, new SGD(network.Layout, 0.05));
        using var output = new StringWriter();

        trainer.Fit(Train, 0.2, Options(2) with { Callbacks = [ConsoleProgress.Plain(output, TimeSpan.Zero)] });

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("epoch 1/2: 3/8 batches", StringComparison.Ordinal) && l.Contains(" img/s, ETA ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("epoch 2/2: loss ", StringComparison.Ordinal) && l.Contains("val_accuracy", StringComparison.Ordinal));
        Assert.Equal("training finished after 2 epochs", lines[^1]);
    }
}
