using System;
using System.Collections.Generic;
using System.Linq;
using Cnn.Runtime.Kernels;
using Cnn.Runtime.Model;
using Cnn.Runtime.Network;
using Cnn.Runtime.Summary;

namespace Cnn.Benchmarks.Profiling;

/// <summary>
/// A model's forward statements as kernel calls, built layer by layer the way the DSL reads, with
/// the generated default names and the generated input-gradient modes (none for the first layer,
/// accumulate for the first layer of a residual's projection, or of its body when the shortcut is the identity:
/// whose input the body or the join already wrote).
/// </summary>
internal sealed class ProfilePlan
{
    private readonly List<ProfileOp> _ops;
    private readonly string _scope;
    private InputGradient _nextMode;

    /// <summary>Starts a plan at the network's input.</summary>
    /// <param name="input">The per-sample input shape.</param>
    public ProfilePlan(TensorShape input)
        : this(input, string.Empty, InputGradient.None, [])
    {
    }

    private ProfilePlan(TensorShape input, string scope, InputGradient firstMode, List<ProfileOp> ops)
    {
        Shape = input;
        _scope = scope;
        _nextMode = firstMode;
        _ops = ops;
    }

    /// <summary>The per-sample shape after the last layer added.</summary>
    public TensorShape Shape { get; private set; }

    /// <summary>Every statement, in forward order.</summary>
    public IReadOnlyList<ProfileOp> Ops => _ops;

    /// <summary>Adds a convolution.</summary>
    /// <returns>This plan.</returns>
    public ProfilePlan Conv(string name, int filters, int kernel, int stride = 1, int pad = 0, bool bias = true) =>
        Add(new ConvOp(_scope + name, new ConvGeometry(Shape.C, Shape.H, Shape.W, filters, kernel, stride, pad), bias, _nextMode));

    /// <summary>Adds a dense layer over the flattened input (the generated Flatten is a view, no statement).</summary>
    /// <returns>This plan.</returns>
    public ProfilePlan Dense(string name, int units) => Add(new DenseOp(_scope + name, Shape.Elements, units, _nextMode));

    /// <summary>Adds BatchNorm; right after a convolution of this scope, the convolution sums its output for it, as the generator pairs them.</summary>
    /// <returns>This plan.</returns>
    public ProfilePlan BatchNorm(string name)
    {
        var summed = _ops.Count > 0 && _ops[^1] is ConvOp conv && conv.Name.StartsWith(_scope, StringComparison.Ordinal) && Replace(conv.Summed());
        return Add(new BatchNormOp(_scope + name, Shape, _nextMode, summed: summed));
    }

    /// <summary>Adds ReLU, fused into the BatchNorm or residual join just added, as the generator fuses it (the plans are sequences: nothing else reads that value).</summary>
    /// <returns>This plan.</returns>
    public ProfilePlan Relu(string name)
    {
        var relu = _scope + name;
        return _ops.Count > 0 && _ops[^1] is { FusedRelu: null } last && last.Name.StartsWith(_scope, StringComparison.Ordinal) && last switch
        {
            BatchNormOp norm => Replace(new BatchNormOp(last.Name, last.Input, last.Mode, relu, norm.IsSummed)),
            ResidualJoinOp join => Replace(join.WithRelu(relu)),
            _ => false,
        } ? this : Add(new ReluOp(relu, Shape, _nextMode));
    }

    /// <summary>
    /// Adds max pooling with a square window and stride equal to it. A ReLU just added moves after it, as the
    /// generator fuses it (before it fuses ReLUs into BatchNorm or joins, so a ReLU already fused into the layer
    /// before comes out of it).
    /// </summary>
    /// <returns>This plan.</returns>
    public ProfilePlan MaxPool(string name, int size)
    {
        var geometry = new PoolGeometry(Shape.C, Shape.H, Shape.W, size);
        if (_ops.Count > 0 && _ops[^1] is { } last && last.Name.StartsWith(_scope, StringComparison.Ordinal))
        {
            switch (last)
            {
                case ReluOp:
                    _ops.RemoveAt(_ops.Count - 1);
                    return Add(new MaxPoolOp(_scope + name, geometry, last.Mode, last.Name));
                case BatchNormOp { FusedRelu: { } relu }:
                    _ops[^1] = new BatchNormOp(last.Name, last.Input, last.Mode);
                    return Add(new MaxPoolOp(_scope + name, geometry, InputGradient.Write, relu));
                case ResidualJoinOp { FusedRelu: { } relu } join:
                    _ops[^1] = join.WithRelu(null);
                    return Add(new MaxPoolOp(_scope + name, geometry, InputGradient.Write, relu));
            }
        }
        return Add(new MaxPoolOp(_scope + name, geometry, _nextMode));
    }

