using System.Linq;
using Qmp.Codegen.Generation;
using Qmp.Codegen.Helpers;

namespace Qmp.Codegen.Emit;

/// <summary>
/// Emits the records (arguments, results, nested objects, events) and their marshaling:
/// a static <c>Write(Utf8JsonWriter, T)</c> and <c>Read(ref Utf8JsonReader)</c> per record,
/// hand-written reader/writer calls, no reflection, so trimming and AOT keep working.
/// </summary>
public static class TypesEmitter
{
    private const string Json = "global::System.Text.Json";

    public static string Emit(TypesOutputSpec spec)
    {
        var writer = SourceHeader.Start(spec.Namespace);
        WriteJsonHelpers(writer, spec.Stem);
        foreach (var record in spec.Records)
        {
            writer.Line();
            WriteRecord(writer, record, spec.Stem);
        }
        if (!spec.EventRecords.IsEmpty)
        {
            writer.Line();
            WriteEventBase(writer, spec.Stem);
            foreach (var record in spec.EventRecords)
            {
                writer.Line();
                WriteRecord(writer, record, spec.Stem);
            }
        }
        return writer.ToString();
    }

    public static string JsonClass(string stem) => stem + "Json";

    private static void WriteEventBase(SourceWriter writer, string stem)
    {
        writer.Line("/// <summary>An event from the QMP peer: a typed record per known event, <see cref=\"Untyped" + stem + "Event\"/> for the rest.</summary>");
        writer.Open("public abstract partial record " + stem + "Event");
        writer.Line("/// <summary>The event's wire name, e.g. <c>BLOCK_JOB_COMPLETED</c>.</summary>");
        writer.Line("public abstract string EventName { get; }");
        writer.Line();
        writer.Line("/// <summary>When the peer says the event happened.</summary>");
        writer.Line("public global::System.DateTimeOffset Timestamp { get; init; }");
        writer.Close();
        writer.Line();
        writer.Line("/// <summary>An event the schema does not describe (newer QEMU has many): kept as it arrived.</summary>");
        writer.Open("public sealed partial record Untyped" + stem + "Event(global::Qmp.Runtime.QmpEvent Raw) : " + stem + "Event");
        writer.Line("/// <inheritdoc/>");
        writer.Line("public override string EventName => Raw.Name;");
        writer.Close();
    }

