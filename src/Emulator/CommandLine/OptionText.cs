using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Qmp.Emulator.CommandLine;

/// <summary>A command-line value QEMU 7.2 refuses: <see cref="Exception.Message"/> is QEMU's line, without the program name.</summary>
internal class QemuOptionException(string message) : Exception(message);

/// <summary>
/// QEMU's two option string syntaxes, read as QEMU 7.2 reads them. Both split on commas (<c>,,</c> is
/// a literal comma) and take a first item without <c>=</c> as the option's implied key. QemuOpts
/// (<c>-device</c>, <c>-chardev</c>, <c>-name</c>, ...) is flat and still takes the old short
/// booleans (<c>server</c>, <c>nowait</c>); keyval (<c>-blockdev</c>, <c>-object</c>, <c>-audiodev</c>)
/// nests dotted keys (<c>file.filename=x</c>) and wants <c>=</c> after every key. A value stays a
/// string, as QEMU's visitors see it; a JSON form (<c>{...}</c>) keeps its JSON types.
/// </summary>
internal static class OptionText
{
    /// <summary>The pairs of <paramref name="text"/>, in order; a bare item after the first is <c>(key, null)</c>.</summary>
    public static List<(string Key, string? Value)> Split(string text, string? impliedKey)
    {
        var pairs = new List<(string, string?)>();
        var i = 0;
        while (i < text.Length || pairs.Count == 0)
        {
            // A key runs to '=' or ','; the first item without '=' is the implied key's value.
            var keyEnd = i;
            while (keyEnd < text.Length && text[keyEnd] is not ('=' or ','))
            {
                keyEnd++;
            }

            if (pairs.Count == 0 && impliedKey is not null && (keyEnd == text.Length || text[keyEnd] == ','))
            {
                pairs.Add((impliedKey, ReadValue(text, ref i)));
            }
            else if (keyEnd < text.Length && text[keyEnd] == '=')
            {
                var key = text[i..keyEnd];
                i = keyEnd + 1;
                pairs.Add((key, ReadValue(text, ref i)));
            }
            else
            {
                pairs.Add((text[i..keyEnd], null));
                i = keyEnd;
            }

            if (i < text.Length)
            {
                i++; // the separating comma
            }
            else
            {
                break;
            }
        }

        return pairs;
    }

    /// <summary>A value up to a single comma; <c>,,</c> is one comma.</summary>
    private static string ReadValue(string text, ref int i)
    {
        var value = new StringBuilder();
        while (i < text.Length)
        {
            if (text[i] == ',')
            {
                if (i + 1 < text.Length && text[i + 1] == ',')
                {
                    value.Append(',');
                    i += 2;
                    continue;
                }

                break;
            }

            value.Append(text[i++]);
        }

        return value.ToString();
    }

