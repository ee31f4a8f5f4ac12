using System.Text.Encodings.Web;
using System.Text.Json;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Cli;

/// <summary>
/// Writes what <see cref="SchemaInput.Read"/> gave as the JSON of the <c>qmp-codegen model</c>
/// contract, one shape for every input (.hx, QAPI, saved answer). Other tools depend on these member
/// names; change them only with the contract. What QMP carries (commands, their arguments, each
/// command's <c>returns</c>, events, the named <c>types</c>) comes from the QMP schema model
/// (<see cref="QmpSchema"/>). For .hx input, the members that describe the .hx text as it was read
/// (<c>args_type</c> codes, the doc blocks' own member lists and type words) come from its table
/// records; for QAPI and a saved answer, where there is no such text, <c>code</c> and
/// <c>argsType</c> are null and <c>doc</c> is the QAPI doc in the same shape.
/// </summary>
internal static class ModelJsonWriter
{
    public static void Write(Stream output, SchemaReadResult read)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        writer.WriteString("kind", read.Kind switch
        {
            SchemaInputKind.Hx => "hx",
            SchemaInputKind.Qapi => "qapi",
            _ => "introspection",
        });
        if (read.Hx is { } hx)
        {
            WriteHxEntries(writer, hx, read.Schema);
        }
        else
        {
            WriteEntries(writer, read.Schema);
        }

