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
        // The line breaks Roslyn counts (SourceText.Lines): CR LF, CR, LF, NEL, LS, PS; so a
        // diagnostic's line and column are where the IDE shows them.
        for (var i = text.IndexOfAny(s_lineBreaks); i >= 0; i = i + 1 < text.Length ? text.IndexOfAny(s_lineBreaks, i + 1) : -1)
        {
            if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                continue;
            }

            _lineStarts.Add(i + 1);
        }
    }

    private static readonly char[] s_lineBreaks = { '\n', '\r', '\u0085', '\u2028', '\u2029' };

    /// <summary>A character that ends a line for Roslyn (and so for a C# comment or string literal).</summary>
    public static bool IsLineBreak(char c) => c is '\n' or '\r' or '\u0085' or '\u2028' or '\u2029';

    /// <summary>Returns the 1-based line and column of <paramref name="offset"/>.</summary>
    public (int Line, int Column) GetPosition(int offset)
    {
        var index = _lineStarts.BinarySearch(offset);
        if (index < 0)
        {
            index = ~index - 1;
        }

        return (index + 1, offset - _lineStarts[index] + 1);
    }
}
