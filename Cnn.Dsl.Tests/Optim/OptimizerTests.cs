using System;
using System.Linq;
using Cnn.Dsl.Tests.Infrastructure;
using Cnn.Runtime.Optim;

namespace Cnn.Dsl.Tests.Optim;

public class OptimizerTests
{
    public static TheoryData<string> Configurations => OptimizerFactory.Names();

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Every_step_matches_PyTorch_bit_for_bit(string configuration)
    {
        var optimizer = OptimizerFactory.Create(configuration);
        var parameters = (float[])TorchReference.InitialParameters.Clone();
        for (var step = 0; step < TorchReference.Steps; step++)
        {
            optimizer.Step(parameters, TorchReference.Gradients[step]);
            AssertSameBits(TorchReference.Trajectories[configuration][step], parameters, $"{configuration}, step {step + 1}");
        }
        Assert.Equal(TorchReference.Steps, optimizer.StepCount);
    }

    [Theory]
    [InlineData("sgd_momentum_conv1_frozen", "sgd_momentum", 7, 1)]
    [InlineData("sgd_dampening_decay_unfrozen_late", "sgd_dampening_decay", 3, 5)]
    [InlineData("adam_decay_unfrozen_late", "adam_decay", 3, 5)]
    [InlineData("adamw_amsgrad_unfrozen_late", "adamw_amsgrad", 3, 1)]
    public void Frozen_layers_match_PyTorch_parameters_without_gradients(string reference, string configuration, int conv1Joins, int bn1Joins)
    {
        var layout = new FreezableLayout();
        var optimizer = OptimizerFactory.Create(configuration, layout);
        var parameters = (float[])TorchReference.InitialParameters.Clone();
        for (var step = 1; step <= TorchReference.Steps; step++)
        {
            layout.SetFrozen("conv1", step < conv1Joins);
            layout.SetFrozen("bn1", step < bn1Joins);
            optimizer.Step(parameters, TorchReference.Gradients[step - 1]);
            AssertSameBits(TorchReference.Trajectories[reference][step - 1], parameters, $"{reference}, step {step}");
        }
    }

    [Fact]
    public void A_frozen_layer_keeps_its_values_bit_for_bit_and_its_state_untouched()
    {
        var optimizer = new AdamW(new FreezableLayout("dense1"), 0.01, weightDecay: 0.5);
        var parameters = (float[])TorchReference.InitialParameters.Clone();
        optimizer.Step(parameters, TorchReference.Gradients[0]);
        optimizer.Step(parameters, TorchReference.Gradients[1]);

        Assert.Equal(TorchReference.InitialParameters[14..], parameters[14..]);
        Assert.NotEqual(TorchReference.InitialParameters[..14], parameters[..14]);
        Assert.All(optimizer.State, s => Assert.All(s.Values[14..], v => Assert.Equal(0f, v)));
        Assert.Equal([2L, 2, 2, 2, 0, 0], optimizer.TensorSteps.ToArray());
    }

