using System;
using System.Collections.Generic;
using System.Linq;
using Cnn.Runtime.Optim;
using Cnn.Runtime.Optim.Schedules;

namespace Cnn.Dsl.Tests.Optim;

public class ScheduleTests
{
    private static readonly Dictionary<string, Func<Optimizer, ILearningRateSchedule>> Schedules = new()
    {
        ["step_3_half"] = o => new StepLR(o, stepSize: 3, gamma: 0.5),
        ["cosine_5"] = o => new CosineAnnealingLR(o, tMax: 5, etaMin: 0.001),
        ["cosine_4_zero"] = o => new CosineAnnealingLR(o, tMax: 4),
        ["linear_warmup_4"] = o => new LinearLR(o, startFactor: 0.25, totalIterations: 4),
        ["warmup_then_cosine"] = o => new ChainedSchedule(new LinearLR(o, startFactor: 0.1, totalIterations: 3), new CosineAnnealingLR(o, tMax: 10)),
        ["plateau"] = o => new ReduceLROnPlateau(o, factor: 0.5, patience: 2, cooldown: 1, minLearningRate: 0.02),
        ["plateau_max_abs"] = o => new ReduceLROnPlateau(o, PlateauMode.Max, factor: 0.3, patience: 1, threshold: 0.05, thresholdMode: ThresholdMode.Absolute),
    };

    public static TheoryData<string> Names() => new(Schedules.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void Learning_rates_match_PyTorch_exactly(string name)
    {
        var optimizer = new SGD(TestLayout.Tensors, 0.1);
        var schedule = Schedules[name](optimizer);
        var expected = TorchReference.Schedules[name];

        var rates = new List<double> { optimizer.LearningRate };
        for (var epoch = 0; epoch < expected.Length - 1; epoch++)
        {
            schedule.EpochEnded(Metric(name, epoch));
            rates.Add(optimizer.LearningRate);
        }

        Assert.Equal(expected, rates);
        Assert.Equal(expected.Length - 1, schedule.Epoch);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Restored_schedule_continues_exactly(string name)
    {
        var optimizer = new SGD(TestLayout.Tensors, 0.1);
        var schedule = Schedules[name](optimizer);
        var epochs = TorchReference.Schedules[name].Length - 1;
        for (var epoch = 0; epoch < epochs / 2; epoch++)
        {
            schedule.EpochEnded(Metric(name, epoch));
        }
        var savedState = schedule.State.ToArray();
        var savedOptimizer = optimizer.SaveState();

        var resumedOptimizer = new SGD(TestLayout.Tensors, 0.1);
        var resumed = Schedules[name](resumedOptimizer);
        resumedOptimizer.LoadState(savedOptimizer);
        resumed.LoadState(savedState);
        for (var epoch = epochs / 2; epoch < epochs; epoch++)
        {
            schedule.EpochEnded(Metric(name, epoch));
            resumed.EpochEnded(Metric(name, epoch));
            Assert.Equal(optimizer.LearningRate, resumedOptimizer.LearningRate);
        }
        Assert.Equal(schedule.State, resumed.State);
    }

    [Fact]
    public void Attaching_a_schedule_records_the_initial_rate_once()
    {
        var optimizer = new SGD(TestLayout.Tensors, 0.4);
        var warmup = new LinearLR(optimizer, startFactor: 0.5, totalIterations: 2);
        var cosine = new CosineAnnealingLR(optimizer, tMax: 3);

        Assert.Equal(0.4, optimizer.InitialLearningRate);
        Assert.Equal(0.4, cosine.BaseLearningRate);
        Assert.Equal(0.2, optimizer.LearningRate);
        Assert.Equal(0, warmup.Epoch);
    }

    [Fact]
    public void Plateau_counts_a_change_within_the_relative_threshold_as_no_improvement()
    {
        var optimizer = new Adam(TestLayout.Tensors, 0.01);
        var plateau = new ReduceLROnPlateau(optimizer, factor: 0.5, patience: 0);

        plateau.Step(1.0);
        plateau.Step(0.99995);
        Assert.Equal(0.005, optimizer.LearningRate);
        Assert.Equal(1.0, plateau.Best);

        plateau.Step(0.9);
        Assert.Equal(0.005, optimizer.LearningRate);
        Assert.Equal(0.9, plateau.Best);
    }

    [Fact]
    public void Invalid_settings_and_state_are_rejected()
    {
        var optimizer = new SGD(TestLayout.Tensors, 0.1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepLR(optimizer, stepSize: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingLR(optimizer, tMax: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearLR(optimizer, startFactor: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(optimizer, factor: 1));
        Assert.Throws<ArgumentException>(() => new ChainedSchedule(new StepLR(optimizer, 2), new StepLR(new SGD(TestLayout.Tensors, 0.1), 2)));
        Assert.Throws<ArgumentException>(() => new StepLR(optimizer, 2).LoadState([("best", 1.0)]));
        Assert.Throws<ArgumentException>(() => new ReduceLROnPlateau(optimizer).LoadState([("last_epoch", 1.5), ("best", 1), ("num_bad_epochs", 0), ("cooldown_counter", 0)]));
    }

    private static double Metric(string name, int epoch) => name switch
    {
        "plateau" => TorchReference.PlateauLosses[epoch],
        "plateau_max_abs" => 1.0 - TorchReference.PlateauLosses[epoch],
        _ => double.NaN,
    };
}
