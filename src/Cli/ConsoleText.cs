using System.Globalization;
using System.Text;

namespace Qmp.Codegen.Cli;

/// <summary>
/// Text that came from elsewhere (a server's version, error descriptions and schema names; a schema
/// file's include names) as it may be printed on the operator's terminal: every control character
/// (C0 but the line feeds of a multi-line report, DEL, C1), line and paragraph separator, format
/// character (bidirectional overrides) and lone surrogate as <c>\uXXXX</c>, so no escape sequence a
/// server chose runs in the terminal. Everything else, other languages' letters too, is kept.
/// </summary>
internal static class ConsoleText
{
    public static string Safe(string text, bool keepLineFeeds = false)
    {
        StringBuilder? builder = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var pair = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            if (pair || !IsUnsafe(c) || (keepLineFeeds && c == '\n'))
            {
                builder?.Append(c);
                if (pair)
                {
                    builder?.Append(text[++i]);
                }
                continue;
            }
            builder ??= new StringBuilder(text.Length + 16).Append(text, 0, i);
            builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
        }
        return builder?.ToString() ?? text;
    }

    private static bool IsUnsafe(char c) =>
        c is < ' ' or (>= '\u007f' and <= '\u009f') || char.IsSurrogate(c)
        || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
