using System.Collections.Generic;

namespace Cnn.Runtime.Optim;

/// <summary>
/// A copy of everything an <see cref="Optimizer"/> carries from one step to the next, enough to
/// continue training bit for bit. The arrays are arena-sized, at the parameters' offsets, under
/// PyTorch's state names (<c>momentum_buffer</c>, <c>exp_avg</c>, <c>exp_avg_sq</c>,
/// <c>max_exp_avg_sq</c>), so a checkpoint can write each as one safetensors tensor.
/// </summary>
/// <param name="LearningRate">The learning rate in force (schedules change it).</param>
/// <param name="InitialLearningRate">PyTorch's <c>initial_lr</c>: the rate schedules start from, once one was attached.</param>
/// <param name="StepCount">Number of <see cref="Optimizer.Step"/> calls.</param>
/// <param name="TensorSteps">Per trainable tensor (in <see cref="Optimizer.Tensors"/> order), the steps that updated it; PyTorch's per-parameter <c>step</c>.</param>
/// <param name="Arrays">The named state arrays.</param>
public sealed record OptimizerState(
    double LearningRate,
    double? InitialLearningRate,
    long StepCount,
    long[] TensorSteps,
    IReadOnlyList<(string Name, float[] Values)> Arrays);
