using System;
using Cnn.Runtime.Optim;

namespace Cnn.Dsl.Tests.Optim;

public class ClippingTests
{
    [Theory]
    [InlineData("norm2_1", 1.0f, 2.0, null)]
    [InlineData("norm2_1000", 1000.0f, 2.0, null)]
    [InlineData("norm1_5", 5.0f, 1.0, null)]
    [InlineData("norminf_2", 2.0f, double.PositiveInfinity, null)]
    [InlineData("norm2_1_dense1_frozen", 1.0f, 2.0, "dense1")]
    public void Clipping_by_norm_matches_clip_grad_norm_(string name, float maxNorm, double normType, string? frozenLayer)
    {
        var layout = frozenLayer is null ? new FreezableLayout() : new FreezableLayout(frozenLayer);
        var gradients = (float[])TorchReference.Gradients[2].Clone();

        var total = GradientClipping.ClipByNorm(gradients, layout, maxNorm, normType);

        var (expectedTotal, expectedGradients) = TorchReference.Clips[name];
        Assert.Equal(expectedTotal, total, expectedTotal * 1e-6f);
        for (var i = 0; i < gradients.Length; i++)
        {
            Assert.Equal(expectedGradients[i], gradients[i], Math.Abs(expectedGradients[i]) * 2e-6f);
        }
    }

    [Fact]
    public void Clipping_by_value_clamps_trained_tensors_and_keeps_NaN()
    {
        var gradients = (float[])TorchReference.Gradients[2].Clone();
        gradients[3] = float.NaN;
        GradientClipping.ClipByValue(gradients, new FreezableLayout("bn1"), 0.5f);

        Assert.True(float.IsNaN(gradients[3]));
        for (var i = 0; i < gradients.Length; i++)
        {
            var original = TorchReference.Gradients[2][i];
            var expected = i is >= 10 and < 14 ? original : Math.Clamp(original, -0.5f, 0.5f);
            if (i != 3)
            {
                Assert.Equal(expected, gradients[i]);
            }
        }
    }

    [Fact]
    public void A_non_finite_norm_turns_every_gradient_to_NaN_as_in_PyTorch()
    {
        var gradients = (float[])TorchReference.Gradients[0].Clone();
        gradients[20] = float.PositiveInfinity;

        var total = GradientClipping.ClipByNorm(gradients, TestLayout.Tensors, 1f);

        Assert.Equal(float.PositiveInfinity, total);
        Assert.All(gradients, g => Assert.True(float.IsNaN(g) || g == 0));
    }

    [Fact]
    public void Only_norms_1_2_and_infinity_are_supported()
    {
        var gradients = new float[TestLayout.ArenaLength];
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByNorm(gradients, TestLayout.Tensors, 1f, normType: 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByValue(gradients, TestLayout.Tensors, -1f));
    }
}
