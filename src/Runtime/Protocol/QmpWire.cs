using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Qmp.Runtime.Protocol;

/// <summary>Shared helpers for writing QMP messages: one compact JSON object per line, CRLF-terminated.</summary>
internal static class QmpWire
{
    /// <summary>Relaxed escaping so text such as <c>Device 'ide9' not found</c> goes out as QEMU writes it.</summary>
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    /// <summary>
    /// True when a message's strings cannot be text: bytes that are not UTF-8, or a \uD800-\uDFFF
    /// escape without its pair. System.Text.Json defers both until a string is read, which would
    /// turn a bad message into an exception deep inside dispatch.
    /// </summary>
    public static bool HasInvalidText(ReadOnlySpan<byte> utf8)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return true;
        }

        int at = utf8.IndexOf("\\u"u8);
        while (at >= 0)
        {
            // Count the backslashes before this one: "\\u" is an escaped backslash, then a 'u'.
            int start = at;
            while (start > 0 && utf8[start - 1] == (byte)'\\')
            {
                start--;
            }

            int next = at + 2;
            if ((at - start) % 2 == 0 && TryHex4(utf8, at + 2, out int unit))
            {
                next = at + 6;
                if (unit is >= 0xD800 and <= 0xDBFF)
                {
                    if (!(utf8.Length >= at + 12 && utf8[at + 6] == (byte)'\\' && utf8[at + 7] == (byte)'u'
                        && TryHex4(utf8, at + 8, out int low) && low is >= 0xDC00 and <= 0xDFFF))
                    {
                        return true;
                    }

                    next = at + 12;
                }
                else if (unit is >= 0xDC00 and <= 0xDFFF)
                {
                    return true;
                }
            }

            int rest = utf8[next..].IndexOf("\\u"u8);
            at = rest < 0 ? -1 : next + rest;
        }

        return false;
    }

    private static bool TryHex4(ReadOnlySpan<byte> utf8, int offset, out int value)
    {
        value = 0;
        if (offset + 4 > utf8.Length)
        {
            return false;
        }

        for (int i = offset; i < offset + 4; i++)
        {
            int digit = utf8[i] switch
            {
                >= (byte)'0' and <= (byte)'9' => utf8[i] - '0',
                >= (byte)'a' and <= (byte)'f' => utf8[i] - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => utf8[i] - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | digit;
        }

        return true;
    }

    /// <summary>Builds one message line: the JSON written by <paramref name="write"/> plus CRLF.</summary>
    public static byte[] BuildLine<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer, state);
        }

        buffer.Write(Crlf);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes <paramref name="element"/> byte for byte as received (ids are echoed verbatim),
    /// only removing whitespace outside strings so the message stays on one line.
    /// </summary>
    public static void WriteVerbatim(Utf8JsonWriter writer, JsonElement element)
    {
        ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8Value(element);
        if (raw.IndexOfAny(" \t\r\n"u8) < 0)
        {
            writer.WriteRawValue(raw, skipInputValidation: true);
            return;
        }

        var compact = new byte[raw.Length];
        int n = 0;
        bool inString = false, escape = false;
        foreach (byte b in raw)
        {
            if (inString)
            {
                if (escape) { escape = false; }
                else if (b == (byte)'\\') { escape = true; }
                else if (b == (byte)'"') { inString = false; }
            }
            else if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                continue;
            }
            else if (b == (byte)'"')
            {
                inString = true;
            }

            compact[n++] = b;
        }

        writer.WriteRawValue(compact.AsSpan(0, n), skipInputValidation: true);
    }

    public static void WriteTimestamp(Utf8JsonWriter writer, DateTimeOffset timestamp)
    {
        long ticks = timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        writer.WriteStartObject("timestamp");
        writer.WriteNumber("seconds", ticks / TimeSpan.TicksPerSecond);
        writer.WriteNumber("microseconds", ticks % TimeSpan.TicksPerSecond / TimeSpan.TicksPerMicrosecond);
        writer.WriteEndObject();
    }

    public static DateTimeOffset ReadTimestamp(JsonElement timestamp)
    {
        if (timestamp.ValueKind == JsonValueKind.Object
            && timestamp.TryGetProperty("seconds", out var s) && s.TryGetInt64(out long seconds)
            && timestamp.TryGetProperty("microseconds", out var us) && us.TryGetInt64(out long micros))
        {
            try
            {
                return DateTimeOffset.UnixEpoch.AddTicks(seconds * TimeSpan.TicksPerSecond + micros * TimeSpan.TicksPerMicrosecond);
            }
            catch (ArgumentOutOfRangeException)
            {
                // QEMU sends -1/-1 when the clock failed; fall through.
            }
        }

        return DateTimeOffset.UnixEpoch;
    }
}
