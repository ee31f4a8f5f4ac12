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
public static partial class QmpJson
{
    /// <summary>A required member that is absent (its <see cref="JsonException.Path"/> is the member).</summary>
    public static JsonException Missing(string member) => new($"Parameter '{member}' is missing", member, null, null);

    /// <summary>A member's value of the wrong JSON type; <paramref name="expected"/> in QEMU's words (string, integer, number, boolean, QDict, list).</summary>
    public static JsonException InvalidType(string? member, string expected) =>
        new($"Invalid parameter type for '{member ?? "null"}', expected: {expected}", member, null, null);

    /// <summary>
    /// The same error one level up: <see cref="JsonException.Path"/> gains <paramref name="member"/> or
    /// <paramref name="index"/> in front (<c>inserted.bps_max</c>, <c>[0].inserted.bps_max</c>), so a
    /// reply that cannot be read names where, not only what.
    /// </summary>
    private static JsonException Within(JsonException inner, string? member, int? index)
    {
        var prefix = index is { } i ? "[" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]" : member ?? "";
        var path = inner.Path is null or "" ? prefix : inner.Path.StartsWith('[') || prefix.Length == 0 ? prefix + inner.Path : prefix + "." + inner.Path;
        return new JsonException(inner.Message, path, null, null, inner.InnerException);
    }

    /// <summary>A string, as an array element (named <c>null</c> in the error, as QEMU does).</summary>
    public static string ReadString(ref Utf8JsonReader reader) => ReadString(ref reader, null);

    /// <summary>An integer, as an array element (named <c>null</c> in the error, as QEMU does).</summary>
    public static long ReadInt64(ref Utf8JsonReader reader) => ReadInt64(ref reader, null);

    /// <summary>A number (an integer too), as an array element (named <c>null</c> in the error, as QEMU does).</summary>
    public static double ReadDouble(ref Utf8JsonReader reader) => ReadDouble(ref reader, null);

    /// <summary>A boolean, as an array element (named <c>null</c> in the error, as QEMU does).</summary>
    public static bool ReadBoolean(ref Utf8JsonReader reader) => ReadBoolean(ref reader, null);

    /// <summary>Any JSON value as it is (QAPI's <c>any</c>).</summary>
    public static JsonElement ReadElement(ref Utf8JsonReader reader) => JsonElement.ParseValue(ref reader);

    /// <summary>The string value of <paramref name="member"/>; any other JSON type is QEMU's "expected: string".</summary>
    public static string ReadString(ref Utf8JsonReader reader, string? member) =>
        reader.TokenType == JsonTokenType.String ? QmpJsonStrings.Get(ref reader) : throw InvalidType(member, "string");

    /// <summary>The integer value of <paramref name="member"/>; any other JSON type, a fraction or a value beyond 64 bits is QEMU's "expected: integer".</summary>
    public static long ReadInt64(ref Utf8JsonReader reader, string? member) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) ? value : throw InvalidType(member, "integer");

    /// <summary>The number value of <paramref name="member"/> (an integer too); any other JSON type is QEMU's "expected: number".</summary>
    public static double ReadDouble(ref Utf8JsonReader reader, string? member) =>
        reader.TokenType == JsonTokenType.Number ? reader.GetDouble() : throw InvalidType(member, "number");

    /// <summary>The boolean value of <paramref name="member"/>; any other JSON type is QEMU's "expected: boolean".</summary>
    public static bool ReadBoolean(ref Utf8JsonReader reader, string? member) =>
        reader.TokenType is JsonTokenType.True or JsonTokenType.False ? reader.GetBoolean() : throw InvalidType(member, "boolean");

    /// <summary>Reads an object with <paramref name="read"/>; anything but an object is the wrong type.</summary>
    public static T ReadObject<T>(ref Utf8JsonReader reader, string? member, QmpJsonReader<T> read)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw InvalidType(member, "QDict");
        }

        try
        {
            return read(ref reader);
        }
        catch (JsonException e) when (member is not null)
        {
            throw Within(e, member, null);
        }
    }

    /// <summary>Reads an array, each element with <paramref name="item"/>; anything but an array is the wrong type.</summary>
    public static IReadOnlyList<T> ReadList<T>(ref Utf8JsonReader reader, string? member, QmpJsonReader<T> item)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw InvalidType(member, "list");
        }

        var list = new List<T>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            try
            {
                list.Add(item(ref reader));
            }
            catch (JsonException e)
            {
                var element = Within(e, null, list.Count);
                throw member is null ? element : Within(element, member, null);
            }
        }

        return list;
    }

    /// <summary>Reads an array that is itself an array element (named <c>null</c> in errors), each element with <paramref name="item"/>.</summary>
    public static IReadOnlyList<T> ReadList<T>(ref Utf8JsonReader reader, QmpJsonReader<T> item) => ReadList(ref reader, null, item);

    /// <summary>
    /// Moves from a member's name to its value; true when the value is JSON <c>null</c>, which a generated
    /// reader takes as an absent member (as QEMU's input visitor does). One call instead of the same
    /// three statements in every member of every generated reader.
    /// </summary>
    public static bool NextIsNull(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Null;
    }

    /// <summary>Skips a member nobody reads: the reader is on its name and ends on the last token of its value.</summary>
    public static void SkipMember(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    /// <summary>
    /// The error for a generated alternate in a state its constructors cannot make (no branch set): only
    /// reachable by reflection or a default struct, never through the generated API.
    /// </summary>
    public static InvalidOperationException NoBranch(string alternate) =>
        new($"{alternate} holds no branch; its constructors always set one.");

    /// <summary>Skips a value nobody reads (the <c>{}</c> of a command that returns nothing).</summary>
    public static bool Skip(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return true;
    }

    /// <summary>Writes a member: its name, then its value with <paramref name="write"/> (one call in generated writers, not two statements).</summary>
    public static void WriteMember<T>(Utf8JsonWriter writer, ReadOnlySpan<byte> name, T value, QmpJsonWriter<T> write)
    {
        writer.WritePropertyName(name);
        write(writer, value);
    }

    /// <summary>Writes a JSON string.</summary>
    public static void WriteString(Utf8JsonWriter writer, string value) => writer.WriteStringValue(value);

    /// <summary>Writes a JSON integer.</summary>
    public static void WriteInt64(Utf8JsonWriter writer, long value) => writer.WriteNumberValue(value);

    /// <summary>Writes a JSON number.</summary>
    public static void WriteDouble(Utf8JsonWriter writer, double value) => writer.WriteNumberValue(value);

    /// <summary>Writes <c>true</c> or <c>false</c>.</summary>
    public static void WriteBoolean(Utf8JsonWriter writer, bool value) => writer.WriteBooleanValue(value);

    /// <summary>Writes a JSON value as it is (QAPI's <c>any</c>).</summary>
    public static void WriteElement(Utf8JsonWriter writer, JsonElement value) => value.WriteTo(writer);

    /// <summary>Writes a JSON array, each element with <paramref name="item"/>.</summary>
    public static void WriteList<T>(Utf8JsonWriter writer, IReadOnlyList<T> values, QmpJsonWriter<T> item)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(values);
        writer.WriteStartArray();
        foreach (var value in values)
        {
            item(writer, value);
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// A reader on the first token of <paramref name="element"/>'s UTF-8 text; an absent element reads as <c>{}</c>.
    /// The element was parsed already, within its parser's nesting limit (a server's: 1024 levels): this reader
    /// adds none of its own (System.Text.Json's default, 64, refused deeper arguments in .NET's words).
    /// </summary>
    public static Utf8JsonReader ReaderOf(JsonElement? element)
    {
        var reader = new Utf8JsonReader(element is { } value ? JsonMarshal.GetRawUtf8Value(value) : "{}"u8, s_alreadyParsed);
        reader.Read();
        return reader;
    }

    private static readonly JsonReaderOptions s_alreadyParsed = new() { MaxDepth = int.MaxValue };
}
