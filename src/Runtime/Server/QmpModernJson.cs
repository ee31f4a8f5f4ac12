using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Qmp.Runtime.Server;

/// <summary>
/// A message of the modern dialect parsed once on the way every good request takes: System.Text.Json
/// (refusing a member named twice, as QEMU's parser does), and QEMU 7.2's own parser
/// (<see cref="QmpJsonSyntax"/>) only when System.Text.Json refuses the message or a string in it may
/// hold text QEMU refuses (a surrogate or noncharacter escape, bytes that are not UTF-8, noncharacters),
/// so every error keeps QEMU's words. System.Text.Json refuses everything else QEMU's parser refuses:
/// the structure (missing values, separators, colons, keys that are not strings, unknown keywords)
/// and names given twice, compared unescaped as QEMU compares them.
/// </summary>
internal static class QmpModernJson
{
    /// <summary>The lead bytes of UTF-8 sequences that may encode a noncharacter (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF).</summary>
    private static readonly SearchValues<byte> s_mayBeNoncharacter = SearchValues.Create([0xEF, 0xF0, 0xF1, 0xF2, 0xF3, 0xF4]);

    /// <summary>
    /// The message as a document, or null and <paramref name="error"/> set to QEMU 7.2's parse error.
    /// The document reads <paramref name="json"/>: it must outlive the document.
    /// </summary>
    public static JsonDocument? Parse(ReadOnlyMemory<byte> json, int maxDepth, out string? error)
    {
        error = null;
        var span = json.Span;
        if (!MayHoldRefusedText(span))
        {
            try
            {
                return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = maxDepth, AllowDuplicateProperties = false });
            }
            catch (JsonException)
            {
                // QEMU's parser says what is wrong, in its words (below).
            }
        }

        error = QmpJsonSyntax.Check(span);
        if (error is not null)
        {
            return null;
        }

        try
        {
            // QEMU accepts the message: names given twice were ruled out by its parser, as it compares them.
            return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = maxDepth });
        }
        catch (JsonException)
        {
            error = "JSON parse error, expecting value";
            return null;
        }
    }

    /// <summary>
    /// Whether a string in <paramref name="json"/> may hold text QEMU's parser refuses (false: none does).
    /// Cautious: a false alarm only sends the message through QEMU's parser as well.
    /// </summary>
    internal static bool MayHoldRefusedText(ReadOnlySpan<byte> json)
    {
        if (!Ascii.IsValid(json)
            && (!Utf8.IsValid(json) || json.IndexOfAny(s_mayBeNoncharacter) >= 0))
        {
            return true;
        }

        // An escape \uXXXX below U+D800 is a valid code point; from there on are surrogates and noncharacters.
        var at = json.IndexOf("\\u"u8);
        while (at >= 0)
        {
            var digit = at + 2 < json.Length ? json[at + 2] | 0x20 : 0;
            if (digit is >= 'd' and <= 'f' || !char.IsAsciiHexDigit((char)digit))
            {
                return true;
            }

            var rest = json[(at + 2)..].IndexOf("\\u"u8);
            at = rest < 0 ? -1 : at + 2 + rest;
        }

        return false;
    }
}