    private static void WriteRecord(SourceWriter writer, RecordSpec record, string stem)
    {
        var json = JsonClass(stem);
        if (record.Summary is not null)
        {
            if (record.Summary.Contains("<c>"))
                DocComments.SummaryXml(writer, record.Summary);
            else
                DocComments.Summary(writer, record.Summary);
        }
        var isEvent = record.EventName is not null;
        writer.Open("public sealed partial record " + record.Name + (isEvent ? " : " + stem + "Event" : string.Empty));
        if (isEvent)
        {
            writer.Line("/// <summary>The wire name of this event.</summary>");
            writer.Line("public const string WireName = \"" + record.EventName + "\";");
            writer.Line();
            writer.Line("/// <inheritdoc/>");
            writer.Line("public override string EventName => WireName;");
            writer.Line();
        }
        foreach (var property in record.Properties)
        {
            var doc = (property.Doc is null ? string.Empty : DocComments.Escape(property.Doc) + " ") + "(JSON <c>" + DocComments.Escape(property.JsonName) + "</c>" + (property.Optional ? ", optional" : string.Empty) + ")";
            writer.Line("/// <summary>" + doc + "</summary>");
            writer.Line("public " + (property.Optional ? string.Empty : "required ") + property.DeclaredType + " " + property.ClrName + " { get; init; }");
            writer.Line();
        }
        if (record.HasExtra)
        {
            writer.Line("/// <summary>Members not named above, as they arrived; written back beside them, so nothing is lost in a round trip.</summary>");
            writer.Line("public global::System.Collections.Generic.IReadOnlyDictionary<string, " + Json + ".JsonElement>? Extra { get; init; }");
            writer.Line();
        }

        // Write
        writer.Line("/// <summary>Writes <paramref name=\"value\"/> as a JSON object.</summary>");
        writer.Open("public static void Write(" + Json + ".Utf8JsonWriter writer, " + record.Name + " value)");
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(writer);");
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(value);");
        writer.Line("writer.WriteStartObject();");
        var index = 0;
        foreach (var property in record.Properties)
        {
            var local = "v" + index++;
            var name = Utf8(property.JsonName);
            if (property.Optional)
            {
                writer.Open("if (value." + property.ClrName + " is { } " + local + ")");
                WriteMember(writer, property.Type, name, local, json);
                writer.Close();
            }
            else
            {
                WriteMember(writer, property.Type, name, "value." + property.ClrName, json);
            }
        }
        if (record.HasExtra)
        {
            writer.Open("if (value.Extra is { } extra)");
            writer.Open("foreach (var pair in extra)");
            if (!record.Properties.IsEmpty)
                writer.Line("if (" + string.Join(" || ", record.Properties.Select(p => "pair.Key == " + Literal(p.JsonName))) + ")").Line("    continue;");
            writer.Line("writer.WritePropertyName(pair.Key);");
            writer.Line("pair.Value.WriteTo(writer);");
            writer.Close();
            writer.Close();
        }
        writer.Line("writer.WriteEndObject();");
        writer.Close();
        writer.Line();

        // Read
        writer.Line("/// <summary>Reads a JSON object; the reader is on its <c>{</c>. Members this schema does not know are " + (record.HasExtra ? "kept in <c>Extra</c>" : "skipped") + ".</summary>");
        writer.Open("public static " + record.Name + " Read(ref " + Json + ".Utf8JsonReader reader" + (isEvent ? ", global::System.DateTimeOffset timestamp = default" : string.Empty) + ")");
        writer.Line("if (reader.TokenType != " + Json + ".JsonTokenType.StartObject)");
        writer.Line("    throw new " + Json + ".JsonException(\"Expected a JSON object for " + record.Name + ".\");");
        index = 0;
        foreach (var property in record.Properties)
            writer.Line(property.Type.ClrType + "? p" + index++ + " = null;");
        if (record.HasExtra)
            writer.Line("global::System.Collections.Generic.Dictionary<string, " + Json + ".JsonElement>? extra = null;");
        writer.Open("while (reader.Read() && reader.TokenType != " + Json + ".JsonTokenType.EndObject)");
        index = 0;
        var first = true;
        foreach (var property in record.Properties)
        {
            writer.Open((first ? "if" : "else if") + " (reader.ValueTextEquals(" + Utf8(property.JsonName) + "))");
            writer.Line("reader.Read();");
            writer.Line("if (reader.TokenType != " + Json + ".JsonTokenType.Null)");
            writer.Line("    p" + index++ + " = " + ReadExpression(property.Type, json, property.JsonName) + ";");
            writer.Close();
            first = false;
        }
        if (record.HasExtra)
        {
            writer.Open(first ? null : "else");
            writer.Line("var key = reader.GetString()!;");
            writer.Line("reader.Read();");
            writer.Line("(extra ??= new())[key] = " + Json + ".JsonElement.ParseValue(ref reader);");
            writer.Close();
        }
        else if (first)
        {
            writer.Line("reader.Skip();");
        }
        else
        {
            writer.Line("else");
            writer.Line("    reader.Skip();");
        }
        writer.Close();
        writer.Open("return new " + record.Name);
        index = 0;
        foreach (var property in record.Properties)
        {
            var local = "p" + index++;
            writer.Line(property.ClrName + " = " + (property.Optional ? local : local + " ?? throw " + json + ".Missing(" + Literal(property.JsonName) + ", " + Literal(record.Name) + ")") + ",");
        }
        if (record.HasExtra)
            writer.Line("Extra = extra,");
        if (isEvent)
            writer.Line("Timestamp = timestamp,");
        writer.Close("};");
        writer.Close();
        writer.Close();
    }

    private static void WriteMember(SourceWriter writer, TypeRef type, string name, string value, string json)
    {
        switch (type.Kind)
        {
            case ValueKind.String:
                writer.Line("writer.WriteString(" + name + ", " + value + ");");
                break;
            case ValueKind.Int:
            case ValueKind.Number:
                writer.Line("writer.WriteNumber(" + name + ", " + value + ");");
                break;
            case ValueKind.Bool:
                writer.Line("writer.WriteBoolean(" + name + ", " + value + ");");
                break;
            default:
                writer.Line("writer.WritePropertyName(" + name + ");");
                writer.Line(WriteValueStatement(type, value, json));
                break;
        }
    }

