using System.Linq;
using Cnn.Dsl.Tests.Shapes;
using Cnn.Generators.Emit;
using Cnn.Generators.Emit.Passes;

namespace Cnn.Dsl.Tests.Emit;

/// <summary>
/// Where the generated passes put each activation's gradient (<see cref="GradientPlan"/>): gradients live at one statement never
/// share memory, and the arena holds what is live at once, not every activation. The networks' gradients themselves are checked
/// against finite differences and PyTorch's golden files elsewhere, all running on these plans.
/// </summary>
public class GradientPlanTests
{
    private const string Blocks = """
        [Block] [Conv(Arg.A, 3, stride: Arg.B, pad: 1, bias: false), BatchNorm, Relu, Conv(Arg.A, 3, pad: 1, bias: false), BatchNorm] public partial class Basic;
        [Block] [Conv(Arg.A, 1, stride: Arg.B, bias: false), BatchNorm] public partial class Projection;
        [Block] [Conv(4, 1), Relu] public partial class Narrow;
        [Block] [Conv(2, 1), Relu, Conv(4, 3, pad: 1), Relu] public partial class Wide;
        [Block] [MaxPool(3, stride: 1, pad: 1), Conv(2, 1)] public partial class Pooled;
        """;

    private const string Residual = """
        [Network(3, 16, 16)]
        [Conv(8, 3, pad: 1, bias: false), BatchNorm, Relu]
        [Residual<Basic>(8, 1), Relu, Residual<Basic, Projection>(16, 2), Relu, Residual<Basic, Projection>(32, 2), Relu]
        [GlobalAvgPool, Dense(10)]
        public partial class Net;
        """;

    public static TheoryData<string> Networks => new()
    {
        Residual,
        """
        [Network(3, 12, 12)]
        [Conv(6, 3, pad: 1), Relu, Concat<Narrow, Wide, Pooled>, Relu, MaxPool(2)]
        [Concat<Narrow, Wide>, Flatten, Dropout(0.5), Dense(7), Softmax]
        public partial class Net;
        """,
        """
        [Network(1, 28, 28)]
        [Conv(6, 5, pad: 2), Relu, MaxPool(2), Conv(16, 5), Relu, MaxPool(2)]
        [Flatten, Dense(120), Relu, Dense(84), Tanh, Dense(10)]
        public partial class Net;
        """,
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Gradients_live_at_one_statement_never_share_memory(string network)
    {
        var (plan, gradients) = Plan(network);

        foreach (var a in gradients.Slots)
        {
            Assert.InRange(a.Offset, 0, gradients.FloatsPerSample - a.Length);
            foreach (var b in gradients.Slots.Where(b => b.Slot != a.Slot && a.MeetsInTime(b)))
            {
                Assert.True(a.Offset + a.Length <= b.Offset || b.Offset + b.Length <= a.Offset, $"gradients of slots {a.Slot} and {b.Slot} overlap");
            }
        }
        // The loss writes the training output's gradient before every statement; backward can run again from it.
        var output = Assert.Single(gradients.Slots, g => g.Slot == plan.TrainingOutput.Offset);
        Assert.Equal(-1, output.First);
        Assert.Equal(plan.Steps.Count, output.Last);
        // Every step's output and learned inputs have a place.
        var placed = gradients.Slots.Select(g => g.Slot).ToHashSet();
        Assert.All(plan.Steps.Where(s => s.Operation is not StepOperation.BatchNorm), step => Assert.Contains(step.Output.Offset, placed));
        Assert.DoesNotContain(plan.Input.Offset, placed);
    }

    [Fact]
    public void A_residual_network_needs_three_of_its_largest_gradients_and_the_logits()
    {
        // At the first block's join three 8×16×16 gradients are live: the join's output's (read), the body's last
        // convolution's and the identity shortcut's (written); a BatchNorm the join applies gets none of its own.
        var (_, gradients) = Plan(Residual);

        Assert.Equal((3 * 8 * 16 * 16) + 10, gradients.FloatsPerSample);
    }

    private static (ActivationPlan Plan, GradientPlan Gradients) Plan(string network)
    {
        var inferred = SpecBuilder.InferSource(Blocks + network);
        Assert.Empty(inferred.Problems);
        var plan = ActivationPlan.Of(inferred);
        return (plan, PassesWriter.GradientsOf(plan, ParameterPlan.Of(inferred)));
    }
}
