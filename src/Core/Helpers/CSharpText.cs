using System.Globalization;
using System.Text;

namespace Qmp.Codegen.Helpers;

/// <summary>
/// The one way schema text (wire names, enum values, features, conditions, docs) enters generated
/// C#: as a string literal (<see cref="Literal"/>) or as XML doc text (<see cref="Xml"/>). A schema
/// may come from a server (a saved <c>query-qmp-schema</c> answer), so no text of it may end a
/// literal, a comment line or an XML element, whatever the readers let through.
/// </summary>
public static class CSharpText
{
    /// <summary>
    /// A regular C# string literal of <paramref name="text"/>: <c>"</c> and <c>\</c> escaped, and every
    /// character that is not printable as a <c>\uXXXX</c> escape: controls (CR, LF and the rest),
    /// U+0085, U+2028 and U+2029 (Roslyn ends a line at each), format characters (bidirectional
    /// overrides, zero-width ones), unassigned code points and a surrogate without its pair. The
    /// literal's value is <paramref name="text"/> exactly.
    /// </summary>
    public static string Literal(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        builder.Append(c).Append(text[++i]);
                    }
                    else if (IsPrintable(c))
                    {
                        builder.Append(c);
                    }
                    else
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    break;
            }
        }
        return builder.Append('"').ToString();
    }

    /// <summary>
    /// <paramref name="text"/> as the text of an XML doc comment element on one <c>///</c> line:
    /// <c>&amp;</c>, <c>&lt;</c> and <c>&gt;</c> escaped (so <c>&lt;/c&gt;</c> in a name or doc stays
    /// text); CR dropped; every other line break (LF, U+0085, U+2028, U+2029, which would end the
    /// comment line), control character (XML allows none), bidirectional control and lone surrogate
    /// a space. Text that needs none of this is handed back as it is.
    /// </summary>
    public static string Xml(string text)
    {
        var clean = true;
        foreach (var c in text)
        {
            if (c is '&' or '<' or '>' || !IsPlainInXml(c))
            {
                clean = false;
                break;
            }
        }
        if (clean)
        {
            return text;
        }
        var builder = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '&':
                    builder.Append("&amp;");
                    break;
                case '<':
                    builder.Append("&lt;");
                    break;
                case '>':
                    builder.Append("&gt;");
                    break;
                case '\r':
                    break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        builder.Append(c).Append(text[++i]);
                    }
                    else
                    {
                        builder.Append(IsPlainInXml(c) ? c : ' ');
                    }
                    break;
            }
        }
        return builder.ToString();
    }

    /// <summary>A character written as it is in a literal: not a control, line or paragraph separator, format character, surrogate or unassigned.</summary>
    private static bool IsPrintable(char c)
    {
        if (c >= ' ' && c < '\u007f')
        {
            return true;
        }
        switch (CharUnicodeInfo.GetUnicodeCategory(c))
        {
            case UnicodeCategory.Control:
            case UnicodeCategory.Format:
            case UnicodeCategory.LineSeparator:
            case UnicodeCategory.ParagraphSeparator:
            case UnicodeCategory.Surrogate:
            case UnicodeCategory.OtherNotAssigned:
                return false;
            default:
                return true;
        }
    }

    /// <summary>A character kept as it is in doc text: not a control, line break, bidirectional control or surrogate (a pair is kept by the caller).</summary>
    private static bool IsPlainInXml(char c)
    {
        if (c >= ' ' && c < '\u007f')
        {
            return true;
        }
        return !(c < ' ' || c is (>= '\u007f' and <= '\u009f') || LineMap.IsLineBreak(c) || char.IsSurrogate(c)
            || c is '\u061c' or '\u200e' or '\u200f' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069'));
    }
}
