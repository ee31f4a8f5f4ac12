using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Qmp.Codegen.Generation;
using Qmp.Codegen.Hx;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Cli.Docs;

/// <summary>
/// Builds the <see cref="DocsPage"/> from the QMP schema model: areas, synopses, member tables,
/// pretty-printed examples, the diagnostics that fall inside each entry, and the generated C#
/// client's call for each command (taken from the generator's own <see cref="SpecBuilder"/>, so the
/// docs name exactly what the generator emits). Deterministic: no clock, no absolute paths.
/// </summary>
internal static partial class DocsBuilder
{
    /// <summary>
    /// The namespace the docs assume for the generated client unless told the project's
    /// (<c>qmp-codegen docs --namespace</c>, the <c>QmpSchema</c> item's <c>Namespace</c> in the docs target):
    /// <c>QemuClient qemu</c>. Type names in snippets are shown without a namespace, so only the client's
    /// class (named from the namespace's last part, as the generator names it) follows it.
    /// </summary>
    public const string ClientNamespace = "Qemu";

    /// <summary>The generated client's class for a namespace: <c>Acme.Vm</c> gives <c>VmClient</c>.</summary>
    internal static string ClientClass(string? clientNamespace) => Naming.StemOf(clientNamespace ?? ClientNamespace) + "Client";

