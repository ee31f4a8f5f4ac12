using System.Text;
using System.Text.Json;

namespace Qmp.Runtime.Introspection;

/// <summary>
/// Reads <c>query-qmp-schema</c>'s answer with one forward pass of <see cref="Utf8JsonReader"/>
/// (7.2's 207 KB in about a millisecond). Accepted: the array of <c>SchemaInfo</c> itself, the whole reply
/// <c>{"return": [...]}</c>, or a file <c>qmp-codegen introspect</c> saved
/// (<c>{"query-version": {...}, "query-qmp-schema": [...]}</c>).
/// What a newer QEMU may add is never an error: unknown keys are skipped, an unknown meta-type
/// becomes a <see cref="SchemaInfoUnknown"/>. What no QEMU sends is a <see cref="FormatException"/>
/// naming the entry: invalid JSON, an entry without <c>name</c> or <c>meta-type</c>, a required key
/// of a known meta-type missing or of the wrong JSON type. The nesting limit is
/// <see cref="JsonReaderOptions.MaxDepth"/>'s default (64; a schema needs 5).
/// </summary>
public static class SchemaInfoReader
{
    private static readonly byte[] ReturnKey = "return"u8.ToArray();

    /// <summary>Reads a schema from UTF-8 JSON text.</summary>
    public static SchemaInfo Read(ReadOnlySpan<byte> utf8Json) => Read(utf8Json, out _);

