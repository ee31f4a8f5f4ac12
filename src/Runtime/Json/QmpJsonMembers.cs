using System.Text.Json;

namespace Qmp.Runtime;

/// <summary>
/// One call per member for generated readers and writers, as System.Text.Json's generated code leans on
/// its runtime helpers: a record's reader is one line per member (<c>ReadMember(ref reader, "device", ref device)</c>)
/// and its writer one line per optional member (<c>WriteOptional(writer, "speed"u8, value.Speed)</c>), the
/// mechanics (JSON <c>null</c> as an absent member, the member's name in errors, skipping an absent
/// value) here once. The errors are the ones the per-type reads give (QEMU's words).
/// </summary>
public static partial class QmpJson
{
    /// <summary>Checks that the reader is on an object's <c>{</c> (the start of a generated reader); anything else is QEMU's "expected: QDict".</summary>
    public static void ExpectObject(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw InvalidType(null, "QDict");
        }
    }

    /// <summary>The string member the reader is on the name of into <paramref name="value"/>; JSON <c>null</c> leaves it as it was (absent).</summary>
    public static void ReadMember(ref Utf8JsonReader reader, string member, ref string? value)
    {
        if (!NextIsNull(ref reader))
        {
            value = ReadString(ref reader, member);
        }
    }

    /// <summary>The integer member the reader is on the name of into <paramref name="value"/>; JSON <c>null</c> leaves it as it was (absent).</summary>
    public static void ReadMember(ref Utf8JsonReader reader, string member, ref long? value)
    {
        if (!NextIsNull(ref reader))
        {
            value = ReadInt64(ref reader, member);
        }
    }

    /// <summary>The number member the reader is on the name of into <paramref name="value"/>; JSON <c>null</c> leaves it as it was (absent).</summary>
    public static void ReadMember(ref Utf8JsonReader reader, string member, ref double? value)
    {
        if (!NextIsNull(ref reader))
        {
            value = ReadDouble(ref reader, member);
        }
    }

    /// <summary>The boolean member the reader is on the name of into <paramref name="value"/>; JSON <c>null</c> leaves it as it was (absent).</summary>
    public static void ReadMember(ref Utf8JsonReader reader, string member, ref bool? value)
    {
        if (!NextIsNull(ref reader))
        {
            value = ReadBoolean(ref reader, member);
        }
    }

    /// <summary>The member (QAPI's <c>any</c>) the reader is on the name of into <paramref name="value"/>, as it is; JSON <c>null</c> leaves it as it was (absent).</summary>
    public static void ReadMember(ref Utf8JsonReader reader, string member, ref JsonElement? value)
    {
        if (!NextIsNull(ref reader))
        {
            value = JsonElement.ParseValue(ref reader);
        }
    }

    /// <summary>The object member the reader is on the name of, read by <paramref name="read"/> into <paramref name="value"/>; JSON <c>null</c> leaves it as it was (absent).</summary>
    public static void ReadObjectMember<T>(ref Utf8JsonReader reader, string member, ref T? value, QmpJsonReader<T> read)
        where T : class
    {
        if (!NextIsNull(ref reader))
        {
            value = ReadObject(ref reader, member, read);
        }
    }

    /// <summary>The enum member (a JSON string) the reader is on the name of, made by <paramref name="read"/> into <paramref name="value"/>; JSON <c>null</c> leaves it as it was (absent).</summary>
    public static void ReadEnumMember<T>(ref Utf8JsonReader reader, string member, ref T? value, QmpJsonReader<T> read)
        where T : struct
    {
        if (!NextIsNull(ref reader))
        {
            // The member's name goes in the error here: the enum's own Read names none (it reads array elements too).
            value = reader.TokenType == JsonTokenType.String ? read(ref reader) : throw InvalidType(member, "string");
        }
    }

    /// <summary>The array member the reader is on the name of, each element read by <paramref name="item"/>, into <paramref name="value"/>; JSON <c>null</c> leaves it as it was (absent).</summary>
    public static void ReadListMember<T>(ref Utf8JsonReader reader, string member, ref IReadOnlyList<T>? value, QmpJsonReader<T> item)
    {
        if (!NextIsNull(ref reader))
        {
            value = ReadList(ref reader, member, item);
        }
    }

    /// <summary>
    /// Checks a generated writer's arguments (both must be set) and starts the object: one line instead of three
    /// at the top of every writer. The exceptions name <c>writer</c> and <c>value</c>, the writer's own parameters.
    /// </summary>
    public static void WriteStartObject<T>(Utf8JsonWriter writer, T value)
        where T : class
    {
        CheckWrite(writer, value);
        writer.WriteStartObject();
    }

    /// <summary>Checks a generated writer's arguments (both must be set), as <see cref="WriteStartObject"/> does, for a writer that adds members to an object already started.</summary>
    public static void CheckWrite<T>(Utf8JsonWriter writer, T value)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
    }

    /// <summary>Writes the string member <paramref name="name"/> when <paramref name="value"/> is set; nothing when it is not.</summary>
    public static void WriteOptional(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    /// <summary>Writes the integer member <paramref name="name"/> when <paramref name="value"/> is set; nothing when it is not.</summary>
    public static void WriteOptional(Utf8JsonWriter writer, ReadOnlySpan<byte> name, long? value)
    {
        if (value is { } set)
        {
            writer.WriteNumber(name, set);
        }
    }

    /// <summary>Writes the number member <paramref name="name"/> when <paramref name="value"/> is set; nothing when it is not.</summary>
    public static void WriteOptional(Utf8JsonWriter writer, ReadOnlySpan<byte> name, double? value)
    {
        if (value is { } set)
        {
            writer.WriteNumber(name, set);
        }
    }

    /// <summary>Writes the boolean member <paramref name="name"/> when <paramref name="value"/> is set; nothing when it is not.</summary>
    public static void WriteOptional(Utf8JsonWriter writer, ReadOnlySpan<byte> name, bool? value)
    {
        if (value is { } set)
        {
            writer.WriteBoolean(name, set);
        }
    }

    /// <summary>Writes member <paramref name="name"/> with <paramref name="write"/> when <paramref name="value"/> (an enum, a sized integer, <c>any</c>) is set; nothing when it is not.</summary>
    public static void WriteOptional<T>(Utf8JsonWriter writer, ReadOnlySpan<byte> name, T? value, QmpJsonWriter<T> write)
        where T : struct
    {
        if (value is { } set)
        {
            writer.WritePropertyName(name);
            write(writer, set);
        }
    }

    /// <summary>Writes member <paramref name="name"/> with <paramref name="write"/> when <paramref name="value"/> (an object) is set; nothing when it is not.</summary>
    public static void WriteOptional<T>(Utf8JsonWriter writer, ReadOnlySpan<byte> name, T? value, QmpJsonWriter<T> write)
        where T : class
    {
        if (value is not null)
        {
            writer.WritePropertyName(name);
            write(writer, value);
        }
    }

    /// <summary>Writes the array member <paramref name="name"/>, each element with <paramref name="item"/>.</summary>
    public static void WriteList<T>(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyList<T> values, QmpJsonWriter<T> item)
    {
        writer.WritePropertyName(name);
        WriteList(writer, values, item);
    }

    /// <summary>Writes the array member <paramref name="name"/>, each element with <paramref name="item"/>, when <paramref name="values"/> is set; nothing when it is not.</summary>
    public static void WriteOptionalList<T>(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyList<T>? values, QmpJsonWriter<T> item)
    {
        if (values is not null)
        {
            writer.WritePropertyName(name);
            WriteList(writer, values, item);
        }
    }

    /// <summary>A raw event as its typed record, read by <paramref name="read"/> from its <c>data</c> (absent data reads as <c>{}</c>) with its timestamp: one line per event in a generated dispatcher.</summary>
    public static T ReadEvent<T>(QmpEvent qmpEvent, QmpJsonEventReader<T> read)
    {
        ArgumentNullException.ThrowIfNull(qmpEvent);

        // The data's text as received: no JsonElement is built for a typed event.
        var data = qmpEvent.DataUtf8;
        var reader = new Utf8JsonReader(data.IsEmpty ? "{}"u8 : data, new JsonReaderOptions { MaxDepth = int.MaxValue });
        reader.Read();
        return read(ref reader, qmpEvent.Timestamp);
    }
}
