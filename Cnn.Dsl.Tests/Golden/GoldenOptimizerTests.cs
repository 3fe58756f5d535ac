using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Cnn.Dsl.Tests.Network;
using Cnn.Runtime.Network;
using Cnn.Runtime.Optim;
using Cnn.Runtime.Weights;

namespace Cnn.Dsl.Tests.Golden;

/// <summary>
/// Whole training steps against PyTorch: each golden network, generated from its DSL twin and
/// loaded with PyTorch's initial state, takes 3 steps of each optimizer in the file's metadata
/// (forward and backward in training mode, then <see cref="Optimizer.Step"/>) and must end with
/// PyTorch's parameters.
/// </summary>
public sealed class GoldenOptimizerTests
{
    /// <summary>Relative tolerance (PyTorch's results are exact float64 rounded to float32).</summary>
    private const double Tolerance = 1e-4;

    /// <summary>Adam's extra absolute tolerance, as a fraction of the distance its steps can cover (steps·lr).</summary>
    private const double AdamSlack = 1e-2;

    public static TheoryData<string, string> Runs()
    {
        var runs = new TheoryData<string, string>();
        foreach (var network in GoldenFileTests.NetworkNames.Where(n => n != "InferenceHead"))
        {
            foreach (var optimizer in GoldenFileTests.Optimizers)
            {
                runs.Add(network, optimizer);
            }
        }
        return runs;
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Three_steps_reach_PyTorch_parameters(string name, string optimizerName)
    {
        using var golden = new GoldenFile(name);
        using var network = golden.CreateNetwork(seed: 1);
        golden.LoadInitialState(network);
        using var file = SafeTensorsReader.Open(GoldenFileTests.PathOf(name + ".safetensors"));
        var settings = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(file.Metadata["optimizers"])![optimizerName];
        var optimizer = Create(settings, network);
        var steps = settings.GetProperty("steps").GetInt32();

        for (var step = 0; step < steps; step++)
        {
            network.ForwardBackward(golden.Input, golden.Labels, golden.Batch);
            optimizer.Step(network.Parameters, network.Gradients);
        }

        var learningRate = settings.GetProperty("lr").GetDouble();
        // An Adam step is about lr whatever the gradient's size, so where a gradient is near zero
        // (few correct digits in float32) the step may differ by a small fraction of lr.
        var slack = optimizer is Adam or AdamW ? AdamSlack * steps * learningRate : 0;
        foreach (var info in network.Layout.Where(i => !i.IsBuffer))
        {
            var expected = golden.Floats(optimizerName + "." + info.Name);
            var gradient = golden.Floats("grad." + info.Name);
            var actual = network.Parameter(info.Name);
            Assert.Equal(expected.Length, actual.Length);
            var scale = expected.Max(v => Math.Abs((double)v)) * 1e-2;
            for (var i = 0; i < expected.Length; i++)
            {
                // A bias channel feeding a BatchNorm has no gradient in exact arithmetic, only
                // float32 rounding noise here, which Adam's normalization turns into steps of up to lr.
                var tolerance = Math.Abs(gradient[i]) < 1e-12f
                    ? steps * learningRate * 1.001
                    : Tolerance * Math.Max(Math.Abs(expected[i]), scale) + slack;
                if (!(Math.Abs(actual[i] - expected[i]) <= tolerance))
                {
                    Assert.Fail($"{optimizerName}.{info.Name}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (tolerance {tolerance:G3})");
                }
            }
        }
    }

    /// <summary>The optimizer the metadata describes (PyTorch's class name and constructor arguments).</summary>
    private static Optimizer Create(JsonElement settings, NetworkBase network)
    {
        double Get(string key, double otherwise) => settings.TryGetProperty(key, out var value) ? value.GetDouble() : otherwise;
        var learningRate = settings.GetProperty("lr").GetDouble();
        var betas = settings.TryGetProperty("betas", out var pair) ? (pair[0].GetDouble(), pair[1].GetDouble()) : (0.9, 0.999);
        return settings.GetProperty("type").GetString() switch
        {
            "SGD" => new SGD(network.Layout, learningRate, Get("momentum", 0), nesterov: settings.TryGetProperty("nesterov", out var n) && n.GetBoolean(),
                weightDecay: Get("weight_decay", 0)),
            "Adam" => new Adam(network.Layout, learningRate, betas.Item1, betas.Item2, Get("eps", 1e-8), Get("weight_decay", 0)),
            "AdamW" => new AdamW(network.Layout, learningRate, betas.Item1, betas.Item2, Get("eps", 1e-8), Get("weight_decay", 1e-2)),
            var other => throw new NotSupportedException($"optimizer {other}"),
        };
    }
}