    /// <summary>Reads a schema, and the <c>query-version</c> answer when the text is a saved file that has one.</summary>
    public static SchemaInfo Read(ReadOnlySpan<byte> utf8Json, out QmpVersion? version)
    {
        version = null;
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            Next(ref reader);
            SchemaInfo? schema = null;
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                schema = ReadEntries(ref reader);
            }
            else if (reader.TokenType == JsonTokenType.StartObject)
            {
                while (Next(ref reader) == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals(ReturnKey) || reader.ValueTextEquals("query-qmp-schema"u8))
                    {
                        Expect(ref reader, JsonTokenType.StartArray, "the schema");
                        schema = ReadEntries(ref reader);
                    }
                    else if (reader.ValueTextEquals("query-version"u8))
                    {
                        Next(ref reader);
                        version = ReadVersion(ref reader);
                    }
                    else
                    {
                        Next(ref reader);
                        reader.Skip();
                    }
                }
            }
            if (schema is null)
            {
                throw new FormatException("Expected query-qmp-schema's array of SchemaInfo, its reply {\"return\": [...]}, or a saved {\"query-qmp-schema\": [...]}.");
            }

            // Anything after the value is an error: half a file is not a schema.
            if (reader.Read())
            {
                throw new FormatException("Unexpected JSON after the schema.");
            }

            return schema;
        }
        catch (JsonException e)
        {
            throw new FormatException("The schema is not valid JSON: " + e.Message, e);
        }
    }

    /// <summary>Reads a schema from JSON text.</summary>
    public static SchemaInfo Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Read(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>
    /// Reads the array of <c>SchemaInfo</c> the reader is positioned on (its <c>[</c>), leaving it on
    /// the closing <c>]</c>; as a <see cref="QmpJsonReader{T}"/> it reads a reply's <c>return</c> in place.
    /// </summary>
    public static SchemaInfo ReadEntries(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new FormatException("Expected the array of SchemaInfo, found " + reader.TokenType + ".");
        }

        var entries = new List<SchemaInfoEntry>(1100);
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new FormatException("Entry " + entries.Count + " of the schema is not an object.");
            }

            entries.Add(ReadEntry(ref reader, entries.Count));
        }

        return new SchemaInfo(entries);
    }

    private static SchemaInfoEntry ReadEntry(ref Utf8JsonReader reader, int index)
    {
        string? name = null, metaType = null, jsonType = null, elementType = null, argType = null, retType = null, tag = null, condition = null;
        var allowOob = false;
        IReadOnlyList<string>? features = null;
        List<SchemaInfoEnumMember>? enumMembers = null;
        List<string>? values = null;
        List<SchemaInfoObjectMember>? objectMembers = null;
        List<string>? alternateMembers = null;
        List<SchemaInfoVariant>? variants = null;
        // "members" means three things; its shape is known only from "meta-type", which may come later,
        // so it is read by the shape of its first element: {"name", "type"} object, {"name"} enum, {"type"} alternate.
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var key = reader.ValueSpan;
            Next(ref reader);
            if (key.SequenceEqual("name"u8))
            {
                name = String(ref reader, "name", index, null);
            }
            else if (key.SequenceEqual("meta-type"u8))
            {
                metaType = String(ref reader, "meta-type", index, name);
            }
            else if (key.SequenceEqual("members"u8))
            {
                ReadMembers(ref reader, index, name, ref enumMembers, ref objectMembers, ref alternateMembers);
            }
            else if (key.SequenceEqual("arg-type"u8))
            {
                argType = String(ref reader, "arg-type", index, name);
            }
            else if (key.SequenceEqual("ret-type"u8))
            {
                retType = String(ref reader, "ret-type", index, name);
            }
            else if (key.SequenceEqual("element-type"u8))
            {
                elementType = String(ref reader, "element-type", index, name);
            }
            else if (key.SequenceEqual("json-type"u8))
            {
                jsonType = String(ref reader, "json-type", index, name);
            }
            else if (key.SequenceEqual("tag"u8))
            {
                tag = String(ref reader, "tag", index, name);
            }
            else if (key.SequenceEqual("variants"u8))
            {
                variants = ReadVariants(ref reader, index, name);
            }
            else if (key.SequenceEqual("values"u8))
            {
                values = Strings(ref reader, "values", index, name);
            }
            else if (key.SequenceEqual("features"u8))
            {
                features = Strings(ref reader, "features", index, name);
            }
            else if (key.SequenceEqual("if"u8))
            {
                condition = Condition(ref reader);
            }
            else if (key.SequenceEqual("allow-oob"u8))
            {
                allowOob = reader.TokenType == JsonTokenType.True;
                if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                {
                    throw Bad(index, name, "'allow-oob' is not a boolean");
                }
            }
            else
            {
                reader.Skip();
            }
        }

        if (name is null)
        {
            throw Bad(index, null, "it has no 'name'");
        }

        if (metaType is null)
        {
            throw Bad(index, name, "it has no 'meta-type'");
        }

        switch (metaType)
        {
            case SchemaMetaType.Builtin:
                return new SchemaInfoBuiltin(name, jsonType ?? throw Missing(index, name, "json-type"), features) { Condition = condition };
            case SchemaMetaType.Enum:
                if (enumMembers is null && values is not null)
                {
                    // Before QEMU 6.2 an enum had only "values".
                    enumMembers = values.ConvertAll(v => new SchemaInfoEnumMember(v));
                }

                if (enumMembers is null && objectMembers is null && alternateMembers is null && values is null)
                {
                    throw Missing(index, name, "members");
                }

                return new SchemaInfoEnum(name, enumMembers ?? [], features) { Condition = condition };
            case SchemaMetaType.Array:
                return new SchemaInfoArray(name, elementType ?? throw Missing(index, name, "element-type"), features) { Condition = condition };
            case SchemaMetaType.Object:
                if (enumMembers is { Count: > 0 } || alternateMembers is { Count: > 0 })
                {
                    throw Bad(index, name, "an object member lacks 'name' or 'type'");
                }

                if (objectMembers is null && enumMembers is null && alternateMembers is null)
                {
                    throw Missing(index, name, "members");
                }

                if ((tag is null) != (variants is null))
                {
                    throw Bad(index, name, "'tag' and 'variants' come together");
                }

                return new SchemaInfoObject(name, objectMembers ?? [], tag, variants, features) { Condition = condition };
            case SchemaMetaType.Alternate:
                if (alternateMembers is null)
                {
                    throw Missing(index, name, "members");
                }

                return new SchemaInfoAlternate(name, alternateMembers, features) { Condition = condition };
            case SchemaMetaType.Command:
                return new SchemaInfoCommand(name, argType ?? throw Missing(index, name, "arg-type"),
                    retType ?? throw Missing(index, name, "ret-type"), allowOob, features)
                { Condition = condition };
            case SchemaMetaType.Event:
                return new SchemaInfoEvent(name, argType ?? throw Missing(index, name, "arg-type"), features) { Condition = condition };
            default:
                return new SchemaInfoUnknown(name, metaType, features) { Condition = condition };
        }
    }

    private static void ReadMembers(ref Utf8JsonReader reader, int index, string? name,
        ref List<SchemaInfoEnumMember>? enumMembers, ref List<SchemaInfoObjectMember>? objectMembers, ref List<string>? alternateMembers)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Bad(index, name, "'members' is not an array");
        }

        enumMembers = null;
        objectMembers = null;
        alternateMembers = null;
        var empty = true;
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            empty = false;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Bad(index, name, "a member is not an object");
            }

            string? memberName = null, type = null, memberCondition = null;
            var optional = false;
            IReadOnlyList<string>? features = null;
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                var key = reader.ValueSpan;
                Next(ref reader);
                if (key.SequenceEqual("name"u8))
                {
                    memberName = String(ref reader, "members/name", index, name);
                }
                else if (key.SequenceEqual("type"u8))
                {
                    type = String(ref reader, "members/type", index, name);
                }
                else if (key.SequenceEqual("default"u8))
                {
                    optional = true;
                    reader.Skip();
                }
                else if (key.SequenceEqual("features"u8))
                {
                    features = Strings(ref reader, "members/features", index, name);
                }
                else if (key.SequenceEqual("if"u8))
                {
                    memberCondition = Condition(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }

            if (memberName is not null && type is not null)
            {
                (objectMembers ??= []).Add(new SchemaInfoObjectMember(memberName, type, optional, features) { Condition = memberCondition });
            }
            else if (memberName is not null)
            {
                (enumMembers ??= []).Add(new SchemaInfoEnumMember(memberName, features) { Condition = memberCondition });
            }
            else if (type is not null)
            {
                (alternateMembers ??= []).Add(type);
            }
            else
            {
                throw Bad(index, name, "a member has neither 'name' nor 'type'");
            }
        }

        if (empty)
        {
            // An empty list is valid for an object (q_empty) and an enum alike.
            objectMembers = [];
            enumMembers = [];
        }
        else if ((objectMembers is null ? 0 : 1) + (enumMembers is null ? 0 : 1) + (alternateMembers is null ? 0 : 1) > 1)
        {
            throw Bad(index, name, "its members are of mixed kinds");
        }
    }

    private static List<SchemaInfoVariant> ReadVariants(ref Utf8JsonReader reader, int index, string? name)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Bad(index, name, "'variants' is not an array");
        }

        var list = new List<SchemaInfoVariant>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Bad(index, name, "a variant is not an object");
            }

            string? @case = null, type = null, variantCondition = null;
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                var key = reader.ValueSpan;
                Next(ref reader);
                if (key.SequenceEqual("case"u8))
                {
                    @case = String(ref reader, "variants/case", index, name);
                }
                else if (key.SequenceEqual("type"u8))
                {
                    type = String(ref reader, "variants/type", index, name);
                }
                else if (key.SequenceEqual("if"u8))
                {
                    variantCondition = Condition(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }

            if (@case is null || type is null)
            {
                throw Bad(index, name, "a variant lacks 'case' or 'type'");
            }

            list.Add(new SchemaInfoVariant(@case, type) { Condition = variantCondition });
        }

        return list;
    }

    private static QmpVersion? ReadVersion(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        int major = 0, minor = 0, micro = 0;
        var package = "";
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("qemu"u8))
            {
                Next(ref reader);
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (Next(ref reader) == JsonTokenType.PropertyName)
                {
                    var which = reader.ValueTextEquals("major"u8) ? 0 : reader.ValueTextEquals("minor"u8) ? 1 : reader.ValueTextEquals("micro"u8) ? 2 : -1;
                    Next(ref reader);
                    if (which < 0 || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var n))
                    {
                        reader.Skip();
                        continue;
                    }

                    if (which == 0)
                    {
                        major = n;
                    }
                    else if (which == 1)
                    {
                        minor = n;
                    }
                    else
                    {
                        micro = n;
                    }
                }
            }
            else if (reader.ValueTextEquals("package"u8))
            {
                Next(ref reader);
                if (reader.TokenType == JsonTokenType.String)
                {
                    package = Text(ref reader, -1, "query-version");
                }
                else
                {
                    reader.Skip();
                }
            }
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }

        return new QmpVersion(major, minor, micro, package);
    }

    private static List<string> Strings(ref Utf8JsonReader reader, string what, int index, string? name)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Bad(index, name, "'" + what + "' is not an array");
        }

        var list = new List<string>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            list.Add(String(ref reader, what, index, name));
        }

        return list;
    }

    /// <summary>
    /// A client description's <c>"if"</c> (QEMU's answer has none): a string, or null and skipped
    /// when it is anything else, as any key this reader does not know.
    /// </summary>
    private static string? Condition(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }

    private static string String(ref Utf8JsonReader reader, string what, int index, string? name)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Bad(index, name, "'" + what + "' is not a string");
        }

        return Text(ref reader, index, name);
    }

    private static string Text(ref Utf8JsonReader reader, int index, string? name)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            // A string that is not valid UTF-8.
            throw new FormatException(Bad(index, name, "a string is not valid UTF-8").Message, e);
        }
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new FormatException("The schema ends early.");
        }

        return reader.TokenType;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what)
    {
        if (Next(ref reader) != type)
        {
            throw new FormatException("Expected " + what + " to be " + (type == JsonTokenType.StartArray ? "an array" : type.ToString()) + ".");
        }
    }

    private static FormatException Missing(int index, string name, string key) => Bad(index, name, "it has no '" + key + "'");

    private static FormatException Bad(int index, string? name, string why) =>
        new("Schema entry " + index + (name is null ? "" : " ('" + name + "')") + " is malformed: " + why + ".");
}
