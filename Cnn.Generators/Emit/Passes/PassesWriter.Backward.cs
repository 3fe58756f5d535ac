using System.Collections.Generic;
using System.Linq;
using Cnn.Generators.Models;

namespace Cnn.Generators.Emit.Passes;

internal static partial class PassesWriter
{
    /// <summary>The backward statements: one LayerOps call per step, or none where another step's call runs its backward.</summary>
    private sealed partial class StepWriter
    {
        /// <summary>The statements of <paramref name="step"/>'s backward: none for a BatchNorm its join's call runs.</summary>
        public IEnumerable<string> Backward(PassStep step)
        {
            var layer = step.Layer;
            var x = step.Inputs[0];
            var y = step.Output;
            var g = GeometryName(step);
            var mode = ModeOf(step, 0);
            var trains = $"context.Trains({Literals.Int(step.Index)})";
            switch (step.Operation)
            {
                case StepOperation.Conv when SumsForBatchNormRelu(step) is { } norm:
                    yield return Call("ConvBackwardSummed", $"in {g}", Ints(x.Offset, y.Offset), Weight(layer), Bias(layer), trains, mode, Ints(norm.Inputs[0].Offset),
                        Offset(norm.Layer, TensorRole.Scale), Offset(norm.Layer, TensorRole.Shift), Ints(norm.StateOffset));
                    break;
                case StepOperation.Conv:
                    yield return Call("ConvBackward", $"in {g}", Ints(x.Offset, y.Offset), Weight(layer), Bias(layer), trains, mode);
                    break;
                case StepOperation.ConvTranspose:
                    yield return Call("ConvTransposeBackward", $"in {g}", Ints(x.Offset, y.Offset), Weight(layer), Bias(layer), trains, mode);
                    break;
                case StepOperation.Dense:
                    yield return Call("DenseBackward", Ints(x.Length, y.Length, x.Offset, y.Offset), Weight(layer), Bias(layer), trains, mode);
                    break;
                case StepOperation.MaxPool:
                    yield return Call(WithRelu("MaxPool", step) + "Backward", $"in {g}", Ints(x.Offset, y.Offset, step.IndexOffset), mode);
                    break;
                case StepOperation.AvgPool:
                    yield return Call("AvgPoolBackward", $"in {g}", Ints(x.Offset, y.Offset), mode);
                    break;
                case StepOperation.GlobalAvgPool:
                    yield return Call("GlobalAvgPoolBackward", Ints(layer.In.C, Plane(layer.In), x.Offset, y.Offset), mode);
                    break;
                case StepOperation.BatchNorm when IsInJoin(step):
                    // Its backward runs in its join's call (JoinSideGradient).
                    break;
                case StepOperation.BatchNorm when step.Index + 1 < _plan.Steps.Count && SumsForBatchNormRelu(_plan.Steps[step.Index + 1]) is not null:
                    yield return Call("BatchNormReluBackwardSummed", Ints(layer.In.C, Plane(layer.In), x.Offset, y.Offset),
                        Offset(layer, TensorRole.Scale), Offset(layer, TensorRole.Shift), Ints(step.StateOffset), trains, mode);
                    break;
                case StepOperation.BatchNorm:
                    yield return Call(WithRelu("BatchNorm", step) + "Backward", Ints(layer.In.C, Plane(layer.In), x.Offset, y.Offset),
                        Offset(layer, TensorRole.Scale), Offset(layer, TensorRole.Shift), Ints(step.StateOffset), trains, mode);
                    break;
                case StepOperation.Dropout:
                    yield return Call("DropoutBackward", Ints(y.Length, x.Offset, y.Offset, step.Aux!.Offset), mode);
                    break;
                case StepOperation.LeakyRelu:
                    yield return Call("LeakyReluBackward", Ints(y.Length, x.Offset, y.Offset), Literals.Float(layer.Spec.Slope), mode);
                    break;
                case StepOperation.Elu:
                    yield return Call("EluBackward", Ints(y.Length, x.Offset, y.Offset), Literals.Float(layer.Spec.Alpha), mode);
                    break;
                case StepOperation.Softmax:
                    yield return Call("SoftmaxBackward", Ints(layer.In.C, Plane(layer.In), x.Offset, y.Offset), mode);
                    break;
                case StepOperation.Add when step.Inputs.Any(AppliesInJoin):
                    yield return Call(WithRelu("NormalizedAdd", step) + "Backward", Ints(layer.Out.C, Plane(layer.Out), y.Offset), JoinSideBackward(step, 0),
                        JoinSideBackward(step, 1));
                    break;
                case StepOperation.Add:
                    yield return Call(WithRelu("Add", step) + "Backward", Ints(y.Length, y.Offset, step.Inputs[0].Offset), mode, Ints(step.Inputs[1].Offset), ModeOf(step, 1));
                    break;
                case StepOperation.Concat:
                    var branches = ConcatBranches(step);
                    for (var i = 0; i < branches.Count; i++)
                    {
                        if (step.InputModes[i] != GradientMode.None)
                        {
                            var b = branches[i];
                            yield return Call("ConcatBranchBackward", Ints(Plane(layer.Out), layer.Out.C, y.Offset, b.ChannelOffset, b.Slot.Offset, b.Channels), ModeOf(step, i));
                        }
                    }
                    break;
                default:
                    yield return Call(step.Operation + "Backward", Ints(y.Length, x.Offset, y.Offset), mode);
                    break;
            }
        }

        /// <summary>
        /// One side of <c>LayerOps.NormalizedAddBackward</c>: the BatchNorm's input, parameters, saved statistics, whether it trains and how its
        /// input's gradient is delivered; or the slot, no BatchNorm and the join's own mode for it.
        /// </summary>
        private string JoinSideBackward(PassStep join, int k) => ProducerInJoin(join.Inputs[k]) is { } norm
            ? string.Join(", ", Ints(norm.Inputs[0].Offset), Offset(norm.Layer, TensorRole.Scale), Offset(norm.Layer, TensorRole.Shift), Ints(norm.StateOffset),
                $"context.Trains({Literals.Int(norm.Index)})", ModeOf(norm, 0))
            : string.Join(", ", Ints(join.Inputs[k].Offset, -1, -1, -1), "false", ModeOf(join, k));

        /// <summary>
        /// The BatchNorm+ReLU just before <paramref name="conv"/> whose output it reads, or null: the convolution's backward, the last to add to
        /// that output's gradient (the BatchNorm's backward runs next), takes the BatchNorm's gradient sums in its data gradient
        /// (<c>LayerOps.ConvBackwardSummed</c>), and the BatchNorm's backward reads them (<c>LayerOps.BatchNormReluBackwardSummed</c>).
        /// </summary>
        private PassStep? SumsForBatchNormRelu(PassStep conv) =>
            conv.Operation == StepOperation.Conv && conv.Index > 0 && conv.InputModes[0] != GradientMode.None
            && _plan.Steps[conv.Index - 1] is { Operation: StepOperation.BatchNorm, Relu: not null } norm && ReferenceEquals(conv.Inputs[0], norm.Output)
                ? norm : null;
    }
}
