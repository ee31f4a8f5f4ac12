// Shared with the generator (see SchemaInfo.cs).
using System.Globalization;
using System.Text;

namespace Qmp.Runtime.Introspection;

/// <summary>
/// Text a server chose (type and member names, its version string, its error messages) made safe
/// for an operator's terminal: one line, shown as sent, with nothing that can steer the terminal.
/// </summary>
#if BUILDING_SOURCE_GENERATOR
internal
#else
public
#endif
static class TerminalText
{
    /// <summary>
    /// <paramref name="text"/> with every character that is not plain printable text written as
    /// <c>\uXXXX</c>: controls (C0 with ESC, DEL, C1 with U+0085), format characters (the bidi
    /// embeddings, overrides and isolates U+202A-U+202E and U+2066-U+2069, U+200E/U+200F, U+061C,
    /// zero-width characters, U+FEFF), the line and paragraph separators U+2028 and U+2029, and an
    /// unpaired surrogate. A backslash becomes <c>\\</c>, so an escape in the output always means an
    /// escaped character. Null gives the empty string.
    /// </summary>
    public static string Escape(string? text)
    {
        if (text is null)
        {
            return "";
        }

        var i = 0;
        while (i < text.Length && !NeedsEscape(text, i))
        {
            i++;
        }

        if (i == text.Length)
        {
            return text;
        }

        var w = new StringBuilder(text.Length + 16);
        Append(w, text);
        return w.ToString();
    }

    /// <summary>Appends <see cref="Escape"/>'s result for <paramref name="text"/> to <paramref name="w"/> without an intermediate string.</summary>
    internal static void Append(StringBuilder w, string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (!NeedsEscape(text, i))
            {
                continue;
            }

            w.Append(text, start, i - start);
            var c = text[i];
            if (c == '\\')
            {
                w.Append("\\\\");
            }
            else
            {
                w.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }

            start = i + 1;
        }
        w.Append(text, start, text.Length - start);
    }

    private static bool NeedsEscape(string text, int i)
    {
        var c = text[i];
        if (c == '\\')
        {
            return true;
        }

        if (c >= ' ' && c < '\u007f')
        {
            return false;
        }

        if (char.IsHighSurrogate(c))
        {
            return i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]);
        }

        if (char.IsLowSurrogate(c))
        {
            return i == 0 || !char.IsHighSurrogate(text[i - 1]);
        }

        return CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
    }
}