    /// <summary>A statement writing <paramref name="value"/> (of <paramref name="type"/>) as a JSON value.</summary>
    public static string WriteValueStatement(TypeRef type, string value, string json) => type.Kind switch
    {
        ValueKind.Json => value + ".WriteTo(writer);",
        ValueKind.List => json + ".WriteList(writer, " + value + ", " + WriterFor(type.Element!, json) + ");",
        _ => WriterFor(type, json) + "(writer, " + value + ");",
    };

    /// <summary>A <c>QmpJsonWriter&lt;T&gt;</c>-compatible expression for <paramref name="type"/>.</summary>
    public static string WriterFor(TypeRef type, string json) => type.Kind switch
    {
        ValueKind.String => json + ".WriteString",
        ValueKind.Int => json + ".WriteInt64",
        ValueKind.Number => json + ".WriteDouble",
        ValueKind.Bool => json + ".WriteBoolean",
        ValueKind.Json => json + ".WriteElement",
        ValueKind.Object => type.RecordName + ".Write",
        _ => "static (" + Json + ".Utf8JsonWriter w, " + type.ClrType + " v) => " + json + ".WriteList(w, v, " + WriterFor(type.Element!, json) + ")",
    };

    /// <summary>A <c>QmpJsonReader&lt;T&gt;</c>-compatible expression for <paramref name="type"/>.</summary>
    public static string ReaderFor(TypeRef type, string json) => type.Kind switch
    {
        ValueKind.String => json + ".ReadString",
        ValueKind.Int => json + ".ReadInt64",
        ValueKind.Number => json + ".ReadDouble",
        ValueKind.Bool => json + ".ReadBoolean",
        ValueKind.Json => json + ".ReadElement",
        ValueKind.Object => type.RecordName + ".Read",
        _ => "static (ref " + Json + ".Utf8JsonReader r) => " + json + ".ReadList(ref r, " + ReaderFor(type.Element!, json) + ")",
    };

    /// <summary>
    /// How a member's value is read. The member's name goes along so a value of the wrong JSON type
    /// fails as QEMU 2.1's QAPI input visitor words it: <c>Invalid parameter type for 'device', expected: string</c>.
    /// </summary>
    private static string ReadExpression(TypeRef type, string json, string member) => type.Kind switch
    {
        ValueKind.String => json + ".ReadString(ref reader, " + Literal(member) + ")",
        ValueKind.Int => json + ".ReadInt64(ref reader, " + Literal(member) + ")",
        ValueKind.Number => json + ".ReadDouble(ref reader, " + Literal(member) + ")",
        ValueKind.Bool => json + ".ReadBoolean(ref reader, " + Literal(member) + ")",
        ValueKind.Json => Json + ".JsonElement.ParseValue(ref reader)",
        ValueKind.Object => json + ".ReadObject(ref reader, " + Literal(member) + ", " + type.RecordName + ".Read)",
        _ => json + ".ReadList(ref reader, " + Literal(member) + ", " + ReaderFor(type.Element!, json) + ")",
    };

