using System.Text;

namespace Qmp.Codegen.Hx;

/// <summary>Small text helpers shared by the schema readers.</summary>
public static class HxText
{
    /// <summary>
    /// A QMP name: ASCII letters, digits, '-', '_' and '.' (QEMU's downstream prefix
    /// <c>__com.redhat_</c>), starting with a letter or '_'. Anything else (a space, a quote, a
    /// line break) cannot name a command, event or member.
    /// </summary>
    public static bool IsQmpName(string name)
    {
        if (name.Length == 0 || !(IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(IsAsciiLetter(c) || (c >= '0' && c <= '9') || c is '-' or '_' or '.'))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsAsciiLetter(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

    /// <summary>A name as a diagnostic quotes it: every character outside printable ASCII as <c>\uXXXX</c>, so the message stays one line.</summary>
    public static string Printable(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (c < ' ' || c > '~')
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    /// <summary>True when the whitespace-delimited word <paramref name="word"/> starts at <paramref name="offset"/>.</summary>
    public static bool IsWordAt(string text, int offset, string word, int limit)
    {
        if (offset < 0 || offset + word.Length > limit)
        {
            return false;
        }

        if (string.CompareOrdinal(text, offset, word, 0, word.Length) != 0)
        {
            return false;
        }

        if (offset > 0 && !char.IsWhiteSpace(text[offset - 1]))
        {
            return false;
        }

        var end = offset + word.Length;
        return end >= limit || char.IsWhiteSpace(text[end]);
    }

    /// <summary>Offset of the next whitespace-delimited <paramref name="word"/> at or after <paramref name="from"/>, or -1.</summary>
    public static int FindWord(string text, string word, int from, int limit)
    {
        var i = from;
        while (i < limit)
        {
            i = text.IndexOf(word, i, limit - i, System.StringComparison.Ordinal);
            if (i < 0)
            {
                return -1;
            }

            if (IsWordAt(text, i, word, limit))
            {
                return i;
            }

            i += word.Length;
        }
        return -1;
    }

    public static int SkipWhitespace(string text, int offset, int limit)
    {
        while (offset < limit && char.IsWhiteSpace(text[offset]))
        {
            offset++;
        }

        return offset;
    }

    /// <summary>End of the word starting at <paramref name="offset"/> (first whitespace or limit).</summary>
    public static int WordEnd(string text, int offset, int limit)
    {
        while (offset < limit && !char.IsWhiteSpace(text[offset]))
        {
            offset++;
        }

        return offset;
    }

    /// <summary>
    /// Collapses every whitespace run to one space and trims. The folded seed and the same file with
    /// its line breaks differ only in whitespace, so all model text goes through this.
    /// </summary>
    public static string Collapse(string text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }
        // Most text of the folded seed is collapsed already (single spaces): take it as it is.
        var collapsed = true;
        for (var i = start; i < end && collapsed; i++)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                collapsed = text[i] == ' ' && !char.IsWhiteSpace(text[i + 1]);
            }
        }
        if (collapsed)
        {
            return start == 0 && end == text.Length ? text : text.Substring(start, end - start);
        }

        var builder = new StringBuilder(end - start);
        var pendingSpace = false;
        for (var i = start; i < end; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }
            if (pendingSpace)
            {
                builder.Append(' ');
            }

            pendingSpace = false;
            builder.Append(c);
        }
        return builder.ToString();
    }

    public static string Collapse(string text) => Collapse(text, 0, text.Length);

    public static bool IsDashRun(string text, int start, int end)
    {
        if (end - start < 2)
        {
            return false;
        }

        var first = text[start];
        if (first != '-' && first != '=')
        {
            return false;
        }

        for (var i = start; i < end; i++)
        {
            if (text[i] != first)
            {
                return false;
            }
        }
        return true;
    }
}