    /// <summary>Adds global average pooling.</summary>
    /// <returns>This plan.</returns>
    public ProfilePlan GlobalAvgPool(string name) => Add(new GlobalAvgPoolOp(_scope + name, Shape, _nextMode));

    /// <summary>Adds dropout.</summary>
    /// <returns>This plan.</returns>
    public ProfilePlan Dropout(string name, float rate) => Add(new DropoutOp(_scope + name, new TensorShape(Shape.Elements, 1, 1, true), rate, _nextMode));

    /// <summary>
    /// Adds a residual as the generator orders it: the shortcut's layers (when a projection), then the body's, then the
    /// join. Backward runs them in reverse, so the body's first layer writes the input's gradient and the projection's
    /// first adds to it; with the identity, the join writes it and the body's first layer adds.
    /// </summary>
    /// <param name="name">The residual's name; its layers nest under it, the shortcut's under <c>name.shortcut</c>.</param>
    /// <param name="body">Adds the body's layers.</param>
    /// <param name="shortcut">Adds the projection's layers, or null for the identity.</param>
    /// <returns>This plan.</returns>
    public ProfilePlan Residual(string name, Action<ProfilePlan> body, Action<ProfilePlan>? shortcut = null)
    {
        var scope = _scope + name + ".";
        var shortcutShape = Shape;
        var mapped = 0;
        if (shortcut is not null)
        {
            var shortcutPlan = new ProfilePlan(Shape, scope + "shortcut.", InputGradient.Accumulate, _ops);
            shortcut(shortcutPlan);
            shortcutShape = shortcutPlan.Shape;
            mapped += MoveIntoJoin(_ops.Count - 1);
        }
        var bodyPlan = new ProfilePlan(Shape, scope, shortcut is null ? InputGradient.Accumulate : InputGradient.Write, _ops);
        body(bodyPlan);
        if (shortcutShape != bodyPlan.Shape)
        {
            throw new InvalidOperationException($"Residual {name}: the body gives {bodyPlan.Shape}, the shortcut {shortcutShape}.");
        }
        mapped += MoveIntoJoin(_ops.Count - 1);
        return Add(new ResidualJoinOp(_scope + name, bodyPlan.Shape, mappedSides: mapped));
    }

    /// <summary>
    /// A side's last op, when it is a BatchNorm without ReLU run in its convolution's call, becomes one the join applies, as the
    /// generator has it (the side's output has no other reader in a profile plan).
    /// </summary>
    /// <returns>1 when it did, else 0.</returns>
    private int MoveIntoJoin(int index)
    {
        if (_ops[index] is BatchNormOp { FusedRelu: null, IsSummed: true } norm)
        {
            _ops[index] = norm.InJoin();
            return 1;
        }
        return 0;
    }

    /// <summary>
    /// Checks the plan against the generated summary: the same layers (every row but Flatten, which
    /// generates no statement), with the same output shapes and parameter counts.
    /// </summary>
    /// <param name="summary">The generated network's summary.</param>
    /// <exception cref="InvalidOperationException">The plan describes another network.</exception>
    public void Verify(ModelSummary summary)
    {
        var rows = summary.Layers.ToDictionary(row => row.Name, StringComparer.Ordinal);
        foreach (var op in _ops)
        {
            if (!rows.TryGetValue(op.Name, out var row))
            {
                throw new InvalidOperationException($"{summary.Network} has no layer '{op.Name}'.");
            }
            var rowShape = row.Output with { IsVector = op.Output.IsVector };
            if (rowShape != op.Output || (op is not ResidualJoinOp && row.Parameters != op.Parameters))
            {
                throw new InvalidOperationException($"{summary.Network}.{op.Name}: generated {row.Output} with {row.Parameters} parameters, profiled {op.Output} with {op.Parameters}.");
            }
        }
        var profiled = _ops.SelectMany(op => new[] { op.Name, op.FusedRelu ?? op.Name }).ToHashSet(StringComparer.Ordinal);
        var missing = summary.Layers.Where(row => row.Kind != "Flatten" && !profiled.Contains(row.Name)).Select(row => row.Name).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"{summary.Network}: the profile plan lacks {string.Join(", ", missing)}.");
        }
    }

    private bool Replace(ProfileOp op)
    {
        _ops[^1] = op;
        return true;
    }

    private ProfilePlan Add(ProfileOp op)
    {
        _ops.Add(op);
        Shape = op.Output;
        _nextMode = InputGradient.Write;
        return this;
    }
}
