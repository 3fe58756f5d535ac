using System;
using System.Linq;
using Cnn.Runtime.Network;

namespace Cnn.Dsl.Tests.Network;

/// <summary>
/// Central finite differences of the loss against the generated backward pass, on small networks
/// that together use every layer kind and composition (the kernels' own tests check each kernel
/// against double-precision finite differences; these check the wiring: slots, offsets, gradient
/// fan-in, skipped steps).
/// </summary>
/// <remarks>
/// The network runs in float32, so each check is a directional derivative per parameter tensor
/// rather than per value: along v = unit(ĝ + r) (ĝ the analytic gradient's direction, r a random
/// unit vector), <c>(L(θ + hv) − L(θ − hv)) / 2h</c> must equal <c>g·v</c>. With h = 1e-2 the
/// truncation error (h²·L‴/6) is below 1e-5 and the float32 rounding of the loss (≈1e-7 relative,
/// divided by 2h) below 1e-5, so a tolerance of 2% + 1e-4 leaves room only for genuine errors and
/// for the rare kink (ReLU, max) crossed within h. Dropout masks repeat because
/// <see cref="NetworkBase.TrainingSteps"/> is reset before each evaluation; BatchNorm uses batch
/// statistics in every evaluation (training mode).
/// </remarks>
public sealed class GradientCheckTests
{
    private const float Step = 3e-3f;

    [Theory]
    [InlineData("Plain")]
    [InlineData("Smooth")]
    [InlineData("Composed")]
    [InlineData("WithSoftmax")]
    [InlineData("InnerSoftmax")]
    [InlineData("Fused")]
    [InlineData("SmoothJoined")]
    public void Cross_entropy_gradients_match_finite_differences(string name)
    {
        using var network = Create(name);
        var (input, batch) = Batch(network, seed: 5);
        var labels = Enumerable.Range(0, batch).Select(i => i % network.OutputShape.Elements).ToArray();
        float Loss()
        {
            network.TrainingSteps = 0;
            network.Forward(input, batch, training: true);
            return network.Loss(labels);
        }
        Check(network, Loss, () =>
        {
            Loss();
            network.Backward();
        });
    }

    [Fact]
    public void Squared_error_gradients_match_finite_differences()
    {
        using var network = new Checks.Regression(seed: 3);
        var (input, batch) = Batch(network, seed: 9);
        var targets = Enumerable.Range(0, batch * network.OutputShape.Elements).Select(i => (i % 5) / 5f).ToArray();
        float Loss()
        {
            network.Forward(input, batch, training: true);
            return network.Loss(targets);
        }
        Check(network, Loss, () =>
        {
            Loss();
            network.Backward();
        });
    }

    [Fact]
    public void A_trailing_softmax_is_skipped_in_training_and_applied_in_inference()
    {
        using var network = new Checks.WithSoftmax(seed: 3);
        var (input, batch) = Batch(network, seed: 2);
        var logits = network.Forward(input, batch, training: true).ToArray();
        var probabilities = network.Predict(input, batch).ToArray();
        for (var n = 0; n < batch; n++)
        {
            var row = logits.AsSpan(n * 3, 3);
            var max = row.ToArray().Max();
            var sum = row.ToArray().Sum(z => MathF.Exp(z - max));
            for (var k = 0; k < 3; k++)
            {
                Assert.Equal(MathF.Exp(row[k] - max) / sum, probabilities[n * 3 + k], 1e-6f);
            }
        }
        Assert.Contains(logits, z => z < 0 || z > 1);
    }

    [Fact]
    public void A_trailing_softmax_on_a_map_normalizes_the_channels_of_every_pixel()
    {
        using var network = new Checks.MapSoftmax(seed: 3);
        var (input, batch) = Batch(network, seed: 4);
        var logits = network.Forward(input, batch, training: true).ToArray();
        var probabilities = network.Predict(input, batch).ToArray();
        const int channels = 4, plane = 9;
        for (var n = 0; n < batch; n++)
        {
            for (var p = 0; p < plane; p++)
            {
                var z = Enumerable.Range(0, channels).Select(c => logits[(n * channels + c) * plane + p]).ToArray();
                var sum = z.Sum(v => MathF.Exp(v - z.Max()));
                for (var c = 0; c < channels; c++)
                {
                    Assert.Equal(MathF.Exp(z[c] - z.Max()) / sum, probabilities[(n * channels + c) * plane + p], 1e-6f);
                }
            }
        }
    }

    private static NetworkBase Create(string name) => name switch
    {
        nameof(Checks.Plain) => new Checks.Plain(seed: 3),
        nameof(Checks.Smooth) => new Checks.Smooth(seed: 3),
        nameof(Checks.Composed) => new Checks.Composed(seed: 3),
        nameof(Checks.InnerSoftmax) => new Checks.InnerSoftmax(seed: 3),
        nameof(Checks.Fused) => new Checks.Fused(seed: 3),
        nameof(Checks.SmoothJoined) => new Checks.SmoothJoined(seed: 3),
        _ => new Checks.WithSoftmax(seed: 3),
    };

    private static (float[] Input, int Batch) Batch(NetworkBase network, int seed)
    {
        const int batch = 4;
        var random = new SeededRandom(seed);
        var input = new float[batch * network.InputShape.Elements];
        random.FillUniform(input, -1f, 1f);
        return (input, batch);
    }

    private static void Check(NetworkBase network, Func<float> loss, Action backward)
    {
        backward();
        var random = new SeededRandom(17);
        foreach (var info in network.Layout.Where(i => !i.IsBuffer))
        {
            var gradient = network.Gradient(info.Name).ToArray().Select(g => (double)g).ToArray();
            var norm = Math.Sqrt(gradient.Sum(g => g * g));
            var direction = gradient.Select(g => norm > 0 ? g / norm : 0.0).ToArray();
            var noise = new float[direction.Length];
            random.FillUniform(noise, -1f, 1f);
            var noiseNorm = Math.Sqrt(noise.Sum(r => (double)r * r));
            for (var i = 0; i < direction.Length; i++)
            {
                direction[i] += noise[i] / noiseNorm;
            }
            var length = Math.Sqrt(direction.Sum(d => d * d));
            var v = direction.Select(d => (float)(d / length)).ToArray();
            var analytic = gradient.Zip(v, (g, d) => g * d).Sum();

            var values = network.Parameter(info.Name);
            var saved = values.ToArray();
            Shift(values, saved, v, Step);
            var plus = (double)loss();
            Shift(network.Parameter(info.Name), saved, v, -Step);
            var minus = (double)loss();
            saved.CopyTo(network.Parameter(info.Name));
            var numeric = (plus - minus) / (2 * Step);
            Assert.True(Math.Abs(numeric - analytic) <= 2e-2 * Math.Abs(analytic) + 1e-4,
                $"{info.Name}: finite difference {numeric:G6}, backward {analytic:G6}");
        }
    }

    private static void Shift(Span<float> values, float[] saved, float[] direction, float step)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = saved[i] + step * direction[i];
        }
    }
}
