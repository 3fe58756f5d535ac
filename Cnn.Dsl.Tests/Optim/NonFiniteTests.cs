using System;
using Cnn.Runtime.Model;
using Cnn.Runtime.Optim;

namespace Cnn.Dsl.Tests.Optim;

public class NonFiniteTests
{
    [Fact]
    public void Finite_arenas_report_nothing()
    {
        Assert.Null(NonFiniteScan.FindFirst(TorchReference.Gradients[0], TestLayout.Tensors));
        NonFiniteScan.ThrowIfAny(TorchReference.Gradients[0], TestLayout.Tensors, NonFiniteArena.Gradients, step: 1);
    }

    [Fact]
    public void The_first_tensor_in_layout_order_is_reported_with_its_first_bad_element()
    {
        var gradients = (float[])TorchReference.Gradients[0].Clone();
        gradients[50] = float.NaN;
        gradients[14 + 9] = float.NegativeInfinity;
        gradients[14 + 12] = float.NaN;

        var found = NonFiniteScan.FindFirst(gradients, TestLayout.Tensors);

        Assert.NotNull(found);
        Assert.Equal("dense1.weight", found.Value.Tensor.Name);
        Assert.Equal(9, found.Value.Index);
        Assert.Equal("−∞", found.Value.Kind);
        Assert.Equal("[1, 2]", found.Value.Position);
    }

    [Fact]
    public void The_exception_names_tensor_layer_step_and_element()
    {
        var gradients = (float[])TorchReference.Gradients[0].Clone();
        gradients[5] = float.NaN;

        var error = Assert.Throws<NonFiniteException>(() => NonFiniteScan.ThrowIfAny(gradients, TestLayout.Tensors, NonFiniteArena.Gradients, step: 17));

        Assert.Equal("gradient of conv1.weight is NaN at step 17 (element [1, 0, 0, 1]): layer conv1 produced it in its backward pass (check the loss and the learning rate, or clip gradients)", error.Message);
        Assert.Equal("conv1.weight", error.TensorName);
        Assert.Equal("conv1", error.Layer);
        Assert.Equal(17, error.Step);
    }

    [Fact]
    public void Buffers_are_scanned_only_in_the_buffer_arena_and_frozen_layers_are_skipped()
    {
        var buffers = new float[] { 0, 0, 1, float.PositiveInfinity };
        var found = NonFiniteScan.FindFirst(buffers, TestLayout.Tensors, NonFiniteArena.Buffers);
        Assert.Equal("bn1.running_var", found!.Value.Tensor.Name);
        Assert.StartsWith("running statistic bn1.running_var is +∞ at step 3 (element [1])", new NonFiniteException(found.Value, NonFiniteArena.Buffers, 3).Message);

        var gradients = (float[])TorchReference.Gradients[0].Clone();
        gradients[1] = float.NaN;
        Assert.Null(NonFiniteScan.FindFirst(gradients, new FreezableLayout("conv1"), NonFiniteArena.Gradients));
    }

    [Fact]
    public void Any_bad_value_anywhere_in_a_tensor_is_found_at_its_index()
    {
        // Every position, so both the vectorized body and the tail of the magnitude scan are covered.
        const int length = 16 * 3 + 8 + 7;
        var layout = new[] { new ParameterInfo("dense1.weight", "dense1", [length], 0, ParameterRole.Weight) };
        var values = new float[length];
        foreach (var bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            for (var index = 0; index < length; index++)
            {
                values.AsSpan().Fill(float.MaxValue);
                values[index] = bad;
                var found = NonFiniteScan.FindFirst(values, layout);
                Assert.True(found is { } f && f.Index == index && f.Value.Equals(bad), $"{bad} at {index}: found {found}");
            }
        }
    }

    [Theory]
    [InlineData("sgd_momentum")]
    [InlineData("adam_default")]
    [InlineData("adamw_amsgrad")]
    public void An_update_that_makes_a_parameter_non_finite_is_reported_where_it_happens(string configuration)
    {
        // Every position, so the update kernels' vector bodies and scalar tails all check what they write.
        const int length = 16 * 3 + 8 + 7;
        var layout = new[]
        {
            new ParameterInfo("conv1.weight", "conv1", [4], 0, ParameterRole.Weight),
            new ParameterInfo("dense1.weight", "dense1", [length], 16, ParameterRole.Weight),
        };
        for (var index = 0; index < length; index++)
        {
            var optimizer = OptimizerFactory.Create(configuration, layout);
            var parameters = new float[16 + length];
            var gradients = new float[16 + length];
            gradients.AsSpan().Fill(0.5f);
            gradients[16 + index] = float.NaN;

            var error = Assert.Throws<NonFiniteException>(() => optimizer.Step(parameters, gradients));

            Assert.Equal(NonFiniteArena.Parameters, error.Arena);
            Assert.Equal("dense1.weight", error.TensorName);
            Assert.Equal(index, error.Value.Index);
            Assert.Equal(1, error.Step);
            Assert.Equal(1L, optimizer.TensorSteps[0]);
        }
    }

    [Fact]
    public void An_overflowing_step_names_the_first_tensor_in_layout_order()
    {
        var optimizer = new SGD(TestLayout.Tensors, 1e38);
        var parameters = (float[])TorchReference.InitialParameters.Clone();
        var gradients = (float[])TorchReference.Gradients[0].Clone();
        gradients.AsSpan(0, 14).Clear();
        gradients[20] = 1e10f;

        var error = Assert.Throws<NonFiniteException>(() => optimizer.Step(parameters, gradients));

        Assert.Equal("dense1.weight", error.TensorName);
        Assert.Equal(6, error.Value.Index);
        Assert.StartsWith("parameter dense1.weight is −∞ at step 1 (element [0, 6]): the optimizer's update of layer dense1 produced it", error.Message, StringComparison.Ordinal);
    }
}
