using System.Text;

namespace Cnn.Generators.Emit;

/// <summary>
/// A text writer for C# source that tracks indentation, so emitters write lines and blocks
/// rather than spaces. Lines end with <c>\n</c> on every platform, so output is identical
/// wherever the generator runs.
/// </summary>
internal sealed class CodeWriter
{
    private const string IndentUnit = "    ";

    private readonly StringBuilder _text = new();
    private int _indent;

    /// <summary>Writes one line at the current indentation (an empty line has no spaces).</summary>
    public CodeWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            for (var i = 0; i < _indent; i++)
            {
                _text.Append(IndentUnit);
            }
            _text.Append(line);
        }
        _text.Append('\n');
        return this;
    }

    /// <summary>Writes <c>{</c> and indents.</summary>
    public CodeWriter Open()
    {
        Line("{");
        _indent++;
        return this;
    }

    /// <summary>Unindents and writes <c>}</c> followed by <paramref name="suffix"/> (<c>;</c>, <c>,</c>, …).</summary>
    public CodeWriter Close(string suffix = "")
    {
        _indent--;
        return Line("}" + suffix);
    }

    /// <summary>Indents the following lines without a brace (continuation lines of an expression).</summary>
    public CodeWriter Indent()
    {
        _indent++;
        return this;
    }

    /// <summary>Undoes <see cref="Indent"/>.</summary>
    public CodeWriter Unindent()
    {
        _indent--;
        return this;
    }

    /// <summary>
    /// Writes a multi-line XML doc element (<c>summary</c>, <c>remarks</c>) with each text line
    /// prefixed by <c>///</c>; without lines, an empty element (<c>/// &lt;inheritdoc /&gt;</c>).
    /// </summary>
    public CodeWriter Doc(string element, params string[] lines)
    {
        if (lines.Length == 0)
        {
            return Line("/// <" + element + " />");
        }
        Line("/// <" + element + ">");
        foreach (var line in lines)
        {
            Line(line.Length == 0 ? "///" : "/// " + line);
        }
        return Line("/// </" + element + ">");
    }

    public override string ToString() => _text.ToString();
}
