using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cnn.Runtime.Network;
using Cnn.Runtime.Optim;
using Cnn.Runtime.Weights;

namespace Cnn.Runtime.Training;

/// <summary>Reads and writes the three files of one checkpoint folder.</summary>
internal static class TrainingCheckpoint
{
    public const string ModelFile = "model.safetensors";
    public const string BestModelFile = "best.safetensors";
    public const string OptimizerFile = "optimizer.safetensors";

    /// <summary>Written last: a folder holding it is complete.</summary>
    public const string StateFile = "trainer.json";

    private const string TensorStepsName = "tensor_steps";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void WriteOptimizer(string path, Optimizer optimizer)
    {
        var state = optimizer.SaveState();
        var writer = new SafeTensorsWriter()
            .AddMetadata("optimizer", optimizer.GetType().Name)
            .AddMetadata("learning_rate", state.LearningRate.ToString("R", CultureInfo.InvariantCulture))
            .AddMetadata("initial_learning_rate", state.InitialLearningRate?.ToString("R", CultureInfo.InvariantCulture) ?? "")
            .AddMetadata("step_count", state.StepCount.ToString(CultureInfo.InvariantCulture))
            .AddMetadata("state_names", string.Join(",", state.Arrays.Select(a => a.Name)));
        writer.Add(TensorStepsName, [state.TensorSteps.Length], state.TensorSteps);
        foreach (var (name, values) in state.Arrays)
        {
            writer.Add(name, [values.Length], values);
        }
        writer.Save(path);
    }

    public static void ReadOptimizer(string path, Optimizer optimizer)
    {
        using var reader = SafeTensorsReader.Open(path);
        var kind = Metadata(reader, "optimizer");
        if (kind != optimizer.GetType().Name)
        {
            throw new InvalidDataException($"{path} holds the state of a {kind}, but the trainer's optimizer is a {optimizer.GetType().Name}.");
        }
        var initial = Metadata(reader, "initial_learning_rate");
        var names = Metadata(reader, "state_names").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var state = new OptimizerState(
            double.Parse(Metadata(reader, "learning_rate"), CultureInfo.InvariantCulture),
            initial.Length == 0 ? null : double.Parse(initial, CultureInfo.InvariantCulture),
            long.Parse(Metadata(reader, "step_count"), CultureInfo.InvariantCulture),
            reader.ReadLongs(TensorStepsName),
            names.Select(n => (n, reader.ReadFloats(n))).ToArray());
        optimizer.LoadState(state);
    }

    public static void WriteState(string path, CheckpointState state) =>
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, state, Json));

    public static CheckpointState ReadState(string path)
    {
        using var stream = File.OpenRead(path);
        var state = JsonSerializer.Deserialize<CheckpointState>(stream, Json)
            ?? throw new InvalidDataException($"{path} is empty.");
        if (state.Format != CheckpointState.CurrentFormat)
        {
            throw new InvalidDataException($"{path} has checkpoint format {state.Format}; this trainer reads format {CheckpointState.CurrentFormat}.");
        }
        return state;
    }

    public static void SaveWeights(string path, NetworkBase network, float[] parameters, float[] buffers, long[] counters) =>
        StateDict.Save(path, network.StateDictLayout, parameters, buffers, counters);

    public static MetricsRecord Record(Metrics metrics) => new(metrics.Loss.Mean, metrics.Loss.Samples, Counts(metrics.Confusion));

    public static MetricsRecord Record(MetricsSnapshot metrics) => new(metrics.Loss, metrics.Samples, Counts(metrics.Confusion));

    public static EpochRecord Record(EpochResult epoch) => new(
        epoch.Epoch,
        epoch.LearningRate,
        Record(epoch.Train),
        epoch.Validation is null ? null : Record(epoch.Validation),
        epoch.Duration.TotalSeconds,
        epoch.ImagesPerSecond);

    public static EpochResult Restore(EpochRecord record, int classes, IReadOnlyList<string>? classNames) => new(
        record.Epoch,
        record.LearningRate,
        Restore(record.Train, classes, classNames),
        record.Validation is null ? null : Restore(record.Validation, classes, classNames),
        TimeSpan.FromSeconds(record.Seconds),
        record.ImagesPerSecond);

    /// <summary>Refills <paramref name="metrics"/> (reset first) from a record.</summary>
    public static void Restore(MetricsRecord record, Metrics metrics)
    {
        metrics.Reset();
        var classes = metrics.Confusion.Classes;
        if (record.Confusion.Length != classes * classes)
        {
            throw new InvalidDataException($"A saved confusion matrix has {record.Confusion.Length} cells; {classes} classes need {classes * classes}.");
        }
        for (var cell = 0; cell < record.Confusion.Length; cell++)
        {
            for (var n = 0L; n < record.Confusion[cell]; n++)
            {
                metrics.Confusion.Add(cell / classes, cell % classes);
            }
        }
        if (record.Samples > 0)
        {
            metrics.Loss.Add(record.Loss, checked((int)record.Samples));
        }
    }

    private static MetricsSnapshot Restore(MetricsRecord record, int classes, IReadOnlyList<string>? classNames)
    {
        var metrics = new Metrics(classes, classNames);
        Restore(record, metrics);
        return new MetricsSnapshot(metrics);
    }

    private static long[] Counts(ConfusionMatrix confusion)
    {
        var classes = confusion.Classes;
        var counts = new long[classes * classes];
        for (var actual = 0; actual < classes; actual++)
        {
            for (var predicted = 0; predicted < classes; predicted++)
            {
                counts[actual * classes + predicted] = confusion[actual, predicted];
            }
        }
        return counts;
    }

    private static string Metadata(SafeTensorsReader reader, string key) =>
        reader.Metadata.TryGetValue(key, out var value)
            ? value
            : throw new InvalidDataException($"{reader.FilePath} lacks the metadata entry '{key}': it was not written by the trainer.");
}
