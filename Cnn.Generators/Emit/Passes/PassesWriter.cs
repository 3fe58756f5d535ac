using System.Collections.Generic;
using System.Linq;
using Cnn.Generators.Models;

namespace Cnn.Generators.Emit.Passes;

/// <summary>
/// Writes the members that make a network run: the constructor, the arena plan, one static geometry
/// per convolution or pooling step, the unrolled forward and backward passes and the scratch size.
/// Every shape and offset is a literal; only the batch size is read at run time (from the context).
/// Each statement calls one <c>Cnn.Runtime.Network.LayerOps</c> method, which calls the kernels.
/// </summary>
internal static partial class PassesWriter
{
    public const string Base = "global::Cnn.Runtime.Network.NetworkBase";
    private const string Ops = "global::Cnn.Runtime.Network.LayerOps";
    private const string Context = "global::Cnn.Runtime.Network.NetworkContext";
    private const string Mode = "global::Cnn.Runtime.Network.InputGradient";
    private const string Kernels = "global::Cnn.Runtime.Kernels";

    public static void Write(CodeWriter writer, EmitContext context)
    {
        var plan = ActivationPlan.Of(context.Network);
        var steps = new StepWriter(context.Parameters, plan);
        WriteConstructor(writer, context);
        writer.Line();
        WritePlan(writer, context, plan, steps, GradientsOf(plan, steps));
        foreach (var step in plan.Steps)
        {
            if (StepWriter.Geometry(step) is { } geometry)
            {
                writer.Line($"private static readonly {geometry.Type} {StepWriter.GeometryName(step)} = new {geometry.Type}({geometry.Arguments});");
            }
        }
        writer.Line();
        writer.Doc("inheritdoc");
        writer.Line($"protected override void ForwardLayers({Context} context)").Open();
        foreach (var step in plan.Steps)
        {
            var lines = steps.Forward(step).ToList();
            writer.Line($"// {Describe(step)}{(lines.Count == 0 ? " (in the call above)" : "")}");
            if (step.TrainingSkips)
            {
                writer.Line("if (!context.Training)").Open();
            }
            foreach (var line in lines)
            {
                writer.Line(line);
            }
            if (lines.Count > 0)
            {
                writer.Line($"context.Mark({Literals.Int(step.Index)});");
            }
            if (step.TrainingSkips)
            {
                writer.Close();
            }
        }
        writer.Close();
        writer.Line();
        writer.Doc("inheritdoc");
        writer.Line($"protected override void BackwardLayers({Context} context)").Open();
        var lastInBackward = plan.Steps.FirstOrDefault(s => s.HasBackward)?.Index ?? -1;
        for (var i = plan.Steps.Count - 1; i >= 0; i--)
        {
            var step = plan.Steps[i];
            if (step.HasBackward)
            {
                var lines = steps.Backward(step).ToList();
                writer.Line($"// {Describe(step)}{(lines.Count == 0 ? " (in the join's call above)" : "")}");
                foreach (var line in lines)
                {
                    writer.Line(line);
                }
                if (lines.Count > 0)
                {
                    // Backward statements are numbered after the forward ones (IStatementTimer.Mark).
                    writer.Line($"context.Mark({Literals.Int(plan.Steps.Count + step.Index)});");
                }
                if (step.HasParameters && step.Index != lastInBackward)
                {
                    // Everything before the first step that trains is frozen or parameter-free: no gradient is needed there.
                    writer.Line($"if (context.FirstTrainedStep == {Literals.Int(step.Index)}) return;");
                }
            }
        }
        writer.Close();
        writer.Line();
        writer.Doc("inheritdoc");
        writer.Line("protected override int ScratchLength(int batch)").Open();
        writer.Line("var length = 0;");
        foreach (var step in plan.Steps)
        {
            if (steps.Scratch(step) is { } scratch)
            {
                writer.Line($"length = global::System.Math.Max(length, {scratch});");
            }
        }
        writer.Line("return length;");
        writer.Close();
    }

    /// <summary>Where each gradient of <paramref name="plan"/> lives, given how the backward statements run its steps (<see cref="GradientPlan"/>).</summary>
    internal static GradientPlan GradientsOf(ActivationPlan plan, ParameterPlan parameters) => GradientsOf(plan, new StepWriter(parameters, plan));

    private static GradientPlan GradientsOf(ActivationPlan plan, StepWriter steps) =>
        GradientPlan.Of(plan, steps.BackwardPosition, slot => slot.RequiresGradient && !steps.AppliesInJoin(slot));

    private static void WriteConstructor(CodeWriter writer, EmitContext context)
    {
        var name = context.Spec.Type.Name;
        writer.Doc("summary",
            Literals.Xml($"A {name} with freshly initialized weights: convolution and dense weights and biases uniform in ±1/√fan_in"),
            "(PyTorch's default Kaiming-uniform), BatchNorm γ = 1 and β = 0, running mean 0 and variance 1.");
        writer.Line("/// <param name=\"seed\">Seed of the initial weights and of the dropout masks: the same seed gives the same network.</param>");
        writer.Line("/// <param name=\"workers\">Threads that share each batch (the caller's included); results depend only on the seed and this count.</param>");
        writer.Line($"public {name}(int seed = 0, int workers = 1)");
        writer.Indent().Line(": base(GeneratedPlan, seed, workers)").Unindent();
        writer.Open().Close();
    }

    private static void WritePlan(CodeWriter writer, EmitContext context, ActivationPlan plan, StepWriter steps, GradientPlan gradients)
    {
        writer.Line($"private static readonly global::Cnn.Runtime.Network.NetworkPlan GeneratedPlan = new global::Cnn.Runtime.Network.NetworkPlan").Open();
        writer.Line("Layout = ParameterLayout,");
        writer.Line($"Input = {ShapeLiteral(context.Network.Input)},");
        writer.Line($"Output = {ShapeLiteral(context.Network.Output)},");
        writer.Line($"ParameterArenaLength = {Literals.Int(checked((int)context.Parameters.ParameterArenaLength))},");
        writer.Line($"BufferArenaLength = {Literals.Int(checked((int)context.Parameters.BufferArenaLength))},");
        writer.Line($"ActivationFloatsPerSample = {Literals.Int(plan.FloatsPerSample)},");
        writer.Line($"IndicesPerSample = {Literals.Int(plan.IndicesPerSample)},");
        writer.Line($"StateFloats = {Literals.Int(plan.StateFloats)},");
        writer.Line($"InputOffset = {Literals.Int(plan.Input.Offset)},");
        writer.Line($"OutputOffset = {Literals.Int(plan.Output.Offset)},");
        writer.Line($"TrainingOutputOffset = {Literals.Int(plan.TrainingOutput.Offset)},");
        writer.Line($"GradientFloatsPerSample = {Literals.Int(gradients.FloatsPerSample)},");
        writer.Line("GradientSlots = new global::Cnn.Runtime.Network.GradientSlot[]").Open();
        foreach (var gradient in gradients.Slots)
        {
            writer.Line($"new({Literals.Int(gradient.Slot)}, {Literals.Int(gradient.Offset)}),");
        }
        writer.Close(",");
        writer.Line("Layers = new global::Cnn.Runtime.Network.LayerTrace[]").Open();
        foreach (var step in plan.Steps)
        {
            // A join that applies the BatchNorm of its first side runs that BatchNorm's backward too, and writes no gradient of the
            // BatchNorm's output: nothing to trace (the BatchNorm's own trace names its input's gradient, which the join writes).
            var gradient = step.InputModes.Count > 0 && step.InputModes[0] != GradientMode.None && !steps.AppliesInJoin(step.Inputs[0]) ? step.Inputs[0] : null;
            // A BatchNorm applied inside its residual join writes no output: nothing of its own to trace. One normalized sample by sample
            // for the max pooling and ReLU after it writes none in training: it is traced in their output, where a NaN or infinity can only
            // come from it (neither makes one of finite values), and so is named before the pooling.
            var (outputOffset, outputLength) = steps.IsInJoin(step) ? (step.Output.Offset, 0)
                : steps.PoolingOfUnwritten(step) is { } pooled ? (pooled.Offset, pooled.Length)
                : (step.Output.Offset, step.Output.Length);
            writer.Line($"new global::Cnn.Runtime.Network.LayerTrace({Literals.String(step.Layer.Path)}, {Literals.Int(outputOffset)}, {Literals.Int(outputLength)}, " +
                $"{Literals.Int(gradient?.Offset ?? -1)}, {Literals.Int(gradient?.Length ?? 0)}),");
        }
        writer.Close(",");
        writer.Close(";");
    }

    /// <summary>A comment naming the step: <c>conv1: Conv 1×28×28 → 6×28×28</c>.</summary>
    private static string Describe(PassStep step)
    {
        var layer = step.Layer;
        var what = step.Operation switch
        {
            StepOperation.Add => "Residual join",
            StepOperation.Concat => "Concat join",
            _ => layer.Kind.ToString(),
        };
        var inputs = string.Join(" + ", step.Inputs.Select(_ => layer.In.ToString()).Distinct());
        var note = step.TrainingSkips ? " (inference only: training feeds the logits to the loss)" : "";
        if (step.Relu is { } relu)
        {
            note += step.Operation == StepOperation.MaxPool
                ? $", after {relu.Path} (fused: ReLU applied to the pooled values)"
                : $", then {relu.Path} (fused)";
        }
        return $"{layer.Path}: {what} {inputs} → {layer.Out}{note}";
    }

    internal static string ShapeLiteral(Shape shape) =>
        $"new global::Cnn.Runtime.Model.TensorShape({Literals.Int(shape.C)}, {Literals.Int(shape.H)}, {Literals.Int(shape.W)}, {Literals.Bool(shape.IsVector)})";

    /// <summary>Renders one step's statements.</summary>
    private sealed partial class StepWriter
    {
        private readonly ParameterPlan _parameters;
        private readonly ActivationPlan _plan;

        private readonly HashSet<int> _inJoins;

        public StepWriter(ParameterPlan parameters, ActivationPlan plan)
        {
            _parameters = parameters;
            _plan = plan;
            _inJoins = new HashSet<int>(plan.Steps.Where(AppliedInJoin).Select(step => step.Index));
        }

        /// <summary>Whether <paramref name="step"/> is a BatchNorm that its residual join applies (<c>LayerOps.NormalizedAdd</c>).</summary>
        public bool IsInJoin(PassStep step) => _inJoins.Contains(step.Index);

        /// <summary>The index of the step whose backward statement runs <paramref name="step"/>'s backward: the join's for a BatchNorm it applies.</summary>
        public int BackwardPosition(PassStep step) => IsInJoin(step) ? ReadersOf(step.Output).Single().Index : step.Index;

        /// <summary>
        /// The output of the max pooling after <paramref name="step"/> when it is a BatchNorm whose output training never writes (its
        /// convolution's call normalizes each sample for that pooling, <see cref="FeedsBatchNormMaxPoolRelu"/>), or null.
        /// </summary>
        public Slot? PoolingOfUnwritten(PassStep step) =>
            step.Operation == StepOperation.BatchNorm && step.Index > 0 && FeedsBatchNormMaxPoolRelu(_plan.Steps[step.Index - 1])
                ? _plan.Steps[step.Index + 1].Output
                : null;

        /// <summary>
        /// A BatchNorm without ReLU, run in its convolution's call, whose only reader is a residual join: the join applies its map to the
        /// convolution's output (<c>LayerOps.NormalizedAdd</c>), so the normalized tensor is never written (<c>LayerOps.ConvBatchNormStatistics</c>).
        /// </summary>
        private bool AppliedInJoin(PassStep step) =>
            RunsInConvolutionCall(step) && step.Relu is null
            && !ReferenceEquals(step.Output, _plan.Output) && !ReferenceEquals(step.Output, _plan.TrainingOutput)
            && ReadersOf(step.Output).ToList() is { Count: 1 } readers
            && readers[0] is { Operation: StepOperation.Add, Inputs.Count: 2 };

        /// <summary>The steps that read <paramref name="slot"/>.</summary>
        private IEnumerable<PassStep> ReadersOf(Slot slot) => _plan.Steps.Where(reader => reader.Inputs.Any(input => ReferenceEquals(input, slot)));

        public static string GeometryName(PassStep step) => "Step" + Literals.Int(step.Index) + "Geometry";

        public static (string Type, string Arguments)? Geometry(PassStep step)
        {
            var s = step.Layer.Spec;
            var input = step.Layer.In;
            return step.Operation switch
            {
                StepOperation.Conv => ($"{Kernels}.ConvGeometry", Ints(input.C, input.H, input.W, s.Filters, s.Kernel, s.Stride, s.Pad, s.Dilation, s.Groups)),
                StepOperation.ConvTranspose => ($"{Kernels}.ConvTransposeGeometry", Ints(input.C, input.H, input.W, s.Filters, s.Kernel, s.Stride, s.Pad, s.OutputPad)),
                StepOperation.MaxPool or StepOperation.AvgPool =>
                    ($"{Kernels}.PoolGeometry", Ints(input.C, input.H, input.W, s.Kernel, s.Stride, s.Pad) + ", " + Literals.Bool(s.CeilMode)),
                _ => null,
            };
        }

        public IEnumerable<string> Forward(PassStep step)
        {
            if (step.Operation == StepOperation.Concat)
            {
                var plane = Plane(step.Layer.Out);
                return ConcatBranches(step).Select(b => Call("ConcatBranch", Ints(plane, step.Layer.Out.C, step.Output.Offset, b.ChannelOffset, b.Slot.Offset, b.Channels)));
            }
            return RunsInConvolutionCall(step) || PooledInConvolutionCall(step) ? [] : new[] { ForwardCall(step) };
        }

        private string ForwardCall(PassStep step)
        {
            var layer = step.Layer;
            var x = step.Inputs[0];
            var y = step.Output;
            var g = GeometryName(step);
            return step.Operation switch
            {
                StepOperation.Conv when FeedsBatchNorm(step) => ConvBatchNormCall(step, _plan.Steps[step.Index + 1]),
                StepOperation.Conv when FeedsMaxPoolRelu(step) => ConvMaxPoolReluCall(step, _plan.Steps[step.Index + 1]),
                StepOperation.Conv => Call("Conv", $"in {g}", Ints(x.Offset, y.Offset), Weight(layer), Bias(layer)),
                StepOperation.ConvTranspose => Call("ConvTranspose", $"in {g}", Ints(x.Offset, y.Offset), Weight(layer), Bias(layer)),
                StepOperation.Dense => Call("Dense", Ints(x.Length, y.Length, x.Offset, y.Offset), Weight(layer), Bias(layer)),
                StepOperation.MaxPool => Call(WithRelu("MaxPool", step), $"in {g}", Ints(x.Offset, y.Offset, step.IndexOffset)),
                StepOperation.AvgPool => Call("AvgPool", $"in {g}", Ints(x.Offset, y.Offset)),
                StepOperation.GlobalAvgPool => Call("GlobalAvgPool", Ints(layer.In.C, Plane(layer.In), x.Offset, y.Offset)),
                StepOperation.BatchNorm => Call(WithRelu("BatchNorm", step), Ints(layer.In.C, Plane(layer.In), x.Offset, y.Offset), BatchNormArguments(step)),
                StepOperation.Dropout => Call("Dropout", Ints(y.Length, x.Offset, y.Offset, step.Aux!.Offset), Literals.Float(layer.Spec.Rate)),
                StepOperation.LeakyRelu => Call("LeakyRelu", Ints(y.Length, x.Offset, y.Offset), Literals.Float(layer.Spec.Slope)),
                StepOperation.Elu => Call("Elu", Ints(y.Length, x.Offset, y.Offset), Literals.Float(layer.Spec.Alpha)),
                StepOperation.Softmax => Call("Softmax", Ints(layer.In.C, Plane(layer.In), x.Offset, y.Offset)),
                StepOperation.Add when step.Inputs.Any(slot => ProducerInJoin(slot) is not null) => Call(WithRelu("NormalizedAdd", step),
                    Ints(layer.Out.C, Plane(layer.Out)), JoinSide(step.Inputs[0]), JoinSide(step.Inputs[1]), Ints(y.Offset)),
                StepOperation.Add => Call(WithRelu("Add", step), Ints(y.Length, step.Inputs[0].Offset, step.Inputs[1].Offset, y.Offset)),
                _ => Call(step.Operation.ToString(), Ints(y.Length, x.Offset, y.Offset)),
            };
        }

        /// <summary>Whether <paramref name="slot"/> is the output of a BatchNorm that the join reading it applies.</summary>
        public bool AppliesInJoin(Slot slot) => ProducerInJoin(slot) is not null;

        /// <summary>The BatchNorm that writes <paramref name="slot"/> and that the join reading it applies, or null.</summary>
        private PassStep? ProducerInJoin(Slot slot) => _plan.Steps.FirstOrDefault(step => ReferenceEquals(step.Output, slot) && IsInJoin(step));

        /// <summary>One side of <c>LayerOps.NormalizedAdd</c>: the BatchNorm's input and its map's arguments, or the slot and no map.</summary>
        private string JoinSide(Slot slot) => ProducerInJoin(slot) is { } norm
            ? string.Join(", ", Ints(norm.Inputs[0].Offset), Offset(norm.Layer, TensorRole.Scale), Offset(norm.Layer, TensorRole.Shift),
                Offset(norm.Layer, TensorRole.RunningMean), Offset(norm.Layer, TensorRole.RunningVar), Ints(norm.StateOffset), Literals.Float(norm.Layer.Spec.Eps))
            : string.Join(", ", Ints(slot.Offset, -1, -1, -1, -1, -1), Literals.Float(0f));

        /// <summary>
        /// A convolution and the BatchNorm that reads its output, in one call: <c>LayerOps.ConvBatchNorm</c> (or its Relu form), or
        /// <c>LayerOps.ConvBatchNormStatistics</c> when the residual join after them applies the BatchNorm.
        /// </summary>
        private string ConvBatchNormCall(PassStep conv, PassStep norm)
        {
            var convolution = $"in {GeometryName(conv)}, {Ints(conv.Inputs[0].Offset, conv.Output.Offset)}, {Weight(conv.Layer)}, {Bias(conv.Layer)}";
            if (IsInJoin(norm))
            {
                return Call("ConvBatchNormStatistics", convolution, Offset(norm.Layer, TensorRole.RunningMean), Offset(norm.Layer, TensorRole.RunningVar),
                    Ints(norm.StateOffset), Literals.Float(norm.Layer.Spec.Eps), Literals.Float(norm.Layer.Spec.Momentum));
            }
            if (FeedsBatchNormMaxPoolRelu(conv))
            {
                var pool = _plan.Steps[conv.Index + 2];
                return Call("ConvBatchNormMaxPoolRelu", convolution, Ints(norm.Output.Offset), BatchNormArguments(norm), $"in {GeometryName(pool)}",
                    Ints(pool.Output.Offset, pool.IndexOffset));
            }
            return Call(WithRelu("ConvBatchNorm", norm), convolution, Ints(norm.Output.Offset), BatchNormArguments(norm));
        }

        /// <summary>
        /// Whether <paramref name="step"/> is a convolution whose output a BatchNorm without ReLU normalizes, read only by the next step,
        /// a max pooling with a fused ReLU: the three run in one call (<c>LayerOps.ConvBatchNormMaxPoolRelu</c>), which in training pools
        /// each sample's normalized planes from the scratch instead of writing the BatchNorm's output.
        /// </summary>
        private bool FeedsBatchNormMaxPoolRelu(PassStep step) =>
            FeedsBatchNorm(step) && _plan.Steps[step.Index + 1] is { Relu: null } norm && !IsInJoin(norm)
            && step.Index + 2 < _plan.Steps.Count && _plan.Steps[step.Index + 2] is { Operation: StepOperation.MaxPool, Relu: not null } pool
            && ReferenceEquals(pool.Inputs[0], norm.Output) && ReadersOf(norm.Output).Count() == 1;

        /// <summary>Whether <paramref name="step"/> is a BatchNorm that runs in the call of the convolution before it (<see cref="FeedsBatchNorm"/>).</summary>
        private bool RunsInConvolutionCall(PassStep step) =>
            step.Operation == StepOperation.BatchNorm && step.Index > 0 && FeedsBatchNorm(_plan.Steps[step.Index - 1]);

        /// <summary>
        /// Whether <paramref name="step"/> is a convolution whose output only the next step, a max pooling with a fused ReLU, reads: the two
        /// run in one call (<c>LayerOps.ConvMaxPoolRelu</c>), which in one-sample inference may pool the convolution's values without storing them.
        /// </summary>
        private bool FeedsMaxPoolRelu(PassStep step) =>
            step.Operation == StepOperation.Conv && step.Index + 1 < _plan.Steps.Count
            && _plan.Steps[step.Index + 1] is { Operation: StepOperation.MaxPool, Relu: not null } next && ReferenceEquals(next.Inputs[0], step.Output)
            && ReadersOf(step.Output).Count() == 1;

        /// <summary>A convolution and the max pooling with ReLU that alone reads its output, in one call: <c>LayerOps.ConvMaxPoolRelu</c>.</summary>
        private string ConvMaxPoolReluCall(PassStep conv, PassStep pool) =>
            Call("ConvMaxPoolRelu", $"in {GeometryName(conv)}", Ints(conv.Inputs[0].Offset, conv.Output.Offset), Weight(conv.Layer), Bias(conv.Layer),
                $"in {GeometryName(pool)}", Ints(pool.Output.Offset, pool.IndexOffset));

        /// <summary>Whether <paramref name="step"/> is a max pooling that runs in the call of the convolution before it (<see cref="FeedsMaxPoolRelu"/>).</summary>
        private bool PooledInConvolutionCall(PassStep step) =>
            step.Operation == StepOperation.MaxPool && step.Index > 0
            && (FeedsMaxPoolRelu(_plan.Steps[step.Index - 1]) || (step.Index > 1 && FeedsBatchNormMaxPoolRelu(_plan.Steps[step.Index - 2])));

        /// <summary>A BatchNorm's parameters, buffers, saved-statistics offset, ε and momentum, as LayerOps takes them after its slots.</summary>
        private string BatchNormArguments(PassStep step) => string.Join(", ",
            Offset(step.Layer, TensorRole.Scale), Offset(step.Layer, TensorRole.Shift), Offset(step.Layer, TensorRole.RunningMean), Offset(step.Layer, TensorRole.RunningVar),
            Ints(step.StateOffset), Literals.Float(step.Layer.Spec.Eps), Literals.Float(step.Layer.Spec.Momentum));

        /// <summary>The expression for the scratch a step needs with <c>batch</c> samples, or null when it needs none.</summary>
        public string? Scratch(PassStep step)
        {
            var accumulates = step.InputModes.Any(m => m == GradientMode.Accumulate);
            return step.Operation switch
            {
                StepOperation.Conv when FeedsMaxPoolRelu(step) => $"{Ops}.ConvMaxPoolReluScratch(in {GeometryName(step)}, in {GeometryName(_plan.Steps[step.Index + 1])}, batch)",
                StepOperation.Conv when FeedsBatchNormMaxPoolRelu(step) => $"{Ops}.ConvBatchNormMaxPoolReluScratch(in {GeometryName(step)}, batch)",
                StepOperation.Conv => $"{Ops}.ConvScratch(in {GeometryName(step)}, batch)",
                StepOperation.ConvTranspose => $"{Ops}.ConvTransposeScratch(in {GeometryName(step)}, batch)",
                StepOperation.Dense => $"{Ops}.DenseScratch({Ints(step.Inputs[0].Length, step.Output.Length)}, batch)",
                StepOperation.Softmax => $"{Ops}.SoftmaxScratch({Ints(step.Layer.In.C, Plane(step.Layer.In))})",
                StepOperation.MaxPool when step.Relu is not null => $"{Ops}.MaxPoolReluScratch(in {GeometryName(step)}, batch)",
                // A join applying BatchNorms also when a plain side is written: at run time its producer may be frozen, and then nothing writes it.
                StepOperation.Add when step.Relu is not null && (step.Inputs.Any(AppliesInJoin) || !step.InputModes.Contains(GradientMode.Write)) =>
                    $"{Ops}.AddReluScratch({Ints(step.Output.Length)}, batch)",
                StepOperation.BatchNorm or StepOperation.MaxPool or StepOperation.AvgPool or StepOperation.GlobalAvgPool or StepOperation.Add or StepOperation.Concat => null,
                _ when accumulates => $"{Ops}.AccumulateScratch({Ints(step.Inputs[0].Length)}, batch)",
                _ => null,
            };
        }

        /// <summary>
        /// Whether <paramref name="step"/> is a convolution whose output the next step, a BatchNorm, normalizes: the two run in one
        /// call (<c>LayerOps.ConvBatchNorm</c>), the convolution summing each sample's output for the BatchNorm in training, or
        /// the BatchNorm normalizing it in inference, while the sample's output is in cache.
        /// </summary>
        private bool FeedsBatchNorm(PassStep step) =>
            step.Operation == StepOperation.Conv && step.Index + 1 < _plan.Steps.Count && _plan.Steps[step.Index + 1] is { Operation: StepOperation.BatchNorm } next &&
            ReferenceEquals(next.Inputs[0], step.Output);

        /// <summary>The LayerOps method of a step, with the Relu suffix when a ReLU is fused into it.</summary>
        private static string WithRelu(string method, PassStep step) => step.Relu is null ? method : method + "Relu";

        private static List<(Slot Slot, int ChannelOffset, int Channels)> ConcatBranches(PassStep step)
        {
            var branches = new List<(Slot, int, int)>();
            var channelOffset = 0;
            var plane = Plane(step.Layer.Out);
            foreach (var slot in step.Inputs)
            {
                var channels = slot.Length / plane;
                branches.Add((slot, channelOffset, channels));
                channelOffset += channels;
            }
            return branches;
        }

        private string Weight(LayerNode layer) => Offset(layer, TensorRole.Weight);

        private string Bias(LayerNode layer) => Offset(layer, TensorRole.Bias);

        /// <summary>The arena offset of a layer's tensor, or -1 when it has none (a layer without bias).</summary>
        private string Offset(LayerNode layer, TensorRole role) => Literals.Int(_parameters.Find(layer.Path, role)?.Offset ?? -1);

        private static int Plane(Shape shape) => shape.H * shape.W;

        /// <summary>
        /// How input <paramref name="k"/> receives its gradient: the generator's mode, passed through
        /// <c>context.InputMode</c> so that it becomes None at run time when the input's producer comes
        /// before the first step that trains (everything there frozen).
        /// </summary>
        private string ModeOf(PassStep step, int k)
        {
            var mode = step.InputModes[k];
            return mode == GradientMode.None
                ? $"{Mode}.None"
                : $"context.InputMode({Literals.Int(_plan.ProducerOf(step.Inputs[k]))}, {Mode}.{mode})";
        }

        private static string Ints(params int[] values) => string.Join(", ", values.Select(Literals.Int));

        private static string Call(string method, params string[] arguments) => $"{Ops}.{method}(context, {string.Join(", ", arguments)});";
    }
}
