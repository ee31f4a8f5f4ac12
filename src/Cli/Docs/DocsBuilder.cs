using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Qmp.Codegen.Generation;
using Qmp.Codegen.Model;

namespace Qmp.Codegen.Cli.Docs;

/// <summary>
/// Builds the <see cref="DocsPage"/> from a parsed schema: areas, synopses, member tables,
/// pretty-printed examples, the diagnostics that fall inside each entry, and the generated C#
/// client's call for each command (taken from the generator's own <see cref="SpecBuilder"/>, so the
/// docs name exactly what the generator emits). Deterministic: no clock, no absolute paths.
/// </summary>
internal static partial class DocsBuilder
{
    /// <summary>The namespace the docs assume for the generated client: <c>QemuClient qemu</c>.</summary>
    public const string ClientNamespace = "Qemu";

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The page for <paramref name="model"/>, read from <paramref name="sources"/> (paths; only file names are shown).</summary>
    public static DocsPage Build(SchemaModel model, IEnumerable<string> sources)
    {
        var spec = SpecBuilder.Build(Qmp.Codegen.Hx.HxSchemaBuilder.Build(model), ClientNamespace, client: true, server: false);
        var client = spec.Stem + "Client";
        var commandSpecs = new Dictionary<string, CommandGenerationSpec>(StringComparer.Ordinal);
        foreach (var c in spec.Commands)
            commandSpecs.TryAdd(c.Name, c);
        var eventSpecs = new Dictionary<string, EventGenerationSpec>(StringComparer.Ordinal);
        foreach (var e in spec.Events)
            eventSpecs.TryAdd(e.Name, e);

        // Each diagnostic goes to the first entry whose table entry or doc block contains it.
        var spans = new List<(string Name, bool IsEvent, SchemaLocation Location)>();
        foreach (var c in model.Commands)
        {
            spans.Add((c.Name, false, c.Location));
            if (c.Doc is not null)
                spans.Add((c.Name, false, c.Doc.Location));
        }
        foreach (var e in model.Events)
        {
            spans.Add((e.Name, true, e.Location));
            if (e.Doc is not null)
                spans.Add((e.Name, true, e.Doc.Location));
        }
        var byEntry = new Dictionary<(string, bool), List<DocsDiagnostic>>();
        var other = new List<DocsDiagnostic>();
        foreach (var d in model.Diagnostics)
        {
            var view = new DocsDiagnostic(d.Id, d.Severity.ToString().ToLowerInvariant(), Where(d.Location), d.Message);
            var owner = spans.FirstOrDefault(s => Contains(s.Location, d.Location));
            if (owner.Name is null)
            {
                other.Add(view);
                continue;
            }
            if (!byEntry.TryGetValue((owner.Name, owner.IsEvent), out var list))
                byEntry[(owner.Name, owner.IsEvent)] = list = [];
            list.Add(view);
        }
        IReadOnlyList<DocsDiagnostic> DiagnosticsOf(string name, bool isEvent) =>
            byEntry.TryGetValue((name, isEvent), out var list) ? list : [];

        var commandsByArea = model.Commands
            .GroupBy(c => c.Name, StringComparer.Ordinal).Select(g => g.First())
            .ToLookup(c => DocsAreas.Of(c.Name));
        var areas = new List<DocsArea>();
        foreach (var (id, title, summary) in DocsAreas.All)
        {
            List<DocsEntry> entries = id == DocsAreas.Events
                ? model.Events.GroupBy(e => e.Name, StringComparer.Ordinal).Select(g => g.First())
                    .OrderBy(e => e.Name, StringComparer.Ordinal)
                    .Select(e => Event(e, eventSpecs.GetValueOrDefault(e.Name), DiagnosticsOf(e.Name, true)))
                    .ToList()
                : commandsByArea[id].OrderBy(c => c.Name, StringComparer.Ordinal)
                    .Select(c => Command(c, commandSpecs.GetValueOrDefault(c.Name), client, DiagnosticsOf(c.Name, false)))
                    .ToList();
            if (entries.Count > 0)
                areas.Add(new DocsArea(id, title, summary, entries));
        }

        var prose = model.Prose
            .Where(p => !string.IsNullOrWhiteSpace(p.Text))
            .Select(p => new DocsProse(p.Title, Sections(p.Text)))
            .ToList();
        return new DocsPage("QMP reference", string.Join(", ", sources.Select(FileName).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)), model.Commands.Count, model.Events.Count, prose, areas, other);
    }

    private static DocsEntry Command(CommandSpec command, CommandGenerationSpec? spec, string client, IReadOnlyList<DocsDiagnostic> diagnostics)
    {
        var doc = command.Doc;
        var description = doc is null ? [] : Paragraphs(doc.Description);
        var returnsDescription = doc?.Returns is null ? [] : Paragraphs(doc.Returns.Description);
        if (returnsDescription.SequenceEqual(description, StringComparer.Ordinal))
            returnsDescription = [];
        var rows = Rows(command.Arguments, doc?.Arguments ?? EquatableArrayEmpty);
        var parts = command.Arguments.Select(a => a.Kind == ArgumentKind.OptionList
            ? "..." + a.Name
            : Quote(a.Name) + (a.Optional || a.Kind == ArgumentKind.Flag ? "?" : "") + ": " + SynopsisType(a)).ToList();
        var synopsis = Envelope("-> { \"execute\": " + Quote(command.Name), "\"arguments\"", parts);

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
                declared.Add("IReadOnlyDictionary<string, JsonElement>? extra = null");
                passed.Add("extra");
            }
            declared.Add("CancellationToken cancellationToken = default");
            passed.Add("cancellationToken");
            var result = spec.Result is null ? null : Short(spec.Result.ClrType);
            signature = (result is null ? "Task" : "Task<" + result + ">") + " " + client + "." + spec.MethodName + "(" + string.Join(", ", declared) + ")";
            call = (result is null ? "" : "var result = ") + "await qemu." + spec.MethodName + "(" + string.Join(", ", passed) + ");";
        }

        return new DocsEntry(
            "command", command.Name, command.Name, doc is not null,
            description,
            synopsis, command.ArgsType, command.Condition, command.Async,
            rows,
            returnsDescription,
            doc?.Returns is null ? [] : Flatten(doc.Returns.Members),
            doc is null ? [] : doc.Examples.Select(Example).ToList(),
            doc is null ? [] : Paragraphs(doc.Notes),
            diagnostics, signature, call);
    }

    private static DocsEntry Event(EventSpec e, EventGenerationSpec? spec, IReadOnlyList<DocsDiagnostic> diagnostics)
    {
        var doc = e.Doc;
        var parts = e.Data.Select(a => Quote(a.Name) + (a.Optional ? "?" : "") + ": " + SynopsisType(a)).ToList();
        var synopsis = Envelope("<- { \"event\": " + Quote(e.Name), "\"data\"", parts, ", \"timestamp\": { \"seconds\": int, \"microseconds\": int }");
        string signature = "", call = "";
        if (spec is not null)
        {
            var record = spec.Record;
            signature = "record " + record.Name + " { " + string.Concat(record.Properties.Select(p => Short(p.DeclaredType) + " " + p.ClrName + "; ")) + "}";
            call = "await foreach (var e in qemu.ReadEventsAsync<" + record.Name + ">(cancellationToken))";
        }
        return new DocsEntry(
            "event", e.Name, "event-" + e.Name, doc is not null,
            doc is null ? [] : Paragraphs(doc.Description),
            synopsis, e.ArgsType, e.Condition, false,
            Rows(e.Data, doc?.Arguments ?? EquatableArrayEmpty),
            [], [],
            doc is null ? [] : doc.Examples.Select(Example).ToList(),
            doc is null ? [] : Paragraphs(doc.Notes),
            diagnostics, signature, call);
    }

    private static readonly Qmp.Codegen.Helpers.EquatableArray<DocMember> EquatableArrayEmpty = Qmp.Codegen.Helpers.EquatableArray<DocMember>.Empty;

    /// <summary>
    /// The documented members in doc order (nested ones indented), then the <c>args_type</c>
    /// arguments nobody documented. Where both exist, <c>args_type</c> decides optionality: it is
    /// what QEMU checks.
    /// </summary>
    private static List<DocsRow> Rows(IEnumerable<ArgumentSpec> wire, IEnumerable<DocMember> documented)
    {
        var arguments = wire.ToList();
        var rows = new List<DocsRow>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in documented)
        {
            var argument = arguments.FirstOrDefault(a => a.Name == member.Name);
            if (argument is not null)
                seen.Add(argument.Name);
            var optional = argument is null ? member.Optional : argument.Optional || argument.Kind == ArgumentKind.Flag;
            rows.Add(new DocsRow(member.Name, 0, member.Type ?? (argument is null ? "" : RowType(argument)), optional, Clean(member.Description)));
            AddMembers(rows, member.Members, 1);
        }
        foreach (var argument in arguments.Where(a => !seen.Contains(a.Name)))
            rows.Add(new DocsRow(argument.Name, 0, RowType(argument), argument.Optional || argument.Kind == ArgumentKind.Flag,
                argument.Kind == ArgumentKind.OptionList
                    ? "An option list: its members travel flattened at the top level of \"arguments\", and any key is accepted."
                    : "Not documented."));
        return rows;
    }

    private static List<DocsRow> Flatten(IEnumerable<DocMember> members)
    {
        var rows = new List<DocsRow>();
        AddMembers(rows, members, 0);
        return rows;
    }

    private static void AddMembers(List<DocsRow> rows, IEnumerable<DocMember> members, int depth)
    {
        foreach (var member in members)
        {
            rows.Add(new DocsRow(member.Name, depth, member.Type ?? "", member.Optional, Clean(member.Description)));
            AddMembers(rows, member.Members, depth + 1);
        }
    }

    private static string RowType(ArgumentSpec argument) => argument.Kind switch
    {
        ArgumentKind.OptionList => "option list",
        ArgumentKind.Any => "any JSON",
        _ => argument.JsonType ?? "any JSON",
    };

    private static string SynopsisType(ArgumentSpec argument) => argument.JsonType ?? "any";

    /// <summary>One line when it is short, else one member a line.</summary>
    private static string Envelope(string head, string key, List<string> parts, string tail = "")
    {
        if (parts.Count == 0)
            return head + tail + " }";
        var oneLine = head + ", " + key + ": { " + string.Join(", ", parts) + " }" + tail + " }";
        if (oneLine.Length <= 96)
            return oneLine;
        var builder = new StringBuilder();
        builder.Append(head).Append(", ").Append(key).Append(": {\n");
        for (var i = 0; i < parts.Count; i++)
            builder.Append("       ").Append(parts[i]).Append(i < parts.Count - 1 ? ",\n" : "\n");
        builder.Append("     }").Append(tail).Append(" }");
        return builder.ToString();
    }

    private static DocsExample Example(DocExample example)
    {
        var status = example.Repaired ? "repaired" : example.Request is null && example.Reply is null ? "unreadable" : "checked";
        return new DocsExample(example.Caption is null ? null : Clean(example.Caption), Pretty(example.Request), Pretty(example.Reply), status, example.Repairs.ToList());
    }

    /// <summary>System.Text.Json's indented form of a compact JSON string; the text itself when it is not JSON.</summary>
    internal static string? Pretty(string? json)
    {
        if (json is null)
            return null;
        try
        {
            var node = JsonNode.Parse(json);
            return node is null ? "null" : node.ToJsonString(Indented);
        }
        catch (JsonException)
        {
            return json;
        }
    }

    /// <summary>Text split into paragraphs at blank lines (the folded seed has none), whitespace collapsed.</summary>
    private static List<string> Paragraphs(string text) =>
        BlankLine().Split(text.Replace("\r\n", "\n", StringComparison.Ordinal))
            .Select(Clean).Where(p => p.Length > 0).ToList();

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

    private static string Quote(string name) => "\"" + name + "\"";

    private static string FileName(string path) => Path.GetFileName(path.Replace('\\', '/'));

    private static string Where(SchemaLocation location) =>
        location.Path.Length == 0 ? "" : $"{FileName(location.Path)}({location.Line},{location.Column})";

    private static bool Contains(SchemaLocation span, SchemaLocation point) =>
        span.Path.Length > 0 && span.Path == point.Path &&
        point.Start >= span.Start && point.Start < span.Start + Math.Max(span.Length, 1);

    /// <summary>C# types as a reader writes them: no <c>global::</c> namespaces.</summary>
    private static string Short(string type) => GlobalNamespace().Replace(type, "");

    [GeneratedRegex(@"\n[ \t]*\n\s*")]
    private static partial Regex BlankLine();

    [GeneratedRegex(@"(?<title>\b\d+\.[ \t]+[A-Z][A-Za-z ]*?)\s+={3,}")]
    private static partial Regex ProseHeading();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"global::(System\.(Collections\.Generic|Text\.Json|Threading\.Tasks|Threading)\.)?")]
    private static partial Regex GlobalNamespace();
}