    private static readonly JsonSerializerOptions s_indented = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// The page for a schema read from <paramref name="sources"/> (paths; only file names are shown).
    /// Everything QMP carries (arguments, return and data members with their types, optionality and
    /// nesting, documentation, examples) comes from the QMP schema model; the .hx records give only
    /// what is a fact of the .hx text itself: each entry's <c>args_type</c> string and whether its
    /// handler is asynchronous.
    /// </summary>
    public static DocsPage Build(QmpSchemaResult read, IEnumerable<string> sources, string? clientNamespace = null)
    {
        var schema = read.Schema;
        var spec = SpecBuilder.Build(schema, ClientNamespace, client: true, server: false);
        var client = ClientClass(clientNamespace);
        var commandSpecs = new Dictionary<string, CommandGenerationSpec>(StringComparer.Ordinal);
        foreach (var c in spec.Commands)
        {
            commandSpecs.TryAdd(c.Name, c);
        }

        var eventSpecs = new Dictionary<string, EventGenerationSpec>(StringComparer.Ordinal);
        foreach (var e in spec.Events)
        {
            eventSpecs.TryAdd(e.Name, e);
        }

        var types = new ShownTypes(SchemaIndex.Of(schema));
        var entries = new Dictionary<(string, bool), (string ArgsType, bool Async)>();
        foreach (var c in read.Hx.Commands)
        {
            entries.TryAdd((c.Name, false), (c.ArgsType, c.Async));
        }

        foreach (var e in read.Hx.Events)
        {
            entries.TryAdd((e.Name, true), (e.ArgsType, false));
        }

        // Each diagnostic goes to the first entry whose table entry or doc block contains it.
        var spans = new List<(string Name, bool IsEvent, SchemaLocation Location)>();
        foreach (var c in schema.Commands)
        {
            spans.Add((c.Name, false, c.Location));
            if (c.Doc is not null)
            {
                spans.Add((c.Name, false, c.Doc.Location));
            }
        }
        foreach (var e in schema.Events)
        {
            spans.Add((e.Name, true, e.Location));
            if (e.Doc is not null)
            {
                spans.Add((e.Name, true, e.Doc.Location));
            }
        }
        var byEntry = new Dictionary<(string, bool), List<DocsDiagnostic>>();
        var other = new List<DocsDiagnostic>();
        foreach (var d in schema.Diagnostics)
        {
            var view = new DocsDiagnostic(d.Id, d.Severity.ToString().ToLowerInvariant(), Where(d.Location), d.Message);
            var owner = spans.FirstOrDefault(s => Contains(s.Location, d.Location));
            if (owner.Name is null)
            {
                other.Add(view);
                continue;
            }
            if (!byEntry.TryGetValue((owner.Name, owner.IsEvent), out var list))
            {
                byEntry[(owner.Name, owner.IsEvent)] = list = [];
            }

            list.Add(view);
        }
        IReadOnlyList<DocsDiagnostic> DiagnosticsOf(string name, bool isEvent) =>
            byEntry.TryGetValue((name, isEvent), out var list) ? list : [];

        var commandsByArea = schema.Commands
            .GroupBy(c => c.Name, StringComparer.Ordinal).Select(g => g.First())
            .ToLookup(c => DocsAreas.Of(c.Name));
        var areas = new List<DocsArea>();
        foreach (var (id, title, summary) in DocsAreas.All)
        {
            var list = id == DocsAreas.Events
                ? schema.Events.GroupBy(e => e.Name, StringComparer.Ordinal).Select(g => g.First())
                    .OrderBy(e => e.Name, StringComparer.Ordinal)
                    .Select(e => Event(e, types, entries.GetValueOrDefault((e.Name, true)).ArgsType ?? "", eventSpecs.GetValueOrDefault(e.Name), DiagnosticsOf(e.Name, true)))
                    .ToList()
                : commandsByArea[id].OrderBy(c => c.Name, StringComparer.Ordinal)
                    .Select(c => Command(c, types, entries.GetValueOrDefault((c.Name, false)), commandSpecs.GetValueOrDefault(c.Name), client, DiagnosticsOf(c.Name, false)))
                    .ToList();
            if (list.Count > 0)
            {
                areas.Add(new DocsArea(id, title, summary, list));
            }
        }

        var prose = schema.Prose
            .Where(p => !string.IsNullOrWhiteSpace(p.Text))
            .Select(p => new DocsProse(p.Heading ?? "", Sections(p.Text)))
            .ToList();
        return new DocsPage("QMP reference", string.Join(", ", sources.Select(FileName).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)), schema.Commands.Count, schema.Events.Count, prose, areas, other)
        {
            ClientClass = client,
            ClientNamespace = clientNamespace ?? ClientNamespace,
        };
    }

    private static DocsEntry Command(SchemaCommand command, ShownTypes types, (string? ArgsType, bool Async) entry, CommandGenerationSpec? spec, string client, IReadOnlyList<DocsDiagnostic> diagnostics)
    {
        var doc = command.Doc;
        var description = doc is null ? [] : Paragraphs(doc.Body);
        var returnsDescription = doc?.Section(SchemaDoc.Returns) is { } returnsText ? Paragraphs(returnsText) : [];
        if (returnsDescription.SequenceEqual(description, StringComparer.Ordinal))
        {
            returnsDescription = [];
        }

        var arguments = ObjectOf(command.Arguments, types);
        var synopsis = Envelope("-> { \"execute\": " + Quote(command.Name), "\"arguments\"", Synopsis(arguments, types));

        string signature, call;
        if (spec is null)
        {
            signature = call = "";
        }
        else
        {
            var ordered = spec.Parameters.Where(p => !p.Optional).Concat(spec.Parameters.Where(p => p.Optional)).ToList();
            var declared = ordered.Select(p => Short(p.DeclaredType) + " " + p.ParameterName + (p.Optional ? " = null" : "")).ToList();
            var passed = ordered.Select(p => p.ParameterName).ToList();
            if (spec.AcceptsAnyKey)
            {
                declared.Add("JsonObject? additionalProperties = null");
                passed.Add("additionalProperties");
            }
            declared.Add("CancellationToken cancellationToken = default");
            passed.Add("cancellationToken");
            var result = spec.Result is null ? null : Short(spec.Result.ClrType);
            signature = (result is null ? "Task" : "Task<" + result + ">") + " " + client + "." + spec.MethodName + "(" + string.Join(", ", declared) + ")";
            call = (result is null ? "" : "var result = ") + "await qemu." + spec.MethodName + "(" + string.Join(", ", passed) + ");";
        }

        // The reply's members: those of the returned object type (of each item, for an array).
        var returned = command.Returns is { } r && types.Get(r.Name) is { } t && t is SchemaObjectType o ? o : null;
        return new DocsEntry(
            "command", command.Name, command.Name, doc is not null,
            description,
            synopsis, entry.ArgsType ?? "", command.Condition?.ToString(), entry.Async,
            Rows(arguments, types, argumentList: true),
            returnsDescription,
            command.Returns?.ToString(),
            returned is null ? [] : Rows(returned, types, argumentList: false),
            doc is null ? [] : doc.Examples.Select(x => Example(x, (arguments, arguments is not null && types.Index.IsOpen(arguments), types.Index))).ToList(),
            doc?.Section("Notes") is { } notes ? Paragraphs(notes) : [],
            diagnostics, signature, call);
    }

    private static DocsEntry Event(SchemaEvent e, ShownTypes types, string argsType, EventGenerationSpec? spec, IReadOnlyList<DocsDiagnostic> diagnostics)
    {
        var doc = e.Doc;
        var data = ObjectOf(e.Data, types);
        var synopsis = Envelope("<- { \"event\": " + Quote(e.Name), "\"data\"", Synopsis(data, types), ", \"timestamp\": { \"seconds\": int, \"microseconds\": int }");
        string signature = "", call = "";
        if (spec is not null)
        {
            var record = spec.Record;
            signature = "record " + record.Name + " { " + string.Concat(record.Properties.Select(p => Short(p.DeclaredType) + " " + p.ClrName + "; ")) + "}";
            call = "await foreach (var e in qemu.ReadEventsAsync<" + record.Name + ">(cancellationToken))";
        }
        return new DocsEntry(
            "event", e.Name, "event-" + e.Name, doc is not null,
            doc is null ? [] : Paragraphs(doc.Body),
            synopsis, argsType, e.Condition?.ToString(), false,
            Rows(data, types, argumentList: false),
            [], null, [],
            doc is null ? [] : doc.Examples.Select(x => Example(x, null)).ToList(),
            doc?.Section("Notes") is { } notes ? Paragraphs(notes) : [],
            diagnostics, signature, call);
    }

    private static SchemaObjectType? ObjectOf(SchemaTypeRef? reference, ShownTypes types) =>
        reference is not null && !reference.IsArray && types.Get(reference.Name) is { } type ? type as SchemaObjectType : null;

    /// <summary>The members of an object type as <c>"name"?: json-type</c>, and <c>...</c> where it accepts any other member.</summary>
    private static List<string> Synopsis(SchemaObjectType? type, ShownTypes types)
    {
        if (type is null)
        {
            return [];
        }

        var parts = types.Index.AllMembers(type).Select(m => Quote(m.Name) + (m.Optional ? "?" : "") + ": " + JsonTypeName(m.Type, types)).ToList();
        if (types.Index.IsOpen(type))
        {
            parts.Add("...");
        }

        return parts;
    }

    /// <summary>
    /// The schema's types as the page shows them: the model's one index, less the types whose base
    /// chain comes back to itself (QMP0222, which the page lists): a type containing itself has no members to show.
    /// </summary>
    private sealed class ShownTypes(SchemaIndex index)
    {
        public SchemaIndex Index => index;

        public SchemaType? Get(string name) => index.Type(name) is { } type && !index.InBaseCycle(type) ? type : null;
    }

    /// <summary>What a value of the type is on the wire, in JSON's words (QEMU 2.1 names them so in its errors).</summary>
    private static string JsonTypeName(SchemaTypeRef type, ShownTypes types)
    {
        if (type.IsArray)
        {
            return "array";
        }

        if (SchemaBuiltins.JsonTypeOf(type.Name) is { } json)
        {
            return json switch
            {
                Schema.JsonType.String => "string",
                Schema.JsonType.Int => "int",
                Schema.JsonType.Number => "number",
                Schema.JsonType.Boolean => "bool",
                Schema.JsonType.Null => "null",
                _ => "any",
            };
        }
        return types.Get(type.Name) switch
        {
            SchemaEnumType => "string",
            SchemaObjectType => "object",
            _ => "any",
        };
    }

    /// <summary>The last row of an open arguments table (<see cref="SchemaIndex.IsOpen"/>): what it takes beyond the rows above.</summary>
    private static readonly DocsRow s_openRow = new("...", 0, "any", true, "An option list: other members travel flattened at the top level of \"arguments\", and any key is accepted.");

    /// <summary>
    /// The rows of an object type's members, in the model's order; a member whose type (or item
    /// type) is a named object type is followed by that type's members, one level deeper (a type
    /// that contains itself, query-blockstats' <c>parent</c>, is shown once).
    /// <paramref name="argumentList"/>: the type is a command's arguments, where an open type gets a
    /// last row for the members it accepts beyond those listed (an option list).
    /// </summary>
    private static List<DocsRow> Rows(SchemaObjectType? type, ShownTypes types, bool argumentList)
    {
        var rows = new List<DocsRow>();
        if (type is null)
        {
            return rows;
        }

        AddMembers(rows, type, types, 0, new HashSet<string>(StringComparer.Ordinal) { type.Name });
        if (argumentList && types.Index.IsOpen(type))
        {
            rows.Add(s_openRow);
        }

        return rows;
    }

    private static void AddMembers(List<DocsRow> rows, SchemaObjectType type, ShownTypes types, int depth, HashSet<string> enclosing)
    {
        foreach (var member in types.Index.AllMembers(type))
        {
            rows.Add(new DocsRow(member.Name, depth, member.Type.ToString(), member.Optional, member.Doc is null ? "Not documented." : Clean(member.Doc)));
            if (types.Get(member.Type.Name) is SchemaObjectType nested && !nested.IsImplicit && enclosing.Add(nested.Name))
            {
                AddMembers(rows, nested, types, depth + 1, enclosing);
                enclosing.Remove(nested.Name);
            }
        }
    }

    /// <summary>One line when it is short, else one member a line.</summary>
    private static string Envelope(string head, string key, List<string> parts, string tail = "")
    {
        if (parts.Count == 0)
        {
            return head + tail + " }";
        }

        var oneLine = head + ", " + key + ": { " + string.Join(", ", parts) + " }" + tail + " }";
        if (oneLine.Length <= 96)
        {
            return oneLine;
        }

        var builder = new StringBuilder();
        builder.Append(head).Append(", ").Append(key).Append(": {\n");
        for (var i = 0; i < parts.Count; i++)
        {
            builder.Append("       ").Append(parts[i]).Append(i < parts.Count - 1 ? ",\n" : "\n");
        }

        builder.Append("     }").Append(tail).Append(" }");
        return builder.ToString();
    }

    /// <summary>An example, badged; a command's (<paramref name="check"/>) "checked" only when the typed client keeps every member it sends.</summary>
    private static DocsExample Example(SchemaExample example, (SchemaObjectType? Arguments, bool Open, SchemaIndex Index)? check)
    {
        var request = example.Messages.FirstOrDefault(m => m.Direction == ExampleDirection.ToServer)?.Json;
        var reply = example.Messages.FirstOrDefault(m => m.Direction == ExampleDirection.FromServer)?.Json;
        // The .hx reader gives each message of an example the repairs of the whole example: count them once.
        var repairs = example.Messages.Select(m => m.Repairs).Distinct().SelectMany(r => r).ToList();
        var dropped = check is { } c ? DocsExampleCheck.Dropped(request, c.Arguments, c.Open, c.Index) : [];
        var status = repairs.Count > 0 ? "repaired" : request is null && reply is null ? "unreadable" : dropped.Count > 0 ? "dropped" : "checked";
        return new DocsExample(Caption(example.Caption), Pretty(request), Pretty(reply), status, repairs) { Dropped = dropped };
    }

    /// <summary>System.Text.Json's indented form of a compact JSON string; the text itself when it is not JSON.</summary>
    internal static string? Pretty(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            var node = JsonNode.Parse(json);
            return node is null ? "null" : node.ToJsonString(s_indented);
        }
        catch (JsonException)
        {
            return json;
        }
    }

    /// <summary>
    /// Text split into paragraphs at blank lines (the folded seed has none), whitespace collapsed; a
    /// numbered list the folding ran into one line ("... the following: 1. The ... 2. DO NOT ...") gets
    /// its items back on lines of their own, so the docs' reader (DocReader) reads one list.
    /// </summary>
    private static List<string> Paragraphs(string text) =>
        BlankLine().Split(text.Replace("\r\n", "\n", StringComparison.Ordinal))
            .Select(Clean).Where(p => p.Length > 0)
            .Select(p => FoldedListStart().IsMatch(p) ? FoldedItem().Replace(p, "\n") : p).ToList();

    /// <summary>A folded numbered list's first item: "1." then a capital, at the start or after a space or colon.</summary>
    [GeneratedRegex(@"(?:^|[\s:])1\.\s+[A-Z]")]
    private static partial Regex FoldedListStart();

    /// <summary>The space before each item of a folded numbered list.</summary>
    [GeneratedRegex(@"\s+(?=\d{1,2}\.\s+[A-Z])")]
    private static partial Regex FoldedItem();

    /// <summary>
    /// Prose cut at its headings. QEMU underlines them with '=' (<c>1. Stability Considerations</c>
    /// then a row of '='); in the folded seed the underline is the only mark left, so a heading is a
    /// numbered title right before a run of '='.
    /// </summary>
    private static List<DocsProseSection> Sections(string text)
    {
        var sections = new List<DocsProseSection>();
        string? heading = null;
        var at = 0;
        foreach (Match match in ProseHeading().Matches(text))
        {
            sections.Add(new DocsProseSection(heading, Paragraphs(text[at..match.Index])));
            heading = Clean(match.Groups["title"].Value);
            at = match.Index + match.Length;
        }
        sections.Add(new DocsProseSection(heading, Paragraphs(text[at..])));
        return sections.Where(s => s.Heading is not null || s.Paragraphs.Count > 0).ToList();
    }

    private static string Clean(string text) => Whitespace().Replace(text, " ").Trim();

    /// <summary>
    /// An example's caption without the schema's own numbering (<c>1. Change a removable medium</c>,
    /// a bare <c>1.</c>): the page numbers its examples itself ("Example 1: 1." otherwise); null when nothing is left.
    /// </summary>
    private static string? Caption(string? caption)
    {
        if (caption is null)
        {
            return null;
        }

        var text = ExampleNumber().Replace(Clean(caption), "");
        return text.Length == 0 ? null : text;
    }

    [GeneratedRegex(@"^(?:\(\d+\)|\d+[.)])\s*")]
    private static partial Regex ExampleNumber();

    private static string Quote(string name) => "\"" + name + "\"";

    private static string FileName(string path) => Path.GetFileName(path.Replace('\\', '/'));

    private static string Where(SchemaLocation location) =>
        location.Path.Length == 0 ? "" : $"{FileName(location.Path)}({location.Line},{location.Column})";

    private static bool Contains(SchemaLocation span, SchemaLocation point) =>
        span.Path.Length > 0 && span.Path == point.Path &&
        point.Start >= span.Start && point.Start < span.Start + Math.Max(span.Length, 1);

    /// <summary>C# types as a reader writes them: no <c>global::</c> namespaces, the client's own types by their names.</summary>
    private static string Short(string type) => GlobalNamespace().Replace(type.Replace("global::" + ClientNamespace + ".", "", StringComparison.Ordinal), "");

    [GeneratedRegex(@"\n[ \t]*\n\s*")]
    private static partial Regex BlankLine();

    [GeneratedRegex(@"(?<title>\b\d+\.[ \t]+[A-Z][A-Za-z ]*?)\s+={3,}")]
    private static partial Regex ProseHeading();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"global::(System\.(Collections\.Generic|Text\.Json|Threading\.Tasks|Threading)\.)?")]
    private static partial Regex GlobalNamespace();
}
