using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Qmp.Codegen.Hx;

public enum LenientJsonKind
{
    Object,
    Array,
    String,
    Number,
    True,
    False,
    Null,
}

/// <summary>
/// A JSON value read from a documentation example. Strings keep their escaped source text so the
/// compact form is the example's own spelling; <see cref="Text"/> holds the decoded value.
/// </summary>
public sealed class LenientJsonValue
{
    private LenientJsonValue(LenientJsonKind kind) => Kind = kind;

    public LenientJsonKind Kind { get; }

    /// <summary>Decoded string value, or the number's literal text.</summary>
    public string Text { get; private set; } = string.Empty;

    private string _raw = string.Empty;

    public List<KeyValuePair<string, LenientJsonValue>> Members { get; } = new();

    public List<LenientJsonValue> Items { get; } = new();

    internal static LenientJsonValue Object() => new(LenientJsonKind.Object);

    internal static LenientJsonValue Array() => new(LenientJsonKind.Array);

    internal static LenientJsonValue Literal(LenientJsonKind kind) => new(kind);

    /// <summary>Where a string read from text opens (its quote), or -1 (a value not read from text).</summary>
    public int Offset { get; private set; } = -1;

    internal static LenientJsonValue String(string decoded, string raw, int offset = -1) => new(LenientJsonKind.String) { Text = decoded, _raw = raw, Offset = offset };

    internal static LenientJsonValue Number(string text) => new(LenientJsonKind.Number) { Text = text, _raw = text };

    /// <summary>A copy of this object with members renamed (<paramref name="renames"/>: old name to new); values are shared.</summary>
    public LenientJsonValue WithRenamedMembers(IReadOnlyDictionary<string, string> renames)
    {
        var copy = Object();
        foreach (var member in Members)
        {
            copy.Members.Add(new KeyValuePair<string, LenientJsonValue>(renames.TryGetValue(member.Key, out var name) ? name : member.Key, member.Value));
        }

        return copy;
    }

    /// <summary>The value of member <paramref name="name"/> of an object, or null.</summary>
    public LenientJsonValue? this[string name]
    {
        get
        {
            foreach (var member in Members)
            {
                if (member.Key == name)
                {
                    return member.Value;
                }
            }
            return null;
        }
    }

    /// <summary>Compact JSON text, valid for a strict reader.</summary>
    public string ToJson()
    {
        var builder = new StringBuilder();
        Write(builder);
        return builder.ToString();
    }

    private void Write(StringBuilder builder)
    {
        switch (Kind)
        {
            case LenientJsonKind.Object:
                builder.Append('{');
                for (var i = 0; i < Members.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(',');
                    }

                    builder.Append('"').Append(EscapeKey(Members[i].Key)).Append("\":");
                    Members[i].Value.Write(builder);
                }
                builder.Append('}');
                break;
            case LenientJsonKind.Array:
                builder.Append('[');
                for (var i = 0; i < Items.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(',');
                    }

                    Items[i].Write(builder);
                }
                builder.Append(']');
                break;
            case LenientJsonKind.String:
                builder.Append('"').Append(_raw).Append('"');
                break;
            case LenientJsonKind.Number:
                builder.Append(_raw);
                break;
            case LenientJsonKind.True:
                builder.Append("true");
                break;
            case LenientJsonKind.False:
                builder.Append("false");
                break;
            default:
                builder.Append("null");
                break;
        }
    }

    private static string EscapeKey(string key)
    {
        var builder = new StringBuilder(key.Length);
        foreach (var c in key)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                default:
                    if (c < ' ')
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }
        return builder.ToString();
    }
}

/// <summary>A repair the lenient reader made, at an offset of the text it read.</summary>
public readonly record struct JsonRepair(int Offset, string Message);

/// <summary>The outcome of reading one example value.</summary>
public sealed class LenientJsonResult
{
    public LenientJsonResult(LenientJsonValue? value, int end, List<JsonRepair> repairs, JsonRepair? error)
    {
        Value = value;
        End = end;
        Repairs = repairs;
        Error = error;
    }