        WriteTypes(writer, read.Schema);
        writer.WriteStartArray("diagnostics");
        foreach (var diagnostic in read.Diagnostics)
        {
            writer.WriteStartObject();
            writer.WriteString("id", diagnostic.Id);
            writer.WriteString("severity", diagnostic.Severity.ToString().ToLowerInvariant());
            writer.WriteString("path", diagnostic.Location.Path);
            writer.WriteNumber("line", diagnostic.Location.Line);
            writer.WriteNumber("column", diagnostic.Location.Column);
            writer.WriteString("message", diagnostic.Message);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Commands, events and prose of .hx input: its table records and doc blocks as read.</summary>
    private static void WriteHxEntries(Utf8JsonWriter writer, SchemaModel model, QmpSchema schema)
    {
        var returns = schema.Commands.GroupBy(c => c.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Returns, StringComparer.Ordinal);
        writer.WriteStartArray("commands");
        foreach (var command in model.Commands)
        {
            writer.WriteStartObject();
            writer.WriteString("name", command.Name);
            writer.WriteString("condition", command.Condition);
            writer.WriteBoolean("async", command.Async);
            writer.WriteString("argsType", command.ArgsType);
            WriteArguments(writer, command.Arguments);
            WriteDoc(writer, command.Doc);
            // The type of the reply's "return" (QAPI spelling, [T] for an array); null for {}.
            writer.WriteString("returns", returns.TryGetValue(command.Name, out var type) ? type?.ToString() : null);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteStartArray("events");
        foreach (var @event in model.Events)
        {
            writer.WriteStartObject();
            writer.WriteString("name", @event.Name);
            writer.WriteString("condition", @event.Condition);
            WriteArguments(writer, @event.Data, "data");
            WriteDoc(writer, @event.Doc);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteStartArray("prose");
        foreach (var prose in model.Prose)
        {
            writer.WriteStartObject();
            writer.WriteString("title", prose.Title);
            writer.WriteString("text", prose.Text);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    /// <summary>Commands, events and prose of QAPI input or a saved answer, from the QMP schema model alone.</summary>
    private static void WriteEntries(Utf8JsonWriter writer, QmpSchema schema)
    {
        var index = new SchemaIndex(schema);
        writer.WriteStartArray("commands");
        foreach (var command in schema.Commands)
        {
            writer.WriteStartObject();
            writer.WriteString("name", command.Name);
            writer.WriteString("condition", command.Condition?.ToString());
            writer.WriteBoolean("async", false);
            writer.WriteNull("argsType");
            var arguments = Members(index, command.Arguments);
            WriteMembers(writer, "arguments", arguments);
            WriteDoc(writer, command.Name, command.Doc, arguments);
            writer.WriteString("returns", command.Returns?.ToString());
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteStartArray("events");
        foreach (var @event in schema.Events)
        {
            writer.WriteStartObject();
            writer.WriteString("name", @event.Name);
            writer.WriteString("condition", @event.Condition?.ToString());
            var data = Members(index, @event.Data);
            WriteMembers(writer, "data", data);
            WriteDoc(writer, @event.Name, @event.Doc, data);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteStartArray("prose");
        foreach (var prose in schema.Prose)
        {
            writer.WriteStartObject();
            writer.WriteString("title", prose.Heading);
            writer.WriteString("text", prose.Text);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    /// <summary>The members of an arguments or data type, its bases' first; none for a type that is not an object (a boxed union's branches stay in <c>types</c>).</summary>
    private static IReadOnlyList<SchemaMember> Members(SchemaIndex index, SchemaTypeRef? type) =>
        type is null || type.IsArray || index.ObjectType(type.Name) is not { } o ? Array.Empty<SchemaMember>() : index.AllMembers(o);

    /// <summary>Arguments as the .hx input writes them, with no <c>args_type</c> code.</summary>
    private static void WriteMembers(Utf8JsonWriter writer, string name, IReadOnlyList<SchemaMember> members)
    {
        writer.WriteStartArray(name);
        foreach (var member in members)
        {
            writer.WriteStartObject();
            writer.WriteString("name", member.Name);
            writer.WriteNull("code");
            writer.WriteBoolean("optional", member.Optional);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    /// <summary>A QAPI doc in the shape of an .hx doc block: its body, its members' docs, Returns, examples and notes.</summary>
    private static void WriteDoc(Utf8JsonWriter writer, string name, SchemaDoc? doc, IReadOnlyList<SchemaMember> members)
    {
        if (doc is null)
        {
            writer.WriteNull("doc");
            return;
        }
        writer.WriteStartObject("doc");
        writer.WriteString("title", name);
        writer.WriteString("description", doc.Body);
        writer.WriteStartArray("arguments");
        foreach (var member in members.Where(m => m.Doc is not null))
        {
            writer.WriteStartObject();
            writer.WriteString("name", member.Name);
            writer.WriteString("type", member.Type.ToString());
            writer.WriteBoolean("optional", member.Optional);
            writer.WriteString("description", member.Doc);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        if (doc.Section(SchemaDoc.Returns) is { } returns)
        {
            writer.WriteStartObject("returns");
            writer.WriteString("description", returns);
            writer.WriteStartArray("members");
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("returns");
        }
        writer.WriteStartArray("examples");
        foreach (var example in doc.Examples)
        {
            writer.WriteStartObject();
            if (example.Caption is not null)
            {
                writer.WriteString("caption", example.Caption);
            }

            WriteJson(writer, "request", example.Messages.FirstOrDefault(m => m.Direction == ExampleDirection.ToServer)?.Json);
            WriteJson(writer, "reply", example.Messages.FirstOrDefault(m => m.Direction == ExampleDirection.FromServer)?.Json);
            var repairs = example.Messages.SelectMany(m => m.Repairs).ToList();
            writer.WriteBoolean("repaired", repairs.Count > 0);
            if (repairs.Count > 0)
            {
                writer.WriteStartArray("repairs");
                foreach (var repair in repairs)
                {
                    writer.WriteStringValue(repair);
                }

                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        var notes = doc.Sections.Where(s => s.Tag.StartsWith(SchemaDoc.Note, StringComparison.Ordinal)).Select(s => s.Text).ToList();
        writer.WriteString("notes", notes.Count == 0 ? null : string.Join("\n\n", notes));
        writer.WriteEndObject();
    }

    /// <summary>Every named type: objects with their members, enums with their values.</summary>
    private static void WriteTypes(Utf8JsonWriter writer, QmpSchema schema)
    {
        writer.WriteStartArray("types");
        foreach (var type in schema.Types)
        {
            writer.WriteStartObject();
            writer.WriteString("name", type.Name);
            writer.WriteString("kind", type.MetaType);
            switch (type)
            {
                case SchemaObjectType o:
                    if (o.IsImplicit)
                    {
                        writer.WriteBoolean("implicit", true);
                    }

                    if (o.AcceptsAnyMember)
                    {
                        writer.WriteBoolean("open", true);
                    }

                    writer.WriteStartArray("members");
                    foreach (var member in o.Members)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("name", member.Name);
                        writer.WriteString("type", member.Type.ToString());
                        writer.WriteBoolean("optional", member.Optional);
                        writer.WriteEndObject();
                    }
                    writer.WriteEndArray();
                    break;
                case SchemaEnumType e:
                    writer.WriteStartArray("values");
                    foreach (var value in e.Values)
                    {
                        writer.WriteStringValue(value.Name);
                    }

                    writer.WriteEndArray();
                    break;
                case SchemaAlternateType a:
                    writer.WriteStartArray("members");
                    foreach (var branch in a.Branches)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("name", branch.Name);
                        writer.WriteString("type", branch.Type.ToString());
                        writer.WriteEndObject();
                    }
                    writer.WriteEndArray();
                    break;
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    private static void WriteArguments(Utf8JsonWriter writer, Helpers.EquatableArray<ArgumentSpec> arguments, string name = "arguments")
    {
        writer.WriteStartArray(name);
        foreach (var argument in arguments)
        {
            writer.WriteStartObject();
            writer.WriteString("name", argument.Name);
            writer.WriteString("code", argument.Code);
            writer.WriteBoolean("optional", argument.Optional);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    private static void WriteDoc(Utf8JsonWriter writer, DocBlock? doc)
    {
        if (doc is null)
        {
            writer.WriteNull("doc");
            return;
        }
        writer.WriteStartObject("doc");
        writer.WriteString("title", doc.Title);
        writer.WriteString("description", doc.Description);
        writer.WritePropertyName("arguments");
        WriteMembers(writer, doc.Arguments);
        if (doc.Returns is null)
        {
            writer.WriteNull("returns");
        }
        else
        {
            writer.WriteStartObject("returns");
            writer.WriteString("description", doc.Returns.Description);
            writer.WritePropertyName("members");
            WriteMembers(writer, doc.Returns.Members);
            writer.WriteEndObject();
        }
        writer.WriteStartArray("examples");
        foreach (var example in doc.Examples)
        {
            writer.WriteStartObject();
            if (example.Caption is not null)
            {
                writer.WriteString("caption", example.Caption);
            }

            WriteJson(writer, "request", example.Request);
            WriteJson(writer, "reply", example.Reply);
            writer.WriteBoolean("repaired", example.Repaired);
            if (example.Repaired)
            {
                writer.WriteStartArray("repairs");
                foreach (var repair in example.Repairs)
                {
                    writer.WriteStringValue(repair);
                }

                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteString("notes", doc.Notes);
        writer.WriteEndObject();
    }

    private static void WriteJson(Utf8JsonWriter writer, string name, string? json)
    {
        writer.WritePropertyName(name);
        if (json is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(json, skipInputValidation: false);
        }
    }

    private static void WriteMembers(Utf8JsonWriter writer, Helpers.EquatableArray<DocMember> members)
    {
        writer.WriteStartArray();
        foreach (var member in members)
        {
            writer.WriteStartObject();
            writer.WriteString("name", member.Name);
            writer.WriteString("type", member.Type);
            writer.WriteBoolean("optional", member.Optional);
            writer.WriteString("description", member.Description);
            if (!member.Members.IsEmpty)
            {
                writer.WritePropertyName("members");
                WriteMembers(writer, member.Members);
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }
}