    /// <summary>
    /// QemuOpts: flat, a later key replacing an earlier one (QEMU reads the last), <c>noX</c> for
    /// <c>X=off</c> and a bare <c>X</c> for <c>X=on</c> (deprecated in 7.2, still taken).
    /// </summary>
    public static Dictionary<string, string> ParseOpts(string text, string? impliedKey)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in Split(text, impliedKey))
        {
            if (value is not null)
            {
                result[key] = value;
            }
            else if (key.StartsWith("no", StringComparison.Ordinal) && key.Length > 2)
            {
                result[key[2..]] = "off";
            }
            else
            {
                result[key] = "on";
            }
        }

        return result;
    }

    /// <summary>QemuOpts as a flat JSON object of strings (the <c>-device key=value</c> form).</summary>
    public static JsonObject OptsObject(string text, string impliedKey)
    {
        var result = new JsonObject();
        foreach (var (key, value) in ParseOpts(text, impliedKey))
        {
            result[key] = value;
        }

        return result;
    }

    /// <summary>QEMU's keyval_parse: dotted keys nest; a key both a value and an object is refused in QEMU's words.</summary>
    public static JsonObject ParseKeyval(string text, string? impliedKey)
    {
        var root = new JsonObject();
        foreach (var (key, value) in Split(text, impliedKey))
        {
            if (value is null)
            {
                throw new QemuOptionException($"Expected '=' after parameter '{key}'");
            }

            var fragments = key.Split('.');
            if (fragments.Any(f => f.Length == 0 || f.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_'))))
            {
                throw new QemuOptionException($"Invalid parameter '{key}'");
            }

            var node = root;
            for (var f = 0; f < fragments.Length - 1; f++)
            {
                var prefix = string.Join('.', fragments[..(f + 1)]);
                switch (node[fragments[f]])
                {
                    case null:
                        var child = new JsonObject();
                        node[fragments[f]] = child;
                        node = child;
                        break;
                    case JsonObject existing:
                        node = existing;
                        break;
                    default:
                        throw new QemuOptionException($"Parameters '{prefix}.*' used inconsistently");
                }
            }

            if (node[fragments[^1]] is JsonObject)
            {
                throw new QemuOptionException($"Parameters '{key}.*' used inconsistently");
            }

            // As QEMU's keyval, a repeated key: the last one counts.
            node[fragments[^1]] = value;
        }

        return root;
    }

    /// <summary>
    /// An option's JSON form, as QEMU's json-parser reads it: one JSON object, nothing after it. A
    /// failure is QEMU's message (<c>JSON parse error, premature EOI</c>, <c>... invalid keyword 'x'</c>, ...).
    /// </summary>
    public static JsonObject ParseJson(string text)
    {
        if (Depth(text) > CommandLineLimits.MaxJsonDepth)
        {
            throw new QemuOptionException($"JSON nested deeper than {CommandLineLimits.MaxJsonDepth} levels (the emulator's limit)");
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = CommandLineLimits.MaxJsonDepth, CommentHandling = JsonCommentHandling.Disallow });
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(ref reader);
        }
        catch (JsonException e)
        {
            throw new QemuOptionException("JSON parse error, " + JsonFailure(text, e));
        }

        if (text.AsSpan((int)Math.Min(reader.BytesConsumed, text.Length)).Trim().Length > 0)
        {
            throw new QemuOptionException("Expecting at most one JSON value");
        }

        return node as JsonObject ?? throw new QemuOptionException("JSON parse error, expecting value");
    }

    /// <summary>The deepest nesting of objects and arrays, strings skipped.</summary>
    private static int Depth(string text)
    {
        int depth = 0, deepest = 0;
        var inString = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }
            }
            else if (c == '"')
            {
                inString = true;
            }
            else if (c is '{' or '[')
            {
                deepest = Math.Max(deepest, ++depth);
            }
            else if (c is '}' or ']')
            {
                depth--;
            }
        }

        return deepest;
    }

    /// <summary>What QEMU's parser says for the place System.Text.Json stopped at.</summary>
    private static string JsonFailure(string text, JsonException e)
    {
        var at = (int)Math.Min(e.BytePositionInLine ?? 0, text.Length);
        if (at >= text.TrimEnd().Length)
        {
            return "premature EOI";
        }

        if (char.IsAsciiLetter(text[at]))
        {
            var end = at;
            while (end < text.Length && char.IsAsciiLetterOrDigit(text[end]))
            {
                end++;
            }

            return $"invalid keyword '{text[at..end]}'";
        }

        return "expecting value";
    }

    /// <summary>An option string in either form: JSON when it starts with <c>{</c> (as QEMU decides), else keyval or QemuOpts.</summary>
    public static JsonObject ParseEither(string text, string impliedKey, bool keyval) =>
        text.StartsWith('{') ? ParseJson(text) : keyval ? ParseKeyval(text, impliedKey) : OptsObject(text, impliedKey);

    /// <summary>QEMU's qapi_bool_parse: on/yes/true/y and off/no/false/n; else QEMU's words for <paramref name="name"/>.</summary>
    public static bool ParseBool(string name, string value) => value switch
    {
        "on" or "yes" or "true" or "y" => true,
        "off" or "no" or "false" or "n" => false,
        _ => throw new QemuOptionException($"Parameter '{name}' expects 'on' or 'off'"),
    };

    /// <summary>
    /// QEMU's qemu_strtosz with a default suffix (<c>-m</c>: MiB): digits with an optional fraction and
    /// one of B, K, M, G, T, P, E (any case); null when it is no size or does not fit 2^64.
    /// </summary>
    public static ulong? ParseSize(string text, char defaultSuffix)
    {
        var end = 0;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] == '.'))
        {
            end++;
        }

        if (end == 0 || !decimal.TryParse(text[..end], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        var suffix = end < text.Length ? char.ToUpperInvariant(text[end]) : defaultSuffix;
        if (end < text.Length - 1)
        {
            return null;
        }

        var shift = suffix switch { 'B' => 0, 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, 'P' => 50, 'E' => 60, _ => -1 };
        if (shift < 0 || (number != decimal.Truncate(number) && shift == 0))
        {
            return null;
        }

        var bytes = number * (decimal)Math.Pow(2, shift);
        return bytes >= 18446744073709551616m ? null : (ulong)decimal.Truncate(bytes);
    }

    /// <summary>QEMU's id_wellformed: a letter, then letters, digits, '-', '.', '_'.</summary>
    public static bool IsIdentifier(string id) =>
        id.Length > 0 && char.IsAsciiLetter(id[0]) && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_');
}

/// <summary>Reading an option's members whichever form gave them: <c>"on"</c> and <c>true</c>, <c>"1"</c> and <c>1</c> read alike, as QEMU's visitors do.</summary>
public static class OptionValues
{
    /// <summary>Whether a QemuOpts/keyval boolean is true (on, yes, true, y).</summary>
    public static bool IsOn(string value) => value is "on" or "yes" or "true" or "y" or "";

    /// <summary>The member as a string (a JSON string, or a number's or boolean's text); null when absent.</summary>
    public static string? GetString(JsonElement options, string name) =>
        options.ValueKind == JsonValueKind.Object && options.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
                _ => null,
            }
            : null;

    /// <summary>The member as a boolean (true/false, or on/off and their synonyms as a string); null when absent or neither.</summary>
    public static bool? GetBool(JsonElement options, string name) =>
        options.ValueKind == JsonValueKind.Object && options.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.String => value.GetString() switch
                {
                    "on" or "yes" or "true" or "y" => true,
                    "off" or "no" or "false" or "n" => false,
                    _ => null,
                },
                _ => null,
            }
            : null;

    /// <summary>The member as an integer (a JSON number or a decimal/0x string); null when absent or not one.</summary>
    public static long? GetInt64(JsonElement options, string name)
    {
        if (options.ValueKind != JsonValueKind.Object || !options.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.TryGetInt64(out var number) ? number : null;
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
        return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex) ? hex : null
            : long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var dec) ? dec : null;
    }
}
