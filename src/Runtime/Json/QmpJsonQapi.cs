using System.Text.Json;

namespace Qmp.Runtime;

/// <summary>
/// Helpers for code generated from a QAPI schema: its sized integers (<c>int8</c> ... <c>uint64</c>,
/// <c>size</c>) read with a range check, so a value that does not fit is QEMU's
/// <c>Parameter 'x' expects uint8</c>, never a silent wrap. <c>uint64</c> and <c>size</c> also take
/// a negative integer as QEMU's input visitor does (two's complement).
/// </summary>
public static class QmpJsonQapi
{
    /// <summary>A value of the right JSON type out of the member's range, worded as QEMU words it.</summary>
    public static JsonException OutOfRange(string? member, string qapiType) =>
        new($"Parameter '{member ?? "null"}' expects {qapiType}", member, null, null);

    private static long Ranged(ref Utf8JsonReader reader, string? member, long min, long max, string qapiType)
    {
        var value = QmpJson.ReadInt64(ref reader, member);
        return value < min || value > max ? throw OutOfRange(member, qapiType) : value;
    }

    /// <summary>A QAPI <c>int8</c> (named in errors); out of range is QEMU's "expects int8".</summary>
    public static sbyte ReadInt8(ref Utf8JsonReader reader, string? member) => (sbyte)Ranged(ref reader, member, sbyte.MinValue, sbyte.MaxValue, "int8");

    /// <summary>A QAPI <c>uint8</c> (named in errors); out of range is QEMU's "expects uint8".</summary>
    public static byte ReadUInt8(ref Utf8JsonReader reader, string? member) => (byte)Ranged(ref reader, member, byte.MinValue, byte.MaxValue, "uint8");

    /// <summary>A QAPI <c>int16</c> (named in errors); out of range is QEMU's "expects int16".</summary>
    public static short ReadInt16(ref Utf8JsonReader reader, string? member) => (short)Ranged(ref reader, member, short.MinValue, short.MaxValue, "int16");

    /// <summary>A QAPI <c>uint16</c> (named in errors); out of range is QEMU's "expects uint16".</summary>
    public static ushort ReadUInt16(ref Utf8JsonReader reader, string? member) => (ushort)Ranged(ref reader, member, ushort.MinValue, ushort.MaxValue, "uint16");

    /// <summary>A QAPI <c>int32</c> (named in errors); out of range is QEMU's "expects int32".</summary>
    public static int ReadInt32(ref Utf8JsonReader reader, string? member) => (int)Ranged(ref reader, member, int.MinValue, int.MaxValue, "int32");

    /// <summary>A QAPI <c>uint32</c> (named in errors); out of range is QEMU's "expects uint32".</summary>
    public static uint ReadUInt32(ref Utf8JsonReader reader, string? member) => (uint)Ranged(ref reader, member, uint.MinValue, uint.MaxValue, "uint32");

    /// <summary>An unsigned 64-bit integer; a negative one is taken as its two's complement, as QEMU takes it.</summary>
    public static ulong ReadUInt64(ref Utf8JsonReader reader, string? member)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (reader.TryGetUInt64(out var value))
            {
                return value;
            }

