using System;
using System.Numerics.Tensors;
using Cnn.Runtime.Model;
using Cnn.Runtime.Network;

namespace Cnn.Dsl.Tests.Network;

/// <summary>
/// A network written by hand against <see cref="NetworkBase"/> (what the generator writes, for one
/// Dense layer of 3 → 2 and a BatchNorm-like buffer), so the runtime base is tested without the
/// generator: arenas, workers, losses, freezing and non-finite reporting.
/// </summary>
internal sealed class HandWrittenDense : NetworkBase
{
    public const int In = 3;
    public const int Out = 2;

    private static readonly NetworkPlan Plan = new()
    {
        Layout =
        [
            new ParameterInfo("fc.weight", "fc", [Out, In], 0, ParameterRole.Weight),
            new ParameterInfo("fc.bias", "fc", [Out], Out * In, ParameterRole.Bias),
            new ParameterInfo("bn.running_mean", "bn", [Out], 0, ParameterRole.RunningMean),
            new ParameterInfo("bn.running_var", "bn", [Out], Out, ParameterRole.RunningVar),
        ],
        Input = new TensorShape(In, 1, 1, IsVector: true),
        Output = new TensorShape(Out, 1, 1, IsVector: true),
        ActivationFloatsPerSample = In + Out,
        InputOffset = 0,
        OutputOffset = In,
        TrainingOutputOffset = In,
        Layers = [new LayerTrace("fc", In, Out, -1, 0)],
    };

    public HandWrittenDense(int seed, int workers = 1)
        : base(Plan, seed, workers)
    {
    }

    protected override void ForwardLayers(NetworkContext context)
    {
        var x = context.Activation(0, In);
        var y = context.Activation(In, Out);
        var w = context.Parameter(0, Out * In);
        var b = context.Parameter(Out * In, Out);
        for (var n = 0; n < context.Batch; n++)
        {
            for (var o = 0; o < Out; o++)
            {
                y[n * Out + o] = TensorPrimitives.Dot(w.Slice(o * In, In), x.Slice(n * In, In)) + b[o];
            }
        }
        if (context.Training)
        {
            // Stands in for BatchNorm's running-mean update: mean of this worker's outputs per unit.
            var mean = context.Buffer(0, Out);
            for (var o = 0; o < Out; o++)
            {
                var sum = 0f;
                for (var n = 0; n < context.Batch; n++)
                {
                    sum += y[n * Out + o];
                }
                mean[o] = 0.9f * mean[o] + 0.1f * sum / context.Batch;
            }
        }
    }

    protected override void BackwardLayers(NetworkContext context)
    {
        // The only layer, on the network's input: nothing needs its input gradient, and a frozen layer
        // writes nothing (the network keeps its gradients at zero).
        if (!context.Trains(0))
        {
            return;
        }
        var x = context.Activation(0, In);
        var dy = context.ActivationGradient(In, Out);
        ArenasAligned &= IsAligned(x) && IsAligned(context.ActivationGradient(0, In));
        var dw = context.Gradient(0, Out * In);
        var db = context.Gradient(Out * In, Out);
        dw.Clear();
        db.Clear();
        for (var n = 0; n < context.Batch; n++)
        {
            for (var o = 0; o < Out; o++)
            {
                var g = dy[n * Out + o];
                TensorPrimitives.MultiplyAdd(x.Slice(n * In, In), g, dw.Slice(o * In, In), dw.Slice(o * In, In));
                db[o] += g;
            }
        }
        if (PoisonBackward)
        {
            dw[1] = float.NaN;
        }
    }

    /// <summary>Whether every backward pass so far found both arenas' first slot (per-sample offset 0) on a 64-byte boundary.</summary>
    public bool ArenasAligned { get; private set; } = true;

    private static unsafe bool IsAligned(Span<float> slot)
    {
        fixed (float* start = slot)
        {
            return ((nint)start & 63) == 0;
        }
    }

    /// <summary>Makes the backward pass write a NaN into the weight gradient, to test the report.</summary>
    public bool PoisonBackward { get; set; }

    protected override int ScratchLength(int batch) => 0;
}
