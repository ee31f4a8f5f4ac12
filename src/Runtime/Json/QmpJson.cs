using System.Runtime.InteropServices;
using System.Text.Json;

namespace Qmp.Runtime;

/// <summary>
/// The reading and writing helpers that generated marshaling code calls (the way System.Text.Json
/// keeps its helpers in the library, not in every consumer). Every error is worded as QEMU's QAPI
/// input visitor words it, naming the member, never a .NET type: <c>Parameter 'type' is missing</c>,
/// <c>Invalid parameter type for 'speed', expected: integer</c>. A value with no member name (an
/// element of an array) is named <c>null</c>, as QEMU does.
/// </summary>
public static class QmpJson
{
    /// <summary>A required member that is absent.</summary>
    public static JsonException Missing(string member) => new($"Parameter '{member}' is missing");

    /// <summary>A member's value of the wrong JSON type; <paramref name="expected"/> in QEMU's words (string, integer, number, boolean, QDict, list).</summary>
    public static JsonException InvalidType(string? member, string expected) =>
        new($"Invalid parameter type for '{member ?? "null"}', expected: {expected}");

    public static string ReadString(ref Utf8JsonReader reader) => ReadString(ref reader, null);

    public static long ReadInt64(ref Utf8JsonReader reader) => ReadInt64(ref reader, null);

    public static double ReadDouble(ref Utf8JsonReader reader) => ReadDouble(ref reader, null);

    public static bool ReadBoolean(ref Utf8JsonReader reader) => ReadBoolean(ref reader, null);

    public static JsonElement ReadElement(ref Utf8JsonReader reader) => JsonElement.ParseValue(ref reader);

    public static string ReadString(ref Utf8JsonReader reader, string? member) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw InvalidType(member, "string");

    public static long ReadInt64(ref Utf8JsonReader reader, string? member) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) ? value : throw InvalidType(member, "integer");

    public static double ReadDouble(ref Utf8JsonReader reader, string? member) =>
        reader.TokenType == JsonTokenType.Number ? reader.GetDouble() : throw InvalidType(member, "number");

    public static bool ReadBoolean(ref Utf8JsonReader reader, string? member) =>
        reader.TokenType is JsonTokenType.True or JsonTokenType.False ? reader.GetBoolean() : throw InvalidType(member, "boolean");

    /// <summary>Reads an object with <paramref name="read"/>; anything but an object is the wrong type.</summary>
    public static T ReadObject<T>(ref Utf8JsonReader reader, string? member, QmpJsonReader<T> read) =>
        reader.TokenType == JsonTokenType.StartObject ? read(ref reader) : throw InvalidType(member, "QDict");

    /// <summary>Reads an array, each element with <paramref name="item"/>; anything but an array is the wrong type.</summary>
    public static IReadOnlyList<T> ReadList<T>(ref Utf8JsonReader reader, string? member, QmpJsonReader<T> item)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw InvalidType(member, "list");
        var list = new List<T>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            list.Add(item(ref reader));
        return list;
    }

    public static IReadOnlyList<T> ReadList<T>(ref Utf8JsonReader reader, QmpJsonReader<T> item) => ReadList(ref reader, null, item);

    /// <summary>Skips a value nobody reads (the <c>{}</c> of a command that returns nothing).</summary>
    public static bool Skip(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return true;
    }

    public static void WriteString(Utf8JsonWriter writer, string value) => writer.WriteStringValue(value);

    public static void WriteInt64(Utf8JsonWriter writer, long value) => writer.WriteNumberValue(value);

    public static void WriteDouble(Utf8JsonWriter writer, double value) => writer.WriteNumberValue(value);

    public static void WriteBoolean(Utf8JsonWriter writer, bool value) => writer.WriteBooleanValue(value);

    public static void WriteElement(Utf8JsonWriter writer, JsonElement value) => value.WriteTo(writer);

    public static void WriteList<T>(Utf8JsonWriter writer, IReadOnlyList<T> values, QmpJsonWriter<T> item)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(values);
        writer.WriteStartArray();
        foreach (var value in values)
            item(writer, value);
        writer.WriteEndArray();
    }

    /// <summary>A reader on the first token of <paramref name="element"/>'s UTF-8 text; an absent element reads as <c>{}</c>.</summary>
    public static Utf8JsonReader ReaderOf(JsonElement? element)
    {
        var reader = new Utf8JsonReader(element is { } value ? JsonMarshal.GetRawUtf8Value(value) : "{}"u8);
        reader.Read();
        return reader;
    }
}
