using System.Text.Encodings.Web;
using System.Text.Json;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Cli;

/// <summary>
/// Writes a <see cref="SchemaModel"/> as the JSON of the <c>qmp-codegen model</c> contract. Other
/// tools depend on these member names; change them only with the contract. The members that
/// describe what QMP carries (each command's <c>returns</c>, the named <c>types</c>) come from the
/// QMP schema model (<see cref="QmpSchema"/>); the rest describe the .hx text as it was read.
/// </summary>
internal static class ModelJsonWriter
{
    public static void Write(Stream output, SchemaModel model, QmpSchema schema)
    {
        var returns = schema.Commands.GroupBy(c => c.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Returns, StringComparer.Ordinal);
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
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
        WriteTypes(writer, schema);
        writer.WriteStartArray("diagnostics");
        foreach (var diagnostic in model.Diagnostics)
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
                        writer.WriteBoolean("implicit", true);
                    if (o.AcceptsAnyMember)
                        writer.WriteBoolean("open", true);
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
                        writer.WriteStringValue(value.Name);
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
            writer.WriteString("clrType", argument.ClrType);
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
                writer.WriteString("caption", example.Caption);
            WriteJson(writer, "request", example.Request);
            WriteJson(writer, "reply", example.Reply);
            writer.WriteBoolean("repaired", example.Repaired);
            if (example.Repaired)
            {
                writer.WriteStartArray("repairs");
                foreach (var repair in example.Repairs)
                    writer.WriteStringValue(repair);
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
            writer.WriteNullValue();
        else
            writer.WriteRawValue(json, skipInputValidation: false);
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
