using System.Collections.Generic;
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

    /// <summary>The runtime's helpers that generated marshaling calls (<c>Qmp.Runtime.QmpJson</c>).</summary>
    public static string JsonClass(string stem) => "global::Qmp.Runtime.QmpJson";

    /// <summary>
    /// An enum as a string-backed record struct: a constant per known value, and any other string
    /// kept as it is, so a newer QEMU's value round-trips instead of failing (<c>new RunState("colo")</c>).
    /// </summary>
    internal static void WriteEnum(SourceWriter writer, EnumSpec e)
    {
        if (e.Summary is not null)
        {
            DocComments.Summary(writer, e.Summary);
        }
        else
        {
            writer.Line("/// <summary>A string from a known set of values; other values are kept as they arrive.</summary>");
        }

        writer.Line("/// <param name=\"Value\">The value as it travels on the wire.</param>");
        writer.Open("public readonly partial record struct " + e.Name + "(string Value)");
        foreach (var value in e.Values)
        {
            if (value.Doc is null)
            {
                DocComments.SummaryXml(writer, "The value <c>" + CSharpText.Xml(value.JsonName) + "</c>.");
            }
            else
            {
                DocComments.Summary(writer, value.Doc + " (JSON \"" + value.JsonName + "\")");
            }

            writer.Line("public static readonly " + e.Name + " " + value.ClrName + " = new(" + CSharpText.Literal(value.JsonName) + ");");
        }
        writer.Line();
        // One-line members (a doc comment and a declaration each) follow each other without blank lines.
        writer.Line("/// <summary>The values this schema knows, in its order.</summary>");
        writer.Line("public static global::System.Collections.Generic.IReadOnlyList<" + e.Name + "> Values { get; } = new " + e.Name + "[] { " + string.Join(", ", e.Values.Select(v => v.ClrName)) + " };");
        writer.Line("/// <summary>True for a value this schema knows.</summary>");
        writer.Line("public bool IsKnown => Value switch { " + string.Join(" ", e.Values.Select(v => CSharpText.Literal(v.JsonName) + " => true,")) + " _ => false };");
        writer.Line("/// <summary>The value as it travels on the wire.</summary>");
        writer.Line("public override string ToString() => Value ?? string.Empty;");
        writer.Line("/// <summary>Any string is a value, known or not.</summary>");
        writer.Line("public static implicit operator " + e.Name + "(string value) => new(value);");
        writer.Line("/// <summary>Reads a JSON string.</summary>");
        writer.Line("public static " + e.Name + " Read(ref " + Json + ".Utf8JsonReader reader) => new(global::Qmp.Runtime.QmpJson.ReadString(ref reader));");
        writer.Line("/// <summary>Writes the value as a JSON string.</summary>");
        writer.Line("public static void Write(" + Json + ".Utf8JsonWriter writer, " + e.Name + " value) => writer.WriteStringValue(value.Value ?? string.Empty);");
        writer.Close();
    }

    /// <summary>Locals and pattern variables named after their member (<c>device</c>, not <c>p0</c>), clear of the method's own names.</summary>
    internal static string LocalOf(PropertySpec property) =>
        property.ParameterName.TrimStart('@') is "reader" or "writer" or "value" or "extra" or "key" or "pair" or "timestamp" or "global"
            ? property.ParameterName.TrimStart('@') + "Value"
            : property.ParameterName;

    internal static void WriteEventBase(SourceWriter writer, string stem)
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

    internal static void WriteRecord(SourceWriter writer, RecordSpec record, string stem)
    {
        var json = JsonClass(stem);
        // XML already: the spec builder escaped the schema's text (guessing by "<c>" here let a doc
        // that merely said "<c>" through as markup).
        if (!string.IsNullOrWhiteSpace(record.Summary))
        {
            DocComments.SummaryXml(writer, record.Summary!);
        }

        var isEvent = record.EventName is not null;
        writer.Open("public sealed partial record " + record.Name + (isEvent ? " : " + stem + "Event" : string.Empty));
        if (isEvent)
        {
            writer.Line("/// <summary>The wire name of this event.</summary>");
            writer.Line("public const string WireName = " + CSharpText.Literal(record.EventName!) + ";");
            writer.Line();
            writer.Line("/// <inheritdoc/>");
            writer.Line("public override string EventName => WireName;");
            writer.Line();
        }
        // @name in a member's doc: another member of this record (<see cref>).
        var references = XmlDocRenderer.MemberReferences(record.Name, record.Properties);
        foreach (var property in record.Properties)
        {
            DocComments.SummaryWithValues(writer, property.Doc, "(JSON <c>" + CSharpText.Xml(property.JsonName) + "</c>" + (property.Optional ? ", optional" : string.Empty) + ")", references);
            writer.Line("public " + (property.Optional ? string.Empty : "required ") + property.DeclaredType + " " + property.ClrName + " { get; init; }");
        }
        // The members are listed without blank lines between them (each begins with its doc comment), as a list.
        if (!record.Properties.IsEmpty)
        {
            writer.Line();
        }
        if (record.KeepsAdditionalProperties)
        {
            WriteAdditionalMembers(writer, record);
        }

        // Write
        writer.Line("/// <summary>Writes <paramref name=\"value\"/> as a JSON object.</summary>");
        writer.Open("public static void Write(" + Json + ".Utf8JsonWriter writer, " + record.Name + " value)");
        writer.Line(json + ".WriteStartObject(writer, value);");
        if (record.IsBranch)
        {
            writer.Line("WriteMembers(writer, value);");
            writer.Line("writer.WriteEndObject();");
            writer.Close();
            writer.Line();
            writer.Line("/// <summary>Writes the members of <paramref name=\"value\"/> into the object being written (a union's branch writes them beside the base's).</summary>");
            writer.Open("public static void WriteMembers(" + Json + ".Utf8JsonWriter writer, " + record.Name + " value)");
            writer.Line(json + ".CheckWrite(writer, value);");
        }
        foreach (var property in record.Properties)
        {
            WriteProperty(writer, property, json);
        }
        if (record.KeepsAdditionalProperties)
        {
            // After the declared members; a declared name among them is an error (it would be sent twice).
            writer.Line("global::Qmp.Runtime.QmpJson.WriteAdditional(writer, value.AdditionalProperties, " + CSharpText.Literal(record.Name) + ", " + IsDeclared(record) + ");");
        }
        if (!record.IsBranch)
        {
            writer.Line("writer.WriteEndObject();");
        }
        writer.Close();
        writer.Line();

        // Read
        writer.Line("/// <summary>Reads a JSON object; the reader is on its <c>{</c>. Members this schema does not know are " + (record.KeepsAdditionalProperties ? "kept in <see cref=\"AdditionalProperties\"/>" : "skipped") + ".</summary>");
        writer.Open("public static " + record.Name + " Read(ref " + Json + ".Utf8JsonReader reader" + (isEvent ? ", global::System.DateTimeOffset timestamp = default" : string.Empty) + ")");
        writer.Line(json + ".ExpectObject(ref reader);");
        foreach (var property in record.Properties)
        {
            writer.Line(property.Type.ClrType + "? " + LocalOf(property) + " = null;");
        }

        if (record.KeepsAdditionalProperties)
        {
            writer.Line(JsonObject + "? additional = null;");
        }

        writer.Open("while (reader.Read() && reader.TokenType != " + Json + ".JsonTokenType.EndObject)");
        var first = true;
        foreach (var property in record.Properties)
        {
            ReadMember(writer, property, first ? "if" : "else if", LocalOf(property), json);
            first = false;
        }
        if (record.KeepsAdditionalProperties)
        {
            writer.Line((first ? string.Empty : "else ") + "global::Qmp.Runtime.QmpJson.ReadAdditional(ref reader, additional ??= new());");
        }
        else if (first)
        {
            writer.Line("reader.Skip();");
        }
        else
        {
            writer.Line("else reader.Skip();");
        }
        writer.Close();
        writer.Open("return new " + record.Name);
        foreach (var property in record.Properties)
        {
            var local = LocalOf(property);
            writer.Line(property.ClrName + " = " + (property.Optional ? local : local + " ?? throw " + json + ".Missing(" + CSharpText.Literal(property.JsonName) + ")") + ",");
        }
        if (record.KeepsAdditionalProperties)
        {
            writer.Line("AdditionalProperties = additional ?? new(),");
        }

        if (isEvent)
        {
            writer.Line("Timestamp = timestamp,");
        }

        writer.Close("};");
        writer.Close();
        writer.Close();
    }

    private const string JsonObject = "global::System.Text.Json.Nodes.JsonObject";

    /// <summary>
    /// The bag of an open record (the members its schema does not name: <c>device_add</c>'s device
    /// properties), and the equality that goes with it: a <c>JsonObject</c> compares by reference, so the
    /// record's value equality compares the bags' JSON instead.
    /// </summary>
    private static void WriteAdditionalMembers(SourceWriter writer, RecordSpec record)
    {
        writer.Line("/// <summary>");
        writer.Line("/// Members the schema does not name (the object is open: QEMU takes more than it declares), as they");
        writer.Line("/// arrived, written after the declared ones: <c>AdditionalProperties = { [\"drive\"] = \"disk1\" }</c>. A name");
        writer.Line("/// declared above is refused on write (<see cref=\"global::System.ArgumentException\"/>).");
        writer.Line("/// </summary>");
        writer.Line("public " + JsonObject + " AdditionalProperties { get; init; } = new();");
        writer.Line();
        writer.Line("/// <summary>Equal members, <see cref=\"AdditionalProperties\"/> compared as JSON.</summary>");
        writer.Open("public bool Equals(" + record.Name + "? other)");
        // An event's base record compares what it holds (the timestamp) and the type.
        var terms = record.EventName is null
            ? new List<string> { "other is not null", "EqualityContract == other.EqualityContract" }
            : new List<string> { "base.Equals(other)" };
        foreach (var property in record.Properties)
        {
            terms.Add("global::System.Collections.Generic.EqualityComparer<" + property.DeclaredType + ">.Default.Equals(" + property.ClrName + ", other." + property.ClrName + ")");
        }
        terms.Add("global::Qmp.Runtime.QmpJson.SameAdditional(AdditionalProperties, other.AdditionalProperties)");
        writer.Line("return ReferenceEquals(this, other) || (" + string.Join(" && ", terms) + ");");
        writer.Close();
        writer.Line();
        writer.Line("/// <summary>A hash of the declared members (the bag's JSON does not take part).</summary>");
        writer.Open("public override int GetHashCode()");
        writer.Line("var hash = new global::System.HashCode();");
        foreach (var property in record.Properties)
        {
            writer.Line("hash.Add(" + property.ClrName + ");");
        }
        writer.Line("return hash.ToHashCode();");
        writer.Close();
        writer.Line();
    }

    /// <summary>A static lambda that is true for the record's declared JSON names.</summary>
    private static string IsDeclared(RecordSpec record) => record.Properties.IsEmpty
        ? "static _ => false"
        : "static name => name is " + string.Join(" or ", record.Properties.Select(p => CSharpText.Literal(p.JsonName)));

    /// <summary>
    /// One member of a reader's loop, on one line, the reader on the member's name: its value into
    /// <paramref name="target"/> through the runtime's <c>ReadMember</c> helpers, which take JSON
    /// <c>null</c> as absent (the target keeps what it had) and name the member in errors.
    /// </summary>
    internal static void ReadMember(SourceWriter writer, PropertySpec property, string keyword, string target, string json)
    {
        writer.Line(keyword + " (reader.ValueTextEquals(" + Utf8(property.JsonName) + ")) " + ReadMemberStatement(property.Type, property.JsonName, target, json));
    }

    /// <summary>The statement reading a member's value (the reader on its name) into <paramref name="target"/>.</summary>
    internal static string ReadMemberStatement(TypeRef type, string member, string target, string json)
    {
        var name = CSharpText.Literal(member);
        switch (type.Kind)
        {
            case ValueKind.String:
            case ValueKind.Number:
            case ValueKind.Bool:
            case ValueKind.Json:
                return json + ".ReadMember(ref reader, " + name + ", ref " + target + ");";
            case ValueKind.Int:
                return (type.Width is null ? json : QapiJson.Class) + ".ReadMember(ref reader, " + name + ", ref " + target + ");";
            case ValueKind.Enum:
                return json + ".ReadEnumMember(ref reader, " + name + ", ref " + target + ", " + type.RecordName + ".Read);";
            case ValueKind.List:
                return json + ".ReadListMember(ref reader, " + name + ", ref " + target + ", " + ReaderFor(type.Element!, json) + ");";
            case ValueKind.Object when !type.IsAlternate:
                return json + ".ReadObjectMember(ref reader, " + name + ", ref " + target + ", " + type.RecordName + ".Read);";
            case ValueKind.Object when type.AcceptsNull:
                // An alternate with a null branch reads JSON null as that branch, not as an absent member.
                return "{ reader.Read(); " + target + " = " + ReadExpression(type, json, member) + "; }";
            default:
                return target + " = " + json + ".NextIsNull(ref reader) ? " + target + " : " + ReadExpression(type, json, member) + ";";
        }
    }

    /// <summary>
    /// One member of a writer: a required one as the writer's own call (or the runtime's <c>WriteMember</c>),
    /// an optional one as one call to the runtime's <c>WriteOptional</c>, which writes nothing when it is not set.
    /// </summary>
    internal static void WriteProperty(SourceWriter writer, PropertySpec property, string json)
    {
        var name = Utf8(property.JsonName);
        var value = "value." + property.ClrName;
        if (!property.Optional)
        {
            WriteMember(writer, property.Type, name, value, json);
            return;
        }
        var type = property.Type;
        writer.Line(type.Kind switch
        {
            ValueKind.String or ValueKind.Number or ValueKind.Bool => json + ".WriteOptional(writer, " + name + ", " + value + ");",
            ValueKind.Int when type.Width is null => json + ".WriteOptional(writer, " + name + ", " + value + ");",
            ValueKind.List => json + ".WriteOptionalList(writer, " + name + ", " + value + ", " + WriterFor(type.Element!, json) + ");",
            _ => json + ".WriteOptional(writer, " + name + ", " + value + ", " + WriterFor(type, json) + ");",
        });
    }

    internal static void WriteMember(SourceWriter writer, TypeRef type, string name, string value, string json)
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
            case ValueKind.List:
                writer.Line(json + ".WriteList(writer, " + name + ", " + value + ", " + WriterFor(type.Element!, json) + ");");
                break;
            default:
                // One statement (the runtime's WriteMember: name, then value).
                writer.Line(json + ".WriteMember(writer, " + name + ", " + value + ", " + WriterFor(type, json) + ");");
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
        ValueKind.Int => type.Width is null ? json + ".WriteInt64" : QapiJson.Writer(type.Width),
        ValueKind.Number => json + ".WriteDouble",
        ValueKind.Bool => json + ".WriteBoolean",
        ValueKind.Json => json + ".WriteElement",
        ValueKind.Object or ValueKind.Enum => type.RecordName + ".Write",
        _ => "static (" + Json + ".Utf8JsonWriter w, " + type.ClrType + " v) => " + json + ".WriteList(w, v, " + WriterFor(type.Element!, json) + ")",
    };

    /// <summary>A <c>QmpJsonReader&lt;T&gt;</c>-compatible expression for <paramref name="type"/>.</summary>
    public static string ReaderFor(TypeRef type, string json) => type.Kind switch
    {
        ValueKind.String => json + ".ReadString",
        ValueKind.Int => type.Width is null ? json + ".ReadInt64" : QapiJson.Reader(type.Width),
        ValueKind.Number => json + ".ReadDouble",
        ValueKind.Bool => json + ".ReadBoolean",
        ValueKind.Json => json + ".ReadElement",
        ValueKind.Object or ValueKind.Enum => type.RecordName + ".Read",
        _ => "static (ref " + Json + ".Utf8JsonReader r) => " + json + ".ReadList(ref r, " + ReaderFor(type.Element!, json) + ")",
    };

    /// <summary>
    /// How a member's value is read. The member's name goes along so a value of the wrong JSON type
    /// fails as QEMU 2.1's QAPI input visitor words it: <c>Invalid parameter type for 'device', expected: string</c>.
    /// </summary>
    internal static string ReadExpression(TypeRef type, string json, string member) => type.Kind switch
    {
        ValueKind.String => json + ".ReadString(ref reader, " + CSharpText.Literal(member) + ")",
        ValueKind.Int => (type.Width is null ? json + ".ReadInt64" : QapiJson.Reader(type.Width)) + "(ref reader, " + CSharpText.Literal(member) + ")",
        ValueKind.Number => json + ".ReadDouble(ref reader, " + CSharpText.Literal(member) + ")",
        ValueKind.Bool => json + ".ReadBoolean(ref reader, " + CSharpText.Literal(member) + ")",
        ValueKind.Json => Json + ".JsonElement.ParseValue(ref reader)",
        ValueKind.Object when type.IsAlternate => type.RecordName + ".Read(ref reader, " + CSharpText.Literal(member) + ")",
        ValueKind.Object => json + ".ReadObject(ref reader, " + CSharpText.Literal(member) + ", " + type.RecordName + ".Read)",
        ValueKind.Enum => "new " + type.RecordName + "(" + json + ".ReadString(ref reader, " + CSharpText.Literal(member) + "))",
        _ => json + ".ReadList(ref reader, " + CSharpText.Literal(member) + ", " + ReaderFor(type.Element!, json) + ")",
    };

    private static string Utf8(string text) => CSharpText.Literal(text) + "u8";
}
