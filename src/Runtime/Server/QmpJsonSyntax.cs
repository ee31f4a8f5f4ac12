using System.Text;

namespace Qmp.Runtime.Server;

/// <summary>
/// QEMU 7.2's JSON parser (qobject/json-parser.c) run over one message as <c>QmpJsonStreamer</c> hands it
/// over (standard JSON, tokens already lexed), for its error: the first one QEMU's recursive descent
/// meets, in its words (<c>JSON parse error, missing : in object pair</c>, <c>duplicate key</c>,
/// <c>invalid keyword 'tru'</c>, <c>\uD800 is not a valid Unicode character</c>, ...), or null when QEMU
/// would accept the message. Recursion is bounded by the streamer's nesting limit.
/// </summary>
internal ref struct QmpJsonSyntax
{
    private const string Prefix = "JSON parse error, ";
    private readonly ReadOnlySpan<byte> _json;
    private int _at;
    private string? _error;

    private QmpJsonSyntax(ReadOnlySpan<byte> json) => _json = json;

    /// <summary>QEMU 7.2's parse error for <paramref name="json"/>, or null.</summary>
    public static string? Check(ReadOnlySpan<byte> json)
    {
        var parser = new QmpJsonSyntax(json);
        parser.ParseValue(out _);
        return parser._error is null ? null : Prefix + parser._error;
    }

    private bool Fail(string message)
    {
        _error ??= message;
        return false;
    }

    /// <summary>The next token's first byte, or 0 at the end of the message.</summary>
    private byte Peek()
    {
        while (_at < _json.Length && _json[_at] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            _at++;
        }

        return _at < _json.Length ? _json[_at] : (byte)0;
    }

    /// <summary>parse_value: <paramref name="key"/> is the decoded string when the value is one.</summary>
    private bool ParseValue(out string? key)
    {
        key = null;
        if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            // Only a nesting limit raised far past QEMU's 1024 gets here.
            return Fail("nesting depth limit exceeded");
        }

        var first = Peek();
        switch (first)
        {
            case 0:
                return Fail("premature EOI");
            case (byte)'{':
                return ParseObject();
            case (byte)'[':
                return ParseArray();
            case (byte)'"':
                return ParseString(out key);
            case >= (byte)'a' and <= (byte)'z':
                var start = _at;
                while (_at < _json.Length && _json[_at] is >= (byte)'a' and <= (byte)'z')
                {
                    _at++;
                }

                var word = Encoding.UTF8.GetString(_json[start.._at]);
                return word is "true" or "false" or "null" || Fail($"invalid keyword '{word}'");
            case (byte)'-' or >= (byte)'0' and <= (byte)'9':
                _at++;
                while (_at < _json.Length && _json[_at] is (byte)'-' or (byte)'+' or (byte)'.' or (byte)'e' or (byte)'E' or >= (byte)'0' and <= (byte)'9')
                {
                    _at++;
                }

                return true;
            default:
                // A structural token where a value belongs (it is not consumed: the caller reports).
                return Fail("expecting value");
        }
    }

    private bool ParseObject()
    {
        _at++;
        var next = Peek();
        if (next == 0)
        {
            return Fail("premature EOI");
        }

        if (next == (byte)'}')
        {
            _at++;
            return true;
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            if (!ParsePair(keys))
            {
                return false;
            }

            var token = Peek();
            if (token == 0)
            {
                return Fail("premature EOI");
            }

            _at++;
            if (token == (byte)'}')
            {
                return true;
            }

            if (token != (byte)',')
            {
                return Fail("expected separator in dict");
            }
        }
    }

    private bool ParsePair(HashSet<string> keys)
    {
        if (Peek() == 0)
        {
            return Fail("premature EOI");
        }

        if (!ParseValue(out var key))
        {
            return false;
        }

        if (key is null)
        {
            return Fail("key is not a string in object");
        }

        var token = Peek();
        if (token == 0)
        {
            return Fail("premature EOI");
        }

        _at++;
        if (token != (byte)':')
        {
            return Fail("missing : in object pair");
        }

        if (!ParseValue(out _))
        {
            return Fail("Missing value in dict");
        }

        return keys.Add(key) || Fail("duplicate key");
    }

    private bool ParseArray()
    {
        _at++;
        var next = Peek();
        if (next == 0)
        {
            return Fail("premature EOI");
        }

        if (next == (byte)']')
        {
            _at++;
            return true;
        }

        while (true)
        {
            if (!ParseValue(out _))
            {
                return Fail("expecting value");
            }

            var token = Peek();
            if (token == 0)
            {
                return Fail("premature EOI");
            }

            _at++;
            if (token == (byte)']')
            {
                return true;
            }

            if (token != (byte)',')
            {
                return Fail("expected separator in list");
            }
        }
    }

    /// <summary>parse_string: escapes and UTF-8 checked as QEMU checks them.</summary>
    private bool ParseString(out string? value)
    {
        value = null;
        var start = ++_at;
        var end = start;
        while (end < _json.Length && _json[end] != (byte)'"')
        {
            end += _json[end] == (byte)'\\' ? 2 : 1;
        }

        // The token as QEMU holds it: up to and including the closing quote, then a NUL.
        var token = _json[start..Math.Min(end + 1, _json.Length)];
        _at = Math.Min(end + 1, _json.Length);
        var text = new StringBuilder(token.Length);
        var i = 0;
        while (i < token.Length - 1)
        {
            var b = token[i];
            if (b == (byte)'\\')
            {
                if (!Unescape(token, ref i, text))
                {
                    return false;
                }

                continue;
            }

            if (System.Text.Rune.DecodeFromUtf8(token[i..^1], out var rune, out var length) != System.Buffers.OperationStatus.Done
                || !IsValidCodePoint(rune.Value))
            {
                return Fail("invalid UTF-8 sequence in string");
            }

            text.Append(rune.ToString());
            i += length;
        }

        value = text.ToString();
        return true;
    }

    private bool Unescape(ReadOnlySpan<byte> token, ref int i, StringBuilder text)
    {
        var begin = i;
        var kind = i + 1 < token.Length ? token[i + 1] : (byte)0;
        i += 2;
        switch (kind)
        {
            case (byte)'"' or (byte)'\'' or (byte)'\\' or (byte)'/':
                text.Append((char)kind);
                return true;
            case (byte)'b': text.Append('\b'); return true;
            case (byte)'f': text.Append('\f'); return true;
            case (byte)'n': text.Append('\n'); return true;
            case (byte)'r': text.Append('\r'); return true;
            case (byte)'t': text.Append('\t'); return true;
            case (byte)'u':
                var cp = Hex4(token, i);
                i += 4;
                if (cp is >= 0xD800 and <= 0xDBFF && i + 1 < token.Length && token[i] == (byte)'\\' && token[i + 1] == (byte)'u')
                {
                    var trailing = Hex4(token, i + 2);
                    if (trailing is >= 0xDC00 and <= 0xDFFF)
                    {
                        cp = 0x10000 + ((cp & 0x3FF) << 10) | (trailing & 0x3FF);
                        i += 6;
                    }
                    else
                    {
                        cp = -1;
                    }
                }

                if (!IsValidCodePoint(cp))
                {
                    // QEMU quotes the escape as far as it read it, stopping at the token's end.
                    var shown = Math.Min(i, token.Length) - begin;
                    return Fail($"{Encoding.UTF8.GetString(token.Slice(begin, shown))} is not a valid Unicode character");
                }

                text.Append(char.ConvertFromUtf32(cp));
                return true;
            default:
                return Fail("invalid escape sequence in string");
        }
    }

    /// <summary>cvt4hex: four hex digits, or -1 (a digit past the token's end is its NUL).</summary>
    private static int Hex4(ReadOnlySpan<byte> token, int at)
    {
        var cp = 0;
        for (var k = 0; k < 4; k++)
        {
            if (at + k >= token.Length || !char.IsAsciiHexDigit((char)token[at + k]))
            {
                return -1;
            }

            int c = token[at + k];
            cp = (cp << 4) | (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }

        return cp;
    }

    /// <summary>util/unicode.c's is_valid_codepoint: no surrogates, noncharacters or values past U+10FFFF.</summary>
    private static bool IsValidCodePoint(int cp) =>
        cp is >= 0 and <= 0x10FFFF && cp is not (>= 0xFDD0 and <= 0xFDEF) && (cp & 0xFFFE) != 0xFFFE && cp is not (>= 0xD800 and <= 0xDFFF);
}
