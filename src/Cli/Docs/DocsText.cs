using System.Text;
using System.Text.RegularExpressions;

namespace Qmp.Codegen.Cli.Docs;

/// <summary>
/// Doc text that names things: QAPI's <c>@name</c> references travel in the view model's plain
/// strings as markers (<c>STX anchor US name ETX</c>, the anchor empty when the name has no place
/// on the page), so the builder decides what a name points to and each template decides how a
/// reference looks (a link, or code). Text without markers (the .hx page) renders as before.
/// </summary>
internal static partial class DocsText
{
    private const char Start = '\u0002';
    private const char Separator = '\u001F';
    private const char End = '\u0003';

    /// <summary>A reference to <paramref name="name"/>, a link to <paramref name="anchor"/> when there is one.</summary>
    public static string Reference(string name, string? anchor) => Start + (anchor ?? "") + Separator + name + End;

    /// <summary>The text with the marker characters removed (schema text never holds them legitimately).</summary>
    public static string WithoutMarkers(string text) =>
        text.AsSpan().IndexOfAny(Start, Separator, End) < 0 ? text : text.Replace(Start.ToString(), "", StringComparison.Ordinal).Replace(Separator.ToString(), "", StringComparison.Ordinal).Replace(End.ToString(), "", StringComparison.Ordinal);

    /// <summary>
    /// The text in pieces: each plain run through <paramref name="plain"/>, each reference through
    /// <paramref name="reference"/> (name, anchor or null).
    /// </summary>
    public static string Render(string? text, Func<string, string> plain, Func<string, string?, string> reference)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        if (text.IndexOf(Start) < 0)
        {
            return plain(text);
        }

        var builder = new StringBuilder();
        var at = 0;
        foreach (Match m in Marker().Matches(text))
        {
            if (m.Index > at)
            {
                builder.Append(plain(text[at..m.Index]));
            }

            var anchor = m.Groups["anchor"].Value;
            builder.Append(reference(m.Groups["name"].Value, anchor.Length == 0 ? null : anchor));
            at = m.Index + m.Length;
        }
        if (at < text.Length)
        {
            builder.Append(plain(text[at..]));
        }

        return builder.ToString();
    }

    [GeneratedRegex("\u0002(?<anchor>[^\u0002\u001F\u0003]*)\u001F(?<name>[^\u0002\u001F\u0003]+)\u0003")]
    private static partial Regex Marker();
}
