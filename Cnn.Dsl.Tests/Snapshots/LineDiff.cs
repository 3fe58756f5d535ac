using System;
using System.Collections.Generic;
using System.Text;

namespace Cnn.Dsl.Tests.Snapshots;

/// <summary>
/// A line diff of two texts by longest common subsequence, printed like a unified diff:
/// <c>-</c> lines only in the expected text, <c>+</c> lines only in the actual one, a few
/// unchanged lines of context around each change, and <c>@@</c> headers with line numbers.
/// </summary>
internal static class LineDiff
{
    /// <summary>One line of the edit script.</summary>
    internal readonly record struct Edit(char Op, string Line, int ExpectedLine, int ActualLine);

    /// <summary>The edit script turning <paramref name="expected"/> into <paramref name="actual"/> (ops ' ', '-', '+'), line numbers 1-based.</summary>
    public static List<Edit> Edits(string[] expected, string[] actual)
    {
        // lcs[i, j] = length of the longest common subsequence of expected[i..] and actual[j..].
        var lcs = new int[expected.Length + 1, actual.Length + 1];
        for (var i = expected.Length - 1; i >= 0; i--)
        {
            for (var j = actual.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = expected[i] == actual[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var edits = new List<Edit>();
        int e = 0, a = 0;
        while (e < expected.Length || a < actual.Length)
        {
            if (e < expected.Length && a < actual.Length && expected[e] == actual[a])
            {
                edits.Add(new Edit(' ', expected[e], ++e, ++a));
            }
            else if (e < expected.Length && (a == actual.Length || lcs[e + 1, a] >= lcs[e, a + 1]))
            {
                // On a tie the deletion goes first, so a changed line reads "- old" then "+ new".
                edits.Add(new Edit('-', expected[e], ++e, a));
            }
            else
            {
                edits.Add(new Edit('+', actual[a], e, ++a));
            }
        }
        return edits;
    }

    /// <summary>The changes with <paramref name="context"/> lines around each, or an empty string when the texts are equal.</summary>
    public static string Format(string expected, string actual, int context = 3)
    {
        var edits = Edits(Lines(expected), Lines(actual));
        var text = new StringBuilder();
        var i = 0;
        while (i < edits.Count)
        {
            if (edits[i].Op == ' ')
            {
                i++;
                continue;
            }
            // A hunk: from `context` lines before this change to `context` lines after the last change
            // that is no more than 2·context unchanged lines away from the previous one.
            var start = Math.Max(0, i - context);
            var end = i;
            var unchanged = 0;
            for (var k = i; k < edits.Count && unchanged <= 2 * context; k++)
            {
                if (edits[k].Op == ' ')
                {
                    unchanged++;
                }
                else
                {
                    unchanged = 0;
                    end = k;
                }
            }
            var stop = Math.Min(edits.Count, end + context + 1);
            text.Append("@@ expected line ").Append(edits[start].ExpectedLine + (edits[start].Op == '+' ? 1 : 0))
                .Append(", actual line ").Append(edits[start].ActualLine + (edits[start].Op == '-' ? 1 : 0)).Append(" @@\n");
            for (var k = start; k < stop; k++)
            {
                text.Append(edits[k].Op).Append(' ').Append(edits[k].Line).Append('\n');
            }
            i = stop;
        }
        return text.ToString();
    }

    /// <summary>Lines of a text whatever its line endings.</summary>
    public static string[] Lines(string text) => Normalize(text).Split('\n');

    /// <summary>The text with <c>\r\n</c> and <c>\r</c> line endings as <c>\n</c>.</summary>
    public static string Normalize(string text) => text.Replace("\r\n", "\n").Replace('\r', '\n');
}