            if (reader.TryGetInt64(out var signed))
            {
                return unchecked((ulong)signed);
            }
        }
        throw QmpJson.InvalidType(member, "integer");
    }

    /// <summary>A QAPI <c>int8</c>, as an array element; out of range is QEMU's "expects int8".</summary>
    public static sbyte ReadInt8(ref Utf8JsonReader reader) => ReadInt8(ref reader, null);

    /// <summary>A QAPI <c>uint8</c>, as an array element; out of range is QEMU's "expects uint8".</summary>
    public static byte ReadUInt8(ref Utf8JsonReader reader) => ReadUInt8(ref reader, null);

    /// <summary>A QAPI <c>int16</c>, as an array element; out of range is QEMU's "expects int16".</summary>
    public static short ReadInt16(ref Utf8JsonReader reader) => ReadInt16(ref reader, null);

    /// <summary>A QAPI <c>uint16</c>, as an array element; out of range is QEMU's "expects uint16".</summary>
    public static ushort ReadUInt16(ref Utf8JsonReader reader) => ReadUInt16(ref reader, null);

    /// <summary>A QAPI <c>int32</c>, as an array element; out of range is QEMU's "expects int32".</summary>
    public static int ReadInt32(ref Utf8JsonReader reader) => ReadInt32(ref reader, null);

    /// <summary>A QAPI <c>uint32</c>, as an array element; out of range is QEMU's "expects uint32".</summary>
    public static uint ReadUInt32(ref Utf8JsonReader reader) => ReadUInt32(ref reader, null);

    /// <summary>A QAPI <c>uint64</c> (or <c>size</c>), as an array element.</summary>
    public static ulong ReadUInt64(ref Utf8JsonReader reader) => ReadUInt64(ref reader, null);

    /// <summary>The QAPI <c>int8</c> member the reader is on the name of into <paramref name="value"/>; JSON <c>null</c> leaves it as it was (absent).</summary>
    public static void ReadMember(ref Utf8JsonReader reader, string member, ref sbyte? value)
    {
        if (!QmpJson.NextIsNull(ref reader))
        {
            value = ReadInt8(ref reader, member);
        }
    }

    /// <summary>The QAPI <c>uint8</c> member the reader is on the name of into <paramref name="value"/>; JSON <c>null</c> leaves it as it was (absent).</summary>
    public static void ReadMember(ref Utf8JsonReader reader, string member, ref byte? value)
    {
        if (!QmpJson.NextIsNull(ref reader))
        {
            value = ReadUInt8(ref reader, member);
        }
    }

    /// <summary>The QAPI <c>int16</c> member the reader is on the name of into <paramref name="value"/>; JSON <c>null</c> leaves it as it was (absent).</summary>
    public static void ReadMember(ref Utf8JsonReader reader, string member, ref short? value)
    {
        if (!QmpJson.NextIsNull(ref reader))
        {
            value = ReadInt16(ref reader, member);
        }
    }

    /// <summary>The QAPI <c>uint16</c> member the reader is on the name of into <paramref name="value"/>; JSON <c>null</c> leaves it as it was (absent).</summary>
    public static void ReadMember(ref Utf8JsonReader reader, string member, ref ushort? value)
    {
        if (!QmpJson.NextIsNull(ref reader))
        {
            value = ReadUInt16(ref reader, member);
        }
    }

    /// <summary>The QAPI <c>int32</c> member the reader is on the name of into <paramref name="value"/>; JSON <c>null</c> leaves it as it was (absent).</summary>
    public static void ReadMember(ref Utf8JsonReader reader, string member, ref int? value)
    {
        if (!QmpJson.NextIsNull(ref reader))
        {
            value = ReadInt32(ref reader, member);
        }
    }

    /// <summary>The QAPI <c>uint32</c> member the reader is on the name of into <paramref name="value"/>; JSON <c>null</c> leaves it as it was (absent).</summary>
    public static void ReadMember(ref Utf8JsonReader reader, string member, ref uint? value)
    {
        if (!QmpJson.NextIsNull(ref reader))
        {
            value = ReadUInt32(ref reader, member);
        }
    }

    /// <summary>The QAPI <c>uint64</c> member the reader is on the name of into <paramref name="value"/>; JSON <c>null</c> leaves it as it was (absent).</summary>
    public static void ReadMember(ref Utf8JsonReader reader, string member, ref ulong? value)
    {
        if (!QmpJson.NextIsNull(ref reader))
        {
            value = ReadUInt64(ref reader, member);
        }
    }

    /// <summary>Writes a QAPI <c>int8</c>.</summary>
    public static void WriteInt8(Utf8JsonWriter writer, sbyte value) => writer.WriteNumberValue(value);

    /// <summary>Writes a QAPI <c>uint8</c>.</summary>
    public static void WriteUInt8(Utf8JsonWriter writer, byte value) => writer.WriteNumberValue(value);

    /// <summary>Writes a QAPI <c>int16</c>.</summary>
    public static void WriteInt16(Utf8JsonWriter writer, short value) => writer.WriteNumberValue(value);

    /// <summary>Writes a QAPI <c>uint16</c>.</summary>
    public static void WriteUInt16(Utf8JsonWriter writer, ushort value) => writer.WriteNumberValue(value);

    /// <summary>Writes a QAPI <c>int32</c>.</summary>
    public static void WriteInt32(Utf8JsonWriter writer, int value) => writer.WriteNumberValue(value);

    /// <summary>Writes a QAPI <c>uint32</c>.</summary>
    public static void WriteUInt32(Utf8JsonWriter writer, uint value) => writer.WriteNumberValue(value);

    /// <summary>Writes a QAPI <c>uint64</c>.</summary>
    public static void WriteUInt64(Utf8JsonWriter writer, ulong value) => writer.WriteNumberValue(value);

    /// <summary>Finds the string member <paramref name="tag"/> of the object the reader is on, without moving the reader (a union's discriminator may come after its branch's members).</summary>
    public static string? PeekTag(Utf8JsonReader reader, ReadOnlySpan<byte> tag, string tagName)
    {
        // The reader is a copy (a struct passed by value): scanning it leaves the caller's where it was.
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw QmpJson.InvalidType(null, "QDict");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var isTag = reader.ValueTextEquals(tag);
            reader.Read();
            if (isTag)
            {
                return QmpJson.ReadString(ref reader, tagName);
            }

            reader.Skip();
        }
        return null;
    }
}
