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

        var at = utf8.IndexOf("\\u"u8);
        while (at >= 0)
        {
            // Count the backslashes before this one: "\\u" is an escaped backslash, then a 'u'.
            var start = at;
            while (start > 0 && utf8[start - 1] == (byte)'\\')
            {
                start--;
            }

            var next = at + 2;
            if ((at - start) % 2 == 0 && TryHex4(utf8, at + 2, out var unit))
            {
                next = at + 6;
                if (unit is >= 0xD800 and <= 0xDBFF)
                {
                    if (!(utf8.Length >= at + 12 && utf8[at + 6] == (byte)'\\' && utf8[at + 7] == (byte)'u'
                        && TryHex4(utf8, at + 8, out var low) && low is >= 0xDC00 and <= 0xDFFF))
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

            var rest = utf8[next..].IndexOf("\\u"u8);
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

        for (var i = offset; i < offset + 4; i++)
        {
            var digit = utf8[i] switch
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

    /// <summary>
    /// The compact JSON <paramref name="write"/> writes, with the wire's writer options: what a server
    /// builds once and sends inside its replies (<c>query-commands</c>' list). <paramref name="capacity"/>
    /// is a first guess of its size.
    /// </summary>
    public static byte[] Build<TState>(TState state, Action<Utf8JsonWriter, TState> write, int capacity = 256)
    {
        var buffer = new ArrayBufferWriter<byte>(capacity);
        WriteCompact(buffer, state, write);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The one place JSON meant for the wire is written: compact, with <see cref="WriterOptions"/>.</summary>
    private static void WriteCompact<TState>(IBufferWriter<byte> buffer, TState state, Action<Utf8JsonWriter, TState> write)
    {
        using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        write(writer, state);
    }

    /// <summary>
    /// Builds one server message line as QEMU writes it (qobject/json-writer.c): <c>": "</c> after a
    /// member name, <c>", "</c> between items, empty containers as <c>{}</c> and <c>[]</c>, and in strings
    /// only <c>\"</c> <c>\\</c> <c>\b \f \n \r \t</c> as short escapes, every other control character and
    /// every character from U+007F up as <c>\uXXXX</c> (upper-case hex, a surrogate pair above U+FFFF).
    /// Scripts that match QEMU's output byte for byte match ours.
    /// </summary>
    public static byte[] BuildServerLine<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var compact = s_compact ??= new ArrayBufferWriter<byte>(256);
        compact.ResetWrittenCount();
        WriteCompact(compact, state, write);

        var line = new ArrayBufferWriter<byte>(compact.WrittenCount + compact.WrittenCount / 4 + 8);
        WriteQemuStyle(compact.WrittenSpan, line);
        line.Write(Crlf);
        if (compact.Capacity > 64 * 1024)
        {
            s_compact = null;
        }

        return line.WrittenSpan.ToArray();
    }

    // Bytes a QEMU string cannot carry as they are: quote, backslash, control bytes, DEL and non-ASCII.
    private static readonly SearchValues<byte> s_stringSpecial = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\', .. Enumerable.Range(0x7F, 0x81).Select(b => (byte)b)]);

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? s_compact;

    /// <summary>
    /// Rewrites JSON as Utf8JsonWriter writes it (whitespace in a raw value is dropped) in QEMU's layout,
    /// string escaping and member order: QEMU's QDict keeps 512 hash buckets (tdb_hash of the key) and lists a bucket's newest entry
    /// first, so every object QEMU prints has its members in that order (<c>{"return": {}, "id": 1}</c> but
    /// <c>{"id": 1, "error": ...}</c>, <c>{"timestamp": ..., "event": "STOP"}</c>); ours come out the same.
    /// </summary>
    internal static void WriteQemuStyle(ReadOnlySpan<byte> compact, IBufferWriter<byte> output)
    {
        var end = WriteQemuValue(compact, 0, output, 0);
        if (end < compact.Length)
        {
            output.Write(compact[end..]);
        }
    }

    private readonly record struct Member(int KeyStart, int ValueStart, int ValueEnd, uint Bucket, int Index);

    private static int WriteQemuValue(ReadOnlySpan<byte> json, int at, IBufferWriter<byte> output, int depth)
    {
        at = SkipSpace(json, at);
        switch (json[at])
        {
            case (byte)'"':
                return WriteQemuString(json, at, output);
            case (byte)'[':
                {
                    WriteByte(output, (byte)'[');
                    var i = SkipSpace(json, at + 1);
                    var first = true;
                    while (json[i] != (byte)']')
                    {
                        if (!first)
                        {
                            WriteAscii(output, ", ");
                        }

                        first = false;
                        i = SkipSpace(json, WriteQemuValue(json, i, output, depth + 1));
                        if (json[i] == (byte)',')
                        {
                            i = SkipSpace(json, i + 1);
                        }
                    }

                    WriteByte(output, (byte)']');
                    return i + 1;
                }

            case (byte)'{':
                {
                    // Small objects near the top (nearly all) sort on the stack; deep ones on the heap.
                    var members = depth < 32 ? stackalloc Member[16] : new Member[16];
                    var count = 0;
                    var i = SkipSpace(json, at + 1);
                    while (json[i] != (byte)'}')
                    {
                        var keyStart = i;
                        var keyEnd = SkipValue(json, i);
                        var valueStart = SkipSpace(json, SkipSpace(json, keyEnd) + 1); // past ':'
                        var valueEnd = SkipValue(json, valueStart);
                        if (count == members.Length)
                        {
                            var larger = new Member[members.Length * 2];
                            members.CopyTo(larger);
                            members = larger;
                        }

                        members[count] = new Member(keyStart, valueStart, valueEnd, QdictBucket(json[(keyStart + 1)..(keyEnd - 1)]), count);
                        count++;
                        i = SkipSpace(json, valueEnd);
                        if (json[i] == (byte)',')
                        {
                            i = SkipSpace(json, i + 1);
                        }
                    }

                    // Bucket by bucket; within a bucket the last inserted first.
                    members = members[..count];
                    members.Sort(static (a, b) => a.Bucket != b.Bucket ? a.Bucket.CompareTo(b.Bucket) : b.Index.CompareTo(a.Index));
                    WriteByte(output, (byte)'{');
                    for (var m = 0; m < count; m++)
                    {
                        if (m > 0)
                        {
                            WriteAscii(output, ", ");
                        }

                        WriteQemuString(json, members[m].KeyStart, output);
                        WriteAscii(output, ": ");
                        WriteQemuValue(json, members[m].ValueStart, output, depth + 1);
                    }

                    WriteByte(output, (byte)'}');
                    return i + 1;
                }

            default:
                {
                    var end = SkipValue(json, at);
                    output.Write(json[at..end]);
                    return end;
                }
        }
    }

    /// <summary>
    /// The first index from <paramref name="at"/> that is not JSON whitespace: a raw reply value
    /// (<see cref="QmpReturn.FromUtf8"/>) is written as given, so it may be indented.
    /// </summary>
    private static int SkipSpace(ReadOnlySpan<byte> json, int at)
    {
        while (at < json.Length && json[at] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            at++;
        }

        return at;
    }

    /// <summary>The index just past the JSON value starting at <paramref name="at"/>.</summary>
    private static int SkipValue(ReadOnlySpan<byte> json, int at)
    {
        var depth = 0;
        var inString = false;
        for (var i = at; i < json.Length; i++)
        {
            var b = json[i];
            if (inString)
            {
                if (b == (byte)'\\')
                {
                    i++;
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                    if (depth == 0)
                    {
                        return i + 1;
                    }
                }

                continue;
            }

            switch (b)
            {
                case (byte)'"':
                    inString = true;
                    break;
                case (byte)'{' or (byte)'[':
                    depth++;
                    break;
                case (byte)'}' or (byte)']':
                    if (depth == 0)
                    {
                        return i;
                    }

                    if (--depth == 0)
                    {
                        return i + 1;
                    }

                    break;
                case (byte)',' or (byte)':' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n':
                    if (depth == 0)
                    {
                        return i;
                    }

                    break;
            }
        }

        return json.Length;
    }

    /// <summary>QEMU's QDict bucket of a key: tdb_hash modulo 512.</summary>
    internal static uint QdictBucket(ReadOnlySpan<byte> key)
    {
        var value = unchecked(0x238F13AFu * (uint)key.Length);
        for (var i = 0; i < key.Length; i++)
        {
            value = unchecked(value + ((uint)key[i] << (i * 5 % 24)));
        }

        return unchecked(1103515243u * value + 12345u) % 512;
    }

    /// <summary>Re-escapes the string starting at <paramref name="start"/> (its opening quote); returns the index after it.</summary>
    private static int WriteQemuString(ReadOnlySpan<byte> json, int start, IBufferWriter<byte> output)
    {
        var text = output.GetSpan(2);
        text[0] = (byte)'"';
        output.Advance(1);
        var i = start + 1;
        while (i < json.Length)
        {
            var b = json[i];
            if (b == (byte)'"')
            {
                WriteByte(output, (byte)'"');
                return i + 1;
            }

            var plain = json[i..].IndexOfAny(s_stringSpecial);
            if (plain != 0)
            {
                var run = plain < 0 ? json.Length - i : plain;
                output.Write(json.Slice(i, run));
                i += run;
                continue;
            }

            int codePoint;
            if (b == (byte)'\\' && i + 1 < json.Length)
            {
                var e = json[i + 1];
                i += 2;
                switch (e)
                {
                    case (byte)'b': codePoint = '\b'; break;
                    case (byte)'f': codePoint = '\f'; break;
                    case (byte)'n': codePoint = '\n'; break;
                    case (byte)'r': codePoint = '\r'; break;
                    case (byte)'t': codePoint = '\t'; break;
                    case (byte)'u' when TryHex4(json, i, out var unit):
                        i += 4;
                        codePoint = unit;
                        if (unit is >= 0xD800 and <= 0xDBFF && i + 6 <= json.Length && json[i] == (byte)'\\'
                            && json[i + 1] == (byte)'u' && TryHex4(json, i + 2, out var low) && low is >= 0xDC00 and <= 0xDFFF)
                        {
                            codePoint = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                            i += 6;
                        }

                        break;
                    default: codePoint = e; break;
                }
            }
            else if (b < 0x80)
            {
                codePoint = b;
                i++;
            }
            else
            {
                var status = System.Text.Rune.DecodeFromUtf8(json[i..], out var rune, out var used);
                codePoint = status == OperationStatus.Done ? rune.Value : 0xFFFD;
                i += Math.Max(used, 1);
            }

            WriteQemuCodePoint(output, codePoint);
        }

        return i;
    }

    private static void WriteQemuCodePoint(IBufferWriter<byte> output, int codePoint)
    {
        switch (codePoint)
        {
            case '"': WriteAscii(output, "\\\""); return;
            case '\\': WriteAscii(output, "\\\\"); return;
            case '\b': WriteAscii(output, "\\b"); return;
            case '\f': WriteAscii(output, "\\f"); return;
            case '\n': WriteAscii(output, "\\n"); return;
            case '\r': WriteAscii(output, "\\r"); return;
            case '\t': WriteAscii(output, "\\t"); return;
        }

        if (codePoint > 0xFFFF)
        {
            WriteAscii(output, $"\\u{0xD800 + ((codePoint - 0x10000) >> 10):X4}\\u{0xDC00 + ((codePoint - 0x10000) & 0x3FF):X4}");
        }
        else if (codePoint < 0x20 || codePoint >= 0x7F)
        {
            WriteAscii(output, $"\\u{codePoint:X4}");
        }
        else
        {
            WriteByte(output, (byte)codePoint);
        }
    }

    private static void WriteByte(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }

    private static void WriteAscii(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            span[i] = (byte)text[i];
        }

        output.Advance(text.Length);
    }

    /// <summary>
    /// Writes <paramref name="element"/> byte for byte as received (ids are echoed verbatim),
    /// only removing whitespace outside strings so the message stays on one line.
    /// </summary>
    public static void WriteVerbatim(Utf8JsonWriter writer, JsonElement element)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        if (raw.IndexOfAny(" \t\r\n"u8) < 0)
        {
            writer.WriteRawValue(raw, skipInputValidation: true);
            return;
        }

        var compact = new byte[raw.Length];
        var n = 0;
        bool inString = false, escape = false;
        foreach (var b in raw)
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
        var ticks = timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        writer.WriteStartObject("timestamp");
        writer.WriteNumber("seconds", ticks / TimeSpan.TicksPerSecond);
        writer.WriteNumber("microseconds", ticks % TimeSpan.TicksPerSecond / TimeSpan.TicksPerMicrosecond);
        writer.WriteEndObject();
    }

    /// <summary>
    /// An event's <c>timestamp</c> from its JSON text: the last <c>seconds</c> and <c>microseconds</c>
    /// count, as a document's lookup would find them; the epoch when they are missing, not integers or
    /// out of range (QEMU sends -1/-1 when its clock failed).
    /// </summary>
    public static DateTimeOffset ReadTimestamp(ReadOnlySpan<byte> timestamp)
    {
        var reader = new Utf8JsonReader(timestamp, new JsonReaderOptions { MaxDepth = int.MaxValue });
        reader.Read();
        long? seconds = null, micros = null;
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isSeconds = reader.ValueTextEquals("seconds"u8);
                var isMicros = !isSeconds && reader.ValueTextEquals("microseconds"u8);
                reader.Read();
                if (isSeconds || isMicros)
                {
                    long? number = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var n) ? n : null;
                    if (isSeconds)
                    {
                        seconds = number;
                    }
                    else
                    {
                        micros = number;
                    }
                }

                reader.Skip();
            }
        }

        return Timestamp(seconds, micros);
    }

    private static DateTimeOffset Timestamp(long? seconds, long? micros)
    {
        if (seconds is { } s && micros is { } us)
        {
            try
            {
                return DateTimeOffset.UnixEpoch.AddTicks(checked(s * TimeSpan.TicksPerSecond + us * TimeSpan.TicksPerMicrosecond));
            }
            catch (Exception ex) when (ex is ArgumentOutOfRangeException or OverflowException)
            {
                // QEMU sends -1/-1 when the clock failed; fall through.
            }
        }

        return DateTimeOffset.UnixEpoch;
    }
}
