using System.Collections.Generic;

namespace Qmp.Codegen.Helpers;

/// <summary>
/// Maps character offsets in a schema file to 1-based line and column. The folded seed is one
/// line of 77 KB, so columns must be exact offsets, not approximations.
/// </summary>
public sealed class LineMap
{
    private readonly List<int> _lineStarts = new() { 0 };

    public LineMap(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
                _lineStarts.Add(i + 1);
            else if (text[i] == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n'))
                _lineStarts.Add(i + 1);
        }
    }

    /// <summary>Returns the 1-based line and column of <paramref name="offset"/>.</summary>
    public (int Line, int Column) GetPosition(int offset)
    {
        var index = _lineStarts.BinarySearch(offset);
        if (index < 0)
            index = ~index - 1;
        return (index + 1, offset - _lineStarts[index] + 1);
    }
}
