using System.Linq;
using System.Threading;
using Cnn.Dsl.Tests.Infrastructure;
using Cnn.Generators.Emit;
using Cnn.Generators.Parsing;
using Cnn.Generators.Shapes;

namespace Cnn.Dsl.Tests.Emit;

public class ParameterPlanTests
{
    private static ParameterPlan Plan(string attributes, string blocks = "")
    {
        var compilation = TestCompilation.Create("using Cnn.Dsl;\n" + blocks + "\n" + attributes + "\npublic partial class Net;");
        var spec = NetworkParser.Parse(TestCompilation.Type(compilation, "Net"), CancellationToken.None);
        var network = ShapeInference.Infer(spec);
        Assert.False(network.HasErrors, string.Join("\n", network.Problems.Select(p => p.Message)));
        Assert.NotEmpty(network.Layers);
        return ParameterPlan.Of(network);
    }

    private static string Describe(ParameterPlan plan) =>
        string.Join("; ", plan.Slots.Select(s => $"{s.Name} [{string.Join(",", s.Shape)}] @{s.Offset}"));

    [Fact]
    public void Layouts_follow_pytorch_for_each_kind()
    {
        var plan = Plan("[Network(4, 6, 6)] [Conv(8, 3, groups: 2), ConvTranspose(3, 2, stride: 2, bias: false), GlobalAvgPool, Dense(5), BatchNorm]");

        Assert.Equal(
            "conv1.weight [8,2,3,3] @0; conv1.bias [8] @144; convt1.weight [8,3,2,2] @160; dense1.weight [5,3] @256; dense1.bias [5] @272; " +
            "bn1.weight [5] @288; bn1.bias [5] @304; bn1.running_mean [5] @0; bn1.running_var [5] @16",
            Describe(plan));
        Assert.Equal((144L + 8 + 96 + 15 + 5 + 10, 10L), (plan.ParameterCount, plan.BufferCount));
        Assert.Equal((320L, 32L), (plan.ParameterArenaLength, plan.BufferArenaLength));
        Assert.Equal(new[] { "bn1" }, plan.BatchNorms);
    }

    [Fact]
    public void Find_returns_a_layers_tensor_or_null()
    {
        var plan = Plan("[Network(1, 4, 4)] [Conv(2, 3, bias: false), BatchNorm, Flatten, Dense(3, Name = \"head\")]");

        Assert.Equal("conv1.weight", plan.Find("conv1", TensorRole.Weight)?.Name);
        Assert.Null(plan.Find("conv1", TensorRole.Bias));
        Assert.Equal(0, plan.Find("bn1", TensorRole.RunningMean)?.Offset);
        Assert.Equal(new[] { 3, 8 }, plan.Find("head", TensorRole.Weight)?.Shape.ToArray());
    }

    [Fact]
    public void Every_tensor_starts_aligned_and_none_overlap()
    {
        var plan = Plan(
            "[Network(3, 9, 9)] [Conv(5, 3), BatchNorm, Relu, Repeat<Unit>(3, 5), Concat<Unit, Unit>(7), Flatten, Dense(11), Dense(3)]",
            "[Block] [Conv(Arg.A, 3, pad: 1), BatchNorm, Relu] public partial class Unit;");

        foreach (var arena in plan.Slots.GroupBy(s => s.IsBuffer))
        {
            var slots = arena.OrderBy(s => s.Offset).ToList();
            Assert.All(slots, s => Assert.Equal(0, s.Offset % ParameterPlan.Alignment));
            Assert.All(slots.Zip(slots.Skip(1)), pair => Assert.True(pair.First.Offset + pair.First.Length <= pair.Second.Offset));
            Assert.True(slots[^1].Offset + slots[^1].Length <= (arena.Key ? plan.BufferArenaLength : plan.ParameterArenaLength));
            Assert.Equal(arena.Key ? plan.BufferCount : plan.ParameterCount, slots.Sum(s => (long)s.Length));
        }
        Assert.Contains(plan.Slots, s => s.Name == "repeat1.2.bn1.running_var");
        Assert.Contains(plan.Slots, s => s.Name == "concat1.branch2.conv1.weight");
        // bn1, one per Repeat copy, one per Concat branch.
        Assert.Equal(6, plan.BatchNorms.Count);
    }
}
