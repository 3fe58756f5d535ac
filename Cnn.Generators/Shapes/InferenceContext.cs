using System.Collections.Generic;
using System.Linq;
using Cnn.Generators.Diagnostics;
using Cnn.Generators.Models;
using static System.FormattableString;

namespace Cnn.Generators.Shapes;

/// <summary>
/// The state of one inference run: the network's blocks by id, the problems found so far, the
/// chain of blocks being expanded (for cycles and depth) and the expansion budget, which keeps
/// inference finite for any spec (<c>Repeat&lt;B&gt;(int.MaxValue)</c>, blocks using each other).
/// </summary>
internal sealed class InferenceContext
{
    /// <summary>Most layers and block expansions one network may expand to.</summary>
    public const int ExpansionBudget = 100_000;

    /// <summary>Deepest nesting of blocks inside blocks.</summary>
    public const int MaxDepth = 64;

    private readonly Dictionary<string, BlockSpec> _blocks = new();
    private readonly List<Problem> _problems = new();
    private int _spent;

    public InferenceContext(NetworkSpec spec)
    {
        foreach (var block in spec.Blocks)
        {
            if (!_blocks.ContainsKey(block.Id))
            {
                _blocks.Add(block.Id, block);
            }
        }
    }

    public IReadOnlyList<Problem> Problems => _problems;

    /// <summary>The blocks being expanded, outermost first.</summary>
    public List<BlockSpec> Expanding { get; } = new();

    /// <summary>The budget ran out: everything not yet inferred stays unknown, with one problem saying why.</summary>
    public bool Exhausted { get; private set; }

    public BlockSpec? FindBlock(string id) => _blocks.TryGetValue(id, out var block) ? block : null;

    /// <summary>The name users see for a block id: the class's simple name, or the id's last segment for a class the spec does not hold.</summary>
    public string BlockName(string id) =>
        FindBlock(id)?.Name ?? id.Substring(id.LastIndexOfAny(new[] { '.', '+' }) + 1);

    public void Report(string id, SpecLocation at, string message, string? fixData = null) =>
        _problems.Add(new Problem(id, at, message, fixData));

    /// <summary>Counts one layer or block expansion; false (after reporting once) when the budget is spent.</summary>
    public bool Spend(LayerSite site)
    {
        if (Exhausted)
        {
            return false;
        }
        if (++_spent <= ExpansionBudget)
        {
            return true;
        }
        Exhausted = true;
        Report(DiagnosticIds.BlockCycle, site.At(),
            Invariant($"{site.Name}: the network expands to more than {ExpansionBudget:N0} layers and block uses; check Repeat counts and blocks that use each other"));
        return false;
    }

    /// <summary>The blocks being expanded from the first use of <paramref name="block"/>, then <paramref name="block"/> again: <c>A → B → A</c>.</summary>
    public string CycleThrough(BlockSpec block) =>
        string.Join(" → ", Expanding.SkipWhile(b => b.Id != block.Id).Select(b => b.Name).Concat(new[] { block.Name }));
}