    public static string Literal(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static string Utf8(string text) => Literal(text) + "u8";

    private static void WriteJsonHelpers(SourceWriter writer, string stem)
    {
        writer.Line("/// <summary>Reading and writing helpers shared by the generated marshaling code.</summary>");
        writer.Open("internal static partial class " + JsonClass(stem));
        writer.Lines(@"public static global::System.Text.Json.JsonException Missing(string member, string type) =>
    new($""The JSON member '{member}' of {type} is missing."");

public static string ReadString(ref global::System.Text.Json.Utf8JsonReader reader) =>
    reader.TokenType == global::System.Text.Json.JsonTokenType.String
        ? reader.GetString()!
        : throw new global::System.Text.Json.JsonException($""Expected a JSON string, got {reader.TokenType}."");

public static long ReadInt64(ref global::System.Text.Json.Utf8JsonReader reader) => reader.GetInt64();

public static double ReadDouble(ref global::System.Text.Json.Utf8JsonReader reader) => reader.GetDouble();

public static bool ReadBoolean(ref global::System.Text.Json.Utf8JsonReader reader) => reader.GetBoolean();

public static global::System.Text.Json.JsonElement ReadElement(ref global::System.Text.Json.Utf8JsonReader reader) =>
    global::System.Text.Json.JsonElement.ParseValue(ref reader);

/// <summary>A member's value of the wrong JSON type, in the words of QEMU 2.1's QAPI input visitor.</summary>
public static global::System.Text.Json.JsonException InvalidType(string member, string expected) =>
    new($""Invalid parameter type for '{member}', expected: {expected}"");

public static string ReadString(ref global::System.Text.Json.Utf8JsonReader reader, string member) =>
    reader.TokenType == global::System.Text.Json.JsonTokenType.String ? reader.GetString()! : throw InvalidType(member, ""string"");

public static long ReadInt64(ref global::System.Text.Json.Utf8JsonReader reader, string member) =>
    reader.TokenType == global::System.Text.Json.JsonTokenType.Number && reader.TryGetInt64(out var value) ? value : throw InvalidType(member, ""integer"");

public static double ReadDouble(ref global::System.Text.Json.Utf8JsonReader reader, string member) =>
    reader.TokenType == global::System.Text.Json.JsonTokenType.Number ? reader.GetDouble() : throw InvalidType(member, ""number"");

public static bool ReadBoolean(ref global::System.Text.Json.Utf8JsonReader reader, string member) =>
    reader.TokenType is global::System.Text.Json.JsonTokenType.True or global::System.Text.Json.JsonTokenType.False ? reader.GetBoolean() : throw InvalidType(member, ""boolean"");

public static T ReadObject<T>(ref global::System.Text.Json.Utf8JsonReader reader, string member, global::Qmp.Runtime.QmpJsonReader<T> read) =>
    reader.TokenType == global::System.Text.Json.JsonTokenType.StartObject ? read(ref reader) : throw InvalidType(member, ""QDict"");

public static global::System.Collections.Generic.IReadOnlyList<T> ReadList<T>(ref global::System.Text.Json.Utf8JsonReader reader, string member, global::Qmp.Runtime.QmpJsonReader<T> item) =>
    reader.TokenType == global::System.Text.Json.JsonTokenType.StartArray ? ReadList(ref reader, item) : throw InvalidType(member, ""list"");

/// <summary>Skips a value nobody reads (the <c>{}</c> of a command that returns nothing).</summary>
public static bool Skip(ref global::System.Text.Json.Utf8JsonReader reader)
{
    reader.Skip();
    return true;
}

public static global::System.Collections.Generic.IReadOnlyList<T> ReadList<T>(ref global::System.Text.Json.Utf8JsonReader reader, global::Qmp.Runtime.QmpJsonReader<T> item)
{
    if (reader.TokenType != global::System.Text.Json.JsonTokenType.StartArray)
        throw new global::System.Text.Json.JsonException(""Expected a JSON array."");
    var list = new global::System.Collections.Generic.List<T>();
    while (reader.Read() && reader.TokenType != global::System.Text.Json.JsonTokenType.EndArray)
        list.Add(item(ref reader));
    return list;
}

public static void WriteString(global::System.Text.Json.Utf8JsonWriter writer, string value) => writer.WriteStringValue(value);

public static void WriteInt64(global::System.Text.Json.Utf8JsonWriter writer, long value) => writer.WriteNumberValue(value);

public static void WriteDouble(global::System.Text.Json.Utf8JsonWriter writer, double value) => writer.WriteNumberValue(value);

public static void WriteBoolean(global::System.Text.Json.Utf8JsonWriter writer, bool value) => writer.WriteBooleanValue(value);

public static void WriteElement(global::System.Text.Json.Utf8JsonWriter writer, global::System.Text.Json.JsonElement value) => value.WriteTo(writer);

public static void WriteList<T>(global::System.Text.Json.Utf8JsonWriter writer, global::System.Collections.Generic.IReadOnlyList<T> values, global::Qmp.Runtime.QmpJsonWriter<T> item)
{
    writer.WriteStartArray();
    foreach (var value in values)
        item(writer, value);
    writer.WriteEndArray();
}

/// <summary>Positions a reader on the first token of <paramref name=""element""/>'s UTF-8 text; an absent element reads as <c>{}</c>.</summary>
public static global::System.Text.Json.Utf8JsonReader ReaderOf(global::System.Text.Json.JsonElement? element)
{
    var reader = new global::System.Text.Json.Utf8JsonReader(element is { } value
        ? global::System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value)
        : ""{}""u8);
    reader.Read();
    return reader;
}");
        writer.Close();
    }
}
