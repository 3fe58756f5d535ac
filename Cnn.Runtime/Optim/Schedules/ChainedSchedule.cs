using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Cnn.Runtime.Optim.Schedules;

/// <summary>
/// Steps several schedules of one optimizer together, each scaling the rate the one before it set,
/// as torch.optim.lr_scheduler.ChainedScheduler: <c>LinearLR</c> then <c>CosineAnnealingLR</c> gives
/// linear warmup into cosine annealing. Construct the parts first (each takes its initial step), in order.
/// </summary>
public sealed class ChainedSchedule : ILearningRateSchedule
{
    private readonly EpochSchedule[] _schedules;

    /// <summary>Chains <paramref name="schedules"/>, all attached to the same optimizer.</summary>
    public ChainedSchedule(params EpochSchedule[] schedules)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        if (schedules.Length == 0 || schedules.Any(s => s is null || s.Optimizer != schedules[0].Optimizer))
        {
            throw new ArgumentException("A chain needs at least one schedule, all of the same optimizer.", nameof(schedules));
        }
        _schedules = schedules;
    }

    /// <summary>The chained schedules, stepped in this order.</summary>
    public IReadOnlyList<EpochSchedule> Schedules => _schedules;

    /// <inheritdoc/>
    public Optimizer Optimizer => _schedules[0].Optimizer;

    /// <inheritdoc/>
    public int Epoch => _schedules[^1].Epoch;

    /// <inheritdoc/>
    public IReadOnlyList<(string Name, double Value)> State =>
        _schedules.SelectMany((s, i) => s.State.Select(e => ($"{i.ToString(CultureInfo.InvariantCulture)}.{e.Name}", e.Value))).ToArray();

    /// <summary>Steps every schedule once, in order.</summary>
    public void Step()
    {
        foreach (var schedule in _schedules)
        {
            schedule.Step();
        }
    }

    /// <inheritdoc/>
    public void EpochEnded(double monitoredMetric) => Step();

    /// <inheritdoc/>
    public void LoadState(IReadOnlyList<(string Name, double Value)> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Count != State.Count)
        {
            throw new ArgumentException($"The chain keeps {State.Count} counters; the saved state has {state.Count}.", nameof(state));
        }
        for (var i = 0; i < _schedules.Length; i++)
        {
            var prefix = i.ToString(CultureInfo.InvariantCulture) + ".";
            _schedules[i].LoadState(state.Where(e => e.Name.StartsWith(prefix, StringComparison.Ordinal)).Select(e => (e.Name[prefix.Length..], e.Value)).ToArray());
        }
    }
}
