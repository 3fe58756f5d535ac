using System;
using Cnn.Benchmarks.Profiling;
using Cnn.Runtime.Network;
using Cnn.Runtime.Summary;

namespace Cnn.Benchmarks;

/// <summary>One benchmarked model: its name in torch_reference.py, how to build it, and its layers for profiling.</summary>
/// <param name="Name">The name torch_reference.py uses (<c>lenet5</c>).</param>
/// <param name="Summary">The generated summary (layer names, shapes, parameter count).</param>
/// <param name="Create">Builds the network from (seed, workers).</param>
/// <param name="Layers">The same layers as kernel calls with the generated geometries, for <c>--profile</c>.</param>
internal sealed record BenchmarkModel(string Name, ModelSummary Summary, Func<int, int, NetworkBase> Create, Func<ProfilePlan> Layers);