    /// <summary>The value read, or null when the text could not be read at all.</summary>
    public LenientJsonValue? Value { get; }

    /// <summary>The offset just past the value (or where reading stopped).</summary>
    public int End { get; }

    public List<JsonRepair> Repairs { get; }

    /// <summary>Why nothing could be read, when <see cref="Value"/> is null.</summary>
    public JsonRepair? Error { get; }
}

/// <summary>
/// Reads the JSON of documentation examples the way a person reads them: it recovers what the
/// seed gets wrong (missing or trailing commas, a key with a misplaced quote, placeholders such as
/// <c>[ ... more channels follow ... ]</c>, a missing closing brace) and reports each repair.
/// Strict JSON is System.Text.Json's business; this reader exists because the docs are not strict.
/// It never throws and never reads past <c>limit</c>.
/// </summary>
public sealed class LenientJsonReader
{
    /// <summary>Deeper nesting than this is refused rather than recursed into.</summary>
    public const int MaxDepth = 64;

    private readonly string _text;
    private readonly int _limit;
    private readonly List<JsonRepair> _repairs = new();
    private int _pos;
    private JsonRepair? _error;

    private LenientJsonReader(string text, int start, int limit)
    {
        _text = text;
        _pos = start;
        _limit = limit < text.Length ? limit : text.Length;
    }

    /// <summary>Reads one JSON value of <paramref name="text"/> starting at <paramref name="start"/>, not past <paramref name="limit"/>.</summary>
    public static LenientJsonResult Read(string text, int start, int limit)
    {
        var reader = new LenientJsonReader(text, start, limit);
        var value = reader.ReadValue(0, out var placeholder);
        if (placeholder)
        {
            reader.Fail(start, "the example is only a placeholder");
            value = null;
        }
        return new LenientJsonResult(reader._error is null ? value : null, reader._pos, reader._repairs, reader._error);
    }

    private bool AtEnd => _pos >= _limit;

    private char Current => _text[_pos];

    private void SkipWhitespace()
    {
        while (!AtEnd && char.IsWhiteSpace(Current))
        {
            _pos++;
        }
    }

    private LenientJsonValue? Fail(int offset, string message)
    {
        _error ??= new JsonRepair(offset, message);
        return null;
    }

    private void Repair(int offset, string message) => _repairs.Add(new JsonRepair(offset, message));

    private bool StartsWith(string token) =>
        _pos + token.Length <= _limit && string.CompareOrdinal(_text, _pos, token, 0, token.Length) == 0;

    private static bool IsValueStart(char c) => c is '{' or '[' or '"' or '-' or 't' or 'f' or 'n' || char.IsDigit(c);

    private LenientJsonValue? ReadValue(int depth, out bool placeholder)
    {
        placeholder = false;
        SkipWhitespace();
        if (AtEnd)
        {
            return Fail(_pos, "the text ends where a value was expected");
        }

        if (depth > MaxDepth)
        {
            return Fail(_pos, $"nesting deeper than {MaxDepth}");
        }

        if (StartsWith("..."))
        {
            placeholder = true;
            SkipPlaceholder(closeAt: null);
            return null;
        }
        switch (Current)
        {
            case '{':
                return ReadObject(depth);
            case '[':
                {
                    var open = _pos;
                    _pos++;
                    SkipWhitespace();
                    if (StartsWith("..."))
                    {
                        // "[ ... more channels follow ... ]": prose standing in for elements.
                        placeholder = true;
                        SkipPlaceholder(closeAt: ']');
                        Repair(open, $"placeholder '{HxText.Collapse(_text, open, _pos)}' removed");
                        return null;
                    }
                    _pos = open;
                    return ReadArray(depth);
                }
            case '"':
                return ReadString();
            case 't':
                return ReadLiteral("true", LenientJsonKind.True);
            case 'f':
                return ReadLiteral("false", LenientJsonKind.False);
            case 'n':
                return ReadLiteral("null", LenientJsonKind.Null);
            default:
                if (Current == '-' || char.IsDigit(Current))
                {
                    return ReadNumber();
                }

                return Fail(_pos, $"unexpected '{Current}' where a value was expected");
        }
    }

