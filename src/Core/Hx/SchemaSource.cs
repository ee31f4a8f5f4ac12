using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;

namespace Qmp.Codegen.Hx;

/// <summary>One schema file's path and text, and the map from offsets to line and column.</summary>
public sealed class SchemaSource
{
    private LineMap? _lines;

    public SchemaSource(string path, string text)
    {
        Path = path;
        Text = text;
    }

    public string Path { get; }

    public string Text { get; }

    public SchemaLocation Locate(int start, int end)
    {
        _lines ??= new LineMap(Text);
        if (start > Text.Length)
        {
            start = Text.Length;
        }

        if (end < start)
        {
            end = start;
        }

        if (end > Text.Length)
        {
            end = Text.Length;
        }

        var (line, column) = _lines.GetPosition(start);
        var (endLine, endColumn) = _lines.GetPosition(end);
        return new SchemaLocation(Path, start, end - start, line, column, endLine, endColumn);
    }
}
