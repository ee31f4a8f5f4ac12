using System.Globalization;
using System.Text;
using System.Text.Json;
using Qmp.Codegen.Schema;
using Qmp.Runtime;
using Qmp.Runtime.Introspection;
using QmpShell.Qemu;

namespace QmpShell;

/// <summary>
/// How an event is printed: <c>event STOP at 12:00:01.123 {}</c>. With QEMU 2.1's table the data
/// follows as JSON, checked by the generated client's typed events. With a learned schema, an event
/// whose data has members is printed member by member under its name, each with its type
/// (<c>- reason (enum): "host-qmp-system-reset"</c>), nested objects indented, and what does not
/// match the schema (a required member missing, a member it lacks, a value of the wrong JSON type
/// or not among an enum's values) is said on the first line. Events the schema does not know are
/// marked, with their data as JSON.
/// </summary>
internal static class EventText
{
    /// <summary>How deep nested objects of an event's data are printed member by member; deeper ones are one line of JSON.</summary>
    public const int MaxNesting = 4;

    /// <summary>The most member lines one event prints; the rest is left out, and said so.</summary>
    public const int MaxMemberLines = 200;

    public static string Format(QmpEvent qmpEvent, CommandCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(qmpEvent);
        ArgumentNullException.ThrowIfNull(catalog);
        var time = qmpEvent.Timestamp.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        if (!catalog.IsLearned)
        {
            var typed = QemuEvents.Parse(qmpEvent);
            var note = typed is UntypedQemuEvent
                ? QemuEvents.Names.Contains(qmpEvent.Name) ? " (data not as the schema says)" : " (not in the schema)"
                : "";
            return $"event {typed.EventName} at {time} {JsonText.OneLine(qmpEvent.Data)}{note}";
        }

        var name = TerminalText.Escape(qmpEvent.Name);
        if (catalog.FindEvent(qmpEvent.Name) is not { } known)
        {
            return $"event {name} at {time} {JsonText.OneLine(qmpEvent.Data)} (not in the schema)";
        }

        var type = catalog.ObjectType(known.Data);
        var data = qmpEvent.Data is { ValueKind: JsonValueKind.Object } d ? d : (JsonElement?)null;
        var hasMembers = data is { } obj && obj.EnumerateObject().Any();
        if (!hasMembers)
        {
            var missing = type is null ? [] : catalog.MembersOf(type).Where(m => !m.Optional).Select(m => $"'{m.Name}' missing").ToList();
            if (qmpEvent.Data is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Undefined) })
            {
                missing.Insert(0, "data is not an object");
            }

            return $"event {name} at {time} {JsonText.OneLine(qmpEvent.Data)}{Problems(missing)}";
        }

        var lines = new StringBuilder();
        var problems = new List<string>();
        var budget = MaxMemberLines;
        Members(lines, problems, catalog, data!.Value, type, "  ", "", 0, ref budget);
        return $"event {name} at {time}{Problems(problems)}\n{lines.ToString().TrimEnd('\n')}";
    }

    private static string Problems(List<string> problems) => problems.Count switch
    {
        0 => "",
        _ => " (data not as the schema says: " + string.Join(", ", problems.Take(3)) + (problems.Count > 3 ? $", and {problems.Count - 3} more" : "") + ")",
    };

    /// <summary>The members of <paramref name="value"/> by <paramref name="type"/> (null: none known), then those the schema lacks.</summary>
    private static void Members(StringBuilder lines, List<string> problems, CommandCatalog catalog, JsonElement value, SchemaObjectType? type,
        string indent, string path, int depth, ref int budget)
    {
        var members = new List<SchemaMember>();
        if (type is not null)
        {
            members.AddRange(catalog.MembersOf(type));
            // A union's branch adds its members once the tag says which.
            if (type.Variants is { } variants && value.TryGetProperty(variants.Tag, out var tag) && tag.ValueKind == JsonValueKind.String)
            {
                var common = members.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
                members.AddRange(catalog.Index.BranchMembers(type, tag.GetString()!).Where(m => !common.Contains(m.Name)));
            }
        }

        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            known.Add(member.Name);
            var where = path + member.Name;
            if (!value.TryGetProperty(member.Name, out var v))
            {
                if (!member.Optional)
                {
                    problems.Add($"'{where}' missing");
                }

                continue;
            }

            if (!Matches(catalog, v, member.Type))
            {
                problems.Add($"'{where}' is not {catalog.DisplayType(member.Type)}");
            }

            var nested = catalog.ObjectType(member.Type) is { } o && !member.Type.IsArray && v.ValueKind == JsonValueKind.Object && depth < MaxNesting ? o : null;
            if (!Line(lines, indent, member.Name, catalog.DisplayType(member.Type), nested is null ? v : null, ref budget))
            {
                return;
            }

            if (nested is not null)
            {
                Members(lines, problems, catalog, v, nested, indent + "  ", where + ".", depth + 1, ref budget);
            }
        }

        foreach (var property in value.EnumerateObject())
        {
            if (known.Contains(property.Name))
            {
                continue;
            }

            problems.Add($"'{TerminalText.Escape(path + property.Name)}' not in the schema");
            if (!Line(lines, indent, TerminalText.Escape(property.Name), "not in the schema", property.Value, ref budget))
            {
                return;
            }
        }
    }

    /// <summary>One member's line (its value, or nothing when its members follow); false once <see cref="MaxMemberLines"/> are written.</summary>
    private static bool Line(StringBuilder lines, string indent, string name, string type, JsonElement? value, ref int budget)
    {
        if (budget <= 0)
        {
            if (budget == 0)
            {
                lines.Append(indent).Append("... (more members left out)\n");
                budget--;
            }

            return false;
        }

        budget--;
        lines.Append(indent).Append("- ").Append(name).Append(" (").Append(type).Append(')');
        lines.Append(value is { } v ? ": " + JsonText.OneLine(v) : ":").Append('\n');
        return true;
    }

    /// <summary>Whether <paramref name="value"/> has the JSON type of <paramref name="type"/> (an enum's value among its values).</summary>
    private static bool Matches(CommandCatalog catalog, JsonElement value, SchemaTypeRef type)
    {
        if (type.IsArray)
        {
            return value.ValueKind == JsonValueKind.Array;
        }

        switch (catalog.Index.Type(type.Name))
        {
            case SchemaEnumType e:
                return value.ValueKind == JsonValueKind.String && e.Values.Any(x => x.Name == value.GetString());
            case SchemaObjectType:
                return value.ValueKind == JsonValueKind.Object;
            case SchemaAlternateType a:
                // No alternate inside another (QAPI), so this recursion is one level deep.
                return a.Branches.Any(b => catalog.Index.Type(b.Type.Name) is SchemaAlternateType || Matches(catalog, value, b.Type));
        }

        return SchemaBuiltins.JsonTypeOf(type.Name) switch
        {
            JsonType.String => value.ValueKind == JsonValueKind.String,
            JsonType.Int => value.ValueKind == JsonValueKind.Number && (value.TryGetInt64(out _) || value.TryGetUInt64(out _)),
            JsonType.Number => value.ValueKind == JsonValueKind.Number,
            JsonType.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            JsonType.Null => value.ValueKind == JsonValueKind.Null,
            _ => true,
        };
    }
}