    /// <summary>Skips prose from "..." to the closing bracket (when given) or to the next separator.</summary>
    private void SkipPlaceholder(char? closeAt)
    {
        while (!AtEnd)
        {
            var c = Current;
            if (closeAt is { } close && c == close)
            {
                _pos++;
                return;
            }
            if (closeAt is null && (c == ',' || c == '}' || c == ']'))
            {
                return;
            }

            _pos++;
        }
    }

    private LenientJsonValue? ReadLiteral(string literal, LenientJsonKind kind)
    {
        if (!StartsWith(literal))
        {
            return Fail(_pos, $"unexpected '{Current}' where a value was expected");
        }

        _pos += literal.Length;
        return LenientJsonValue.Literal(kind);
    }

    private static readonly System.Text.RegularExpressions.Regex s_numberGrammar =
        new(@"\G-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private LenientJsonValue? ReadNumber()
    {
        // JSON's own number grammar: what double.Parse would accept ("05", "1.") is not JSON.
        var match = s_numberGrammar.Match(_text, _pos, _limit - _pos);
        if (!match.Success)
        {
            return Fail(_pos, $"'{Current}' does not start a number");
        }

        _pos += match.Length;
        if (!AtEnd && (char.IsDigit(Current) || Current is '.' or 'e' or 'E' or '+' or '-'))
        {
            return Fail(match.Index, "malformed number");
        }

        return LenientJsonValue.Number(match.Value);
    }

    private LenientJsonValue? ReadString()
    {
        var start = _pos;
        _pos++;
        var decoded = new StringBuilder();
        while (!AtEnd)
        {
            var c = Current;
            if (c == '"')
            {
                _pos++;
                return LenientJsonValue.String(decoded.ToString(), _text.Substring(start + 1, _pos - start - 2), start);
            }
            if (c == '\\')
            {
                if (_pos + 1 >= _limit)
                {
                    break;
                }

                var e = _text[_pos + 1];
                _pos += 2;
                switch (e)
                {
                    case 'n': decoded.Append('\n'); break;
                    case 'r': decoded.Append('\r'); break;
                    case 't': decoded.Append('\t'); break;
                    case 'b': decoded.Append('\b'); break;
                    case 'f': decoded.Append('\f'); break;
                    case 'u':
                        if (_pos + 4 <= _limit && int.TryParse(_text.Substring(_pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                        {
                            decoded.Append((char)code);
                            _pos += 4;
                            break;
                        }
                        return Fail(_pos - 2, "invalid \\u escape");
                    case '"' or '\\' or '/':
                        decoded.Append(e);
                        break;
                    default:
                        return Fail(_pos - 2, $"invalid escape '\\{e}'");
                }
                continue;
            }
            if (c < ' ')
            {
                return Fail(_pos, "control character in a string");
            }

            decoded.Append(c);
            _pos++;
        }
        return Fail(start, "unterminated string");
    }

    private LenientJsonValue? ReadObject(int depth)
    {
        // The opening brace is consumed; a missing closing one is repaired where the JSON stops.
        _pos++;
        var result = LenientJsonValue.Object();
        var expectMember = true;
        while (NextItem(inObject: true, ref expectMember))
        {
            var keyStart = _pos;
            var key = ReadString();
            if (key is null)
            {
                return null;
            }

            SkipWhitespace();
            LenientJsonValue? value;
            if (!AtEnd && Current == ':')
            {
                _pos++;
                value = ReadValue(depth + 1, out var placeholder);
                if (placeholder)
                {
                    Repair(keyStart, $"member '{key.Text}' with a placeholder value removed");
                    expectMember = false;
                    continue;
                }
            }
            else if (key.Text.EndsWith(":", System.StringComparison.Ordinal) && !AtEnd && char.IsLetterOrDigit(Current))
            {
                // "name:"value" : the quote that should close the name was typed after the colon.
                var wordStart = _pos;
                while (!AtEnd && Current != '"' && Current != ',' && Current != '}' && !char.IsWhiteSpace(Current))
                {
                    _pos++;
                }

                if (AtEnd || Current != '"')
                {
                    return Fail(wordStart, "expected ':' after a member name");
                }

                var word = _text.Substring(wordStart, _pos - wordStart);
                _pos++;
                var name = key.Text.Substring(0, key.Text.Length - 1);
                Repair(keyStart, $"misplaced quote: read \"{key.Text}\"{word}\" as \"{name}\": \"{word}\"");
                key = LenientJsonValue.String(name, name);
                value = LenientJsonValue.String(word, word);
            }
            else if (key.Text.EndsWith(":", System.StringComparison.Ordinal) && !AtEnd && IsValueStart(Current))
            {
                var name = key.Text.Substring(0, key.Text.Length - 1);
                Repair(keyStart, $"misplaced colon: read \"{key.Text}\" as \"{name}\":");
                key = LenientJsonValue.String(name, name);
                value = ReadValue(depth + 1, out _);
            }
            else
            {
                return Fail(_pos, "expected ':' after a member name");
            }
            if (value is null)
            {
                return null;
            }

            result.Members.Add(new KeyValuePair<string, LenientJsonValue>(key.Text, value));
            expectMember = false;
        }
        return result;
    }

    private LenientJsonValue? ReadArray(int depth)
    {
        // The opening bracket is consumed; a missing closing one is repaired where the JSON stops.
        _pos++;
        var result = LenientJsonValue.Array();
        var expectElement = true;
        while (NextItem(inObject: false, ref expectElement))
        {
            var elementStart = _pos;
            var value = ReadValue(depth + 1, out var placeholder);
            if (placeholder)
            {
                if (!StartsWithRepairAt(elementStart))
                {
                    Repair(elementStart, "placeholder element removed");
                }

                expectElement = false;
                continue;
            }
            if (value is null)
            {
                return null;
            }

            result.Items.Add(value);
            expectElement = false;
        }
        return result;
    }

    /// <summary>
    /// Reads what stands between a container's items: its closing bracket, commas, or the start of
    /// the next item. Repairs a missing or trailing comma and a missing close on the way. Returns
    /// true when an item follows, false when the container ends here.
    /// </summary>
    private bool NextItem(bool inObject, ref bool expectItem)
    {
        var close = inObject ? '}' : ']';
        while (true)
        {
            SkipWhitespace();
            var startsItem = !AtEnd && (inObject ? Current == '"' : IsValueStart(Current) || StartsWith("..."));
            if (AtEnd || !(Current == close || Current == ',' || startsItem))
            {
                // Whatever follows is not JSON: the closing bracket is missing (or the text was cut).
                Repair(_pos, inObject ? "missing '}' to close an object" : "missing ']' to close an array");
                return false;
            }
            if (Current == close)
            {
                _pos++;
                return false;
            }
            if (Current == ',')
            {
                var comma = _pos;
                _pos++;
                SkipWhitespace();
                if (!AtEnd && Current == close)
                {
                    Repair(comma, $"trailing ',' before '{close}' removed");
                    continue;
                }
                if (expectItem)
                {
                    Repair(comma, "stray ',' removed");
                }

                expectItem = true;
                continue;
            }
            if (!expectItem)
            {
                Repair(_pos, inObject ? "missing ',' between members inserted" : "missing ',' between elements inserted");
            }

            return true;
        }
    }

    private bool StartsWithRepairAt(int offset)
    {
        foreach (var repair in _repairs)
        {
            if (repair.Offset == offset)
            {
                return true;
            }
        }
        return false;
    }
}
