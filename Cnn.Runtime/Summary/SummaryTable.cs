using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

// One file, compiled twice: into Cnn.Runtime (public, behind ModelSummary.ToString) and, linked,
// into Cnn.Generators (internal, for the table in the generated XML docs), so the table a user
// prints and the one the IDE shows on hover are the same text. Keep it netstandard2.0 C#.
#if CNN_GENERATOR
namespace Cnn.Generators.Emit;
#else
namespace Cnn.Runtime.Summary;
#endif

/// <summary>
/// Formats a network summary as a Keras-like text table: one row per layer (compositions
/// first, their inner layers indented under them), then totals.
/// </summary>
#if CNN_GENERATOR
internal
#else
public
#endif
static class SummaryTable
{
    private static readonly string[] Headers = { "Layer (type)", "Output shape", "Param #", "Mult-adds", "RF", "Activations" };

    /// <summary>One row of the table, as plain values.</summary>
    public readonly struct Row
    {
        /// <summary>A row.</summary>
        /// <param name="name">The layer's dotted path.</param>
        /// <param name="kind">The layer's kind as written (<c>Conv</c>, <c>Residual&lt;Basic&gt;</c>).</param>
        /// <param name="output">The output shape as text (<c>16×5×5</c>).</param>
        /// <param name="parameters">Learned values.</param>
        /// <param name="multiplyAdds">Multiply-adds per sample.</param>
        /// <param name="receptiveField">Receptive field side in input pixels.</param>
        /// <param name="activationBytes">Output bytes per sample.</param>
        /// <param name="depth">Nesting depth (0 for the network's own layers).</param>
        public Row(string name, string kind, string output, long parameters, long multiplyAdds, int receptiveField, long activationBytes, int depth)
        {
            Name = name;
            Kind = kind;
            Output = output;
            Parameters = parameters;
            MultiplyAdds = multiplyAdds;
            ReceptiveField = receptiveField;
            ActivationBytes = activationBytes;
            Depth = depth;
        }

        /// <summary>The layer's dotted path.</summary>
        public string Name { get; }

        /// <summary>The layer's kind.</summary>
        public string Kind { get; }

        /// <summary>The output shape as text.</summary>
        public string Output { get; }

        /// <summary>Learned values.</summary>
        public long Parameters { get; }

        /// <summary>Multiply-adds per sample.</summary>
        public long MultiplyAdds { get; }

        /// <summary>Receptive field side in input pixels.</summary>
        public int ReceptiveField { get; }

        /// <summary>Output bytes per sample.</summary>
        public long ActivationBytes { get; }

        /// <summary>Nesting depth.</summary>
        public int Depth { get; }
    }

    /// <summary>The totals printed under the rows.</summary>
    public readonly struct Totals
    {
        /// <summary>Totals.</summary>
        /// <param name="parameters">Learned values.</param>
        /// <param name="bufferValues">Running-statistics values (not learned).</param>
        /// <param name="multiplyAdds">Multiply-adds per sample.</param>
        /// <param name="activationBytes">Activation bytes per sample of a forward pass.</param>
        public Totals(long parameters, long bufferValues, long multiplyAdds, long activationBytes)
        {
            Parameters = parameters;
            BufferValues = bufferValues;
            MultiplyAdds = multiplyAdds;
            ActivationBytes = activationBytes;
        }

        /// <summary>Learned values.</summary>
        public long Parameters { get; }

        /// <summary>Running-statistics values.</summary>
        public long BufferValues { get; }

        /// <summary>Multiply-adds per sample.</summary>
        public long MultiplyAdds { get; }

        /// <summary>Activation bytes per sample.</summary>
        public long ActivationBytes { get; }
    }

    /// <summary>The whole table, lines separated by <c>\n</c>, without a trailing newline.</summary>
    /// <param name="network">The network's name.</param>
    /// <param name="input">The input shape as text.</param>
    /// <param name="rows">The rows in order.</param>
    /// <param name="totals">The totals.</param>
    public static string Format(string network, string input, IReadOnlyList<Row> rows, Totals totals)
    {
        var cells = new List<string[]>(rows.Count + 1) { Headers };
        foreach (var row in rows)
        {
            cells.Add(new[]
            {
                new string(' ', 2 * row.Depth) + row.Name + " (" + row.Kind + ")",
                row.Output,
                Count(row.Parameters),
                Count(row.MultiplyAdds),
                Count(row.ReceptiveField),
                Bytes(row.ActivationBytes),
            });
        }

        var widths = new int[Headers.Length];
        foreach (var line in cells)
        {
            for (var i = 0; i < line.Length; i++)
            {
                widths[i] = Math.Max(widths[i], line[i].Length);
            }
        }
        var total = 0;
        foreach (var width in widths)
        {
            total += width;
        }
        total += 2 * (widths.Length - 1);

        var text = new StringBuilder();
        text.Append("Model: ").Append(network).Append(" (input ").Append(input).Append(")\n");
        text.Append('_', total).Append('\n');
        AppendLine(text, cells[0], widths);
        text.Append('=', total).Append('\n');
        for (var i = 1; i < cells.Count; i++)
        {
            AppendLine(text, cells[i], widths);
        }
        text.Append('=', total).Append('\n');
        text.Append("Total params: ").Append(Count(totals.Parameters)).Append(" (").Append(Bytes(totals.Parameters * 4)).Append(")\n");
        text.Append("Buffers (running statistics): ").Append(Count(totals.BufferValues)).Append(" (").Append(Bytes(totals.BufferValues * 4)).Append(")\n");
        text.Append("Mult-adds per sample: ").Append(Count(totals.MultiplyAdds)).Append('\n');
        text.Append("Activations per sample: ").Append(Bytes(totals.ActivationBytes)).Append('\n');
        text.Append('_', total);
        return text.ToString();
    }

    /// <summary>A count with thousands separators, culture-independent (<c>61,706</c>).</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A byte size in B, KiB, MiB or GiB with two decimals, culture-independent.</summary>
    public static string Bytes(long bytes)
    {
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }
        var units = new[] { "KiB", "MiB", "GiB", "TiB" };
        var value = bytes / 1024.0;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString("0.00", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    // Text columns align left, numbers right; the last column ends the line without trailing spaces.
    private static void AppendLine(StringBuilder text, string[] cells, int[] widths)
    {
        var start = text.Length;
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                text.Append("  ");
            }
            var padding = new string(' ', widths[i] - cells[i].Length);
            if (i < 2)
            {
                text.Append(cells[i]).Append(padding);
            }
            else
            {
                text.Append(padding).Append(cells[i]);
            }
        }
        var end = text.Length;
        while (end > start && text[end - 1] == ' ')
        {
            end--;
        }
        text.Length = end;
        text.Append('\n');
    }
}