    [Fact]
    public void Buffers_in_the_layout_are_not_trained()
    {
        var optimizer = new SGD(TestLayout.Tensors, 0.1);

        Assert.Equal(6, optimizer.Tensors.Count);
        Assert.DoesNotContain(optimizer.Tensors, t => t.IsBuffer);
        Assert.Equal(TestLayout.ArenaLength, optimizer.ArenaLength);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Restored_state_continues_bit_for_bit(string configuration)
    {
        var original = OptimizerFactory.Create(configuration);
        var parameters = (float[])TorchReference.InitialParameters.Clone();
        for (var step = 0; step < 3; step++)
        {
            original.Step(parameters, TorchReference.Gradients[step]);
        }
        var saved = original.SaveState();
        var checkpointed = (float[])parameters.Clone();
        for (var step = 3; step < TorchReference.Steps; step++)
        {
            original.Step(parameters, TorchReference.Gradients[step]);
        }

        // A checkpoint round trip: a fresh optimizer given copies of the named arrays and counters.
        var restored = OptimizerFactory.Create(configuration);
        restored.LoadState(saved with { Arrays = saved.Arrays.Select(a => (a.Name, (float[])a.Values.Clone())).ToArray() });
        for (var step = 3; step < TorchReference.Steps; step++)
        {
            restored.Step(checkpointed, TorchReference.Gradients[step]);
        }

        Assert.Equal(parameters, checkpointed);
        Assert.Equal(original.StepCount, restored.StepCount);
        Assert.Equal(original.State.Select(s => s.Name), restored.State.Select(s => s.Name));
        Assert.All(original.State.Zip(restored.State), p => Assert.Equal(p.First.Values, p.Second.Values));
    }

    [Fact]
    public void State_carries_PyTorch_names()
    {
        Assert.Equal(["momentum_buffer"], new SGD(TestLayout.Tensors, 0.1, momentum: 0.9).State.Select(s => s.Name));
        Assert.Empty(new SGD(TestLayout.Tensors, 0.1).State);
        Assert.Equal(["exp_avg", "exp_avg_sq"], new Adam(TestLayout.Tensors).State.Select(s => s.Name));
        Assert.Equal(["exp_avg", "exp_avg_sq", "max_exp_avg_sq"], new AdamW(TestLayout.Tensors, amsGrad: true).State.Select(s => s.Name));
    }

    [Fact]
    public void State_of_another_kind_is_rejected_with_both_names()
    {
        var adamState = new Adam(TestLayout.Tensors).SaveState();
        var sgd = new SGD(TestLayout.Tensors, 0.1, momentum: 0.9);

        var error = Assert.Throws<ArgumentException>(() => sgd.LoadState(adamState));
        Assert.Contains("SGD keeps state [momentum_buffer]; the saved state has [exp_avg, exp_avg_sq]", error.Message);
    }

    [Fact]
    public void Weight_decay_filter_leaves_biases_and_norms_undecayed()
    {
        var decayed = new SGD(TestLayout.Tensors, 0.1, weightDecay: 0.5) { DecaysWeight = t => t.IsWeight };
        var plain = new SGD(TestLayout.Tensors, 0.1);
        var withDecay = new SGD(TestLayout.Tensors, 0.1, weightDecay: 0.5);
        var filtered = (float[])TorchReference.InitialParameters.Clone();
        var undecayed = (float[])filtered.Clone();
        var allDecayed = (float[])filtered.Clone();

        decayed.Step(filtered, TorchReference.Gradients[0]);
        plain.Step(undecayed, TorchReference.Gradients[0]);
        withDecay.Step(allDecayed, TorchReference.Gradients[0]);

        foreach (var tensor in decayed.Tensors)
        {
            var expected = tensor.IsWeight ? allDecayed : undecayed;
            Assert.Equal(expected.AsSpan(tensor.Offset, tensor.Length).ToArray(), filtered.AsSpan(tensor.Offset, tensor.Length).ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void An_element_updates_the_same_wherever_it_sits(string configuration)
    {
        // 16-, 8-wide and scalar paths must agree, or results would depend on tensor sizes.
        const int length = 16 + 8 + 5;
        var layout = new[] { new Cnn.Runtime.Model.ParameterInfo("dense1.weight", "dense1", [length], 0, Cnn.Runtime.Model.ParameterRole.Weight) };
        var optimizer = OptimizerFactory.Configurations[configuration](layout);
        var parameters = Enumerable.Repeat(0.37f, length).ToArray();
        for (var step = 0; step < 4; step++)
        {
            optimizer.Step(parameters, Enumerable.Repeat(-1.3f + step, length).ToArray());
        }
        Assert.All(parameters, p => Assert.Equal(parameters[0], p));
        Assert.NotEqual(0.37f, parameters[0]);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void A_step_allocates_nothing(string configuration)
    {
        var optimizer = OptimizerFactory.Create(configuration, new FreezableLayout("bn1"));
        var parameters = (float[])TorchReference.InitialParameters.Clone();
        var gradients = TorchReference.Gradients[4];
        AllocationAssert.SteadyStateAllocatesNothing(() => optimizer.Step(parameters, gradients), warmUpPasses: 1);
    }

    [Fact]
    public void Invalid_settings_and_arenas_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new SGD(TestLayout.Tensors, 0.1, momentum: 0, nesterov: true));
        Assert.Throws<ArgumentException>(() => new SGD(TestLayout.Tensors, 0.1, momentum: 0.9, dampening: 0.1, nesterov: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SGD(TestLayout.Tensors, -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(TestLayout.Tensors, beta1: 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(TestLayout.Tensors, weightDecay: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(TestLayout.Tensors) { LearningRate = double.NaN });

        var overlapping = new[]
        {
            new Cnn.Runtime.Model.ParameterInfo("a.weight", "a", [4], 0, Cnn.Runtime.Model.ParameterRole.Weight),
            new Cnn.Runtime.Model.ParameterInfo("a.bias", "a", [2], 3, Cnn.Runtime.Model.ParameterRole.Bias),
        };
        Assert.Contains("a.bias at offset 3 overlaps", Assert.Throws<ArgumentException>(() => new SGD(overlapping, 0.1)).Message);

        var optimizer = new SGD(TestLayout.Tensors, 0.1);
        Assert.Throws<ArgumentException>(() => optimizer.Step(new float[TestLayout.ArenaLength - 1], new float[TestLayout.ArenaLength]));
    }

    /// <summary>Bit-for-bit equality: the kernels round and fuse exactly as PyTorch's CPU build does.</summary>
    internal static void AssertSameBits(float[] expected, float[] actual, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"{context}: element {i} is {actual[i]:R}, PyTorch has {expected[i]:R}");
        }
    }
}
