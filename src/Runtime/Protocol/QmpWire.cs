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
