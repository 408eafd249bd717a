using System.Text;

namespace Pipelines.Generators.Emitting;

/// <summary>A small indented writer: four spaces per level, <c>\n</c> line ends, braces that indent.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public void Line(string text = "")
    {
        if (text.Length > 0)
        {
            _text.Append(' ', _indent * 4);
            _text.Append(text);
        }

        _text.Append('\n');
    }

    /// <summary>Writes a multi-line text, each line at the current indentation.</summary>
    public void Lines(string text)
    {
        foreach (var line in text.Replace("\r\n", "\n").Split('\n'))
        {
            Line(line);
        }
    }

    public void Open(string header)
    {
        if (header.Length > 0)
        {
            Line(header);
        }

        Line("{");
        _indent++;
    }

    public void Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
    }

    public override string ToString() => _text.ToString();
}
