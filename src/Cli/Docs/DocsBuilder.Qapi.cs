using System.Text.RegularExpressions;
using Qmp.Codegen.Generation;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;
using Qmp.Codegen.Qapi;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Cli.Docs;

// The page of a QAPI schema (QEMU's qapi-schema.json and its includes), from the same schema model
// and the same SpecBuilder the generator uses. The areas are the schema's own sections (its
// '= Heading' doc blocks, else the module file); a command, an event and every named type get a
// section, and every member's type is a link to its type's section. The .hx page is untouched:
// what only QAPI says travels in DocsEntry.Qapi, DocsRow.Link/Badges/From and DocsPage.Qapi.
internal static partial class DocsBuilder
{
    /// <summary>The anchor prefix of a named type's section (commands use their name, events <c>event-</c>).</summary>
    public const string TypeAnchorPrefix = "type-";

    /// <summary>
    /// The page for a QAPI schema read from <paramref name="topFile"/> (only its file name is shown).
    /// <paramref name="texts"/> (the files' texts by the reader's paths) place each included file's
    /// sections where its <c>include</c> stands, as QEMU's own manual does; without them a file's
    /// sections follow the file that includes it.
    /// </summary>
    public static DocsPage BuildQapi(QapiReadResult read, string topFile, IReadOnlyDictionary<string, string>? texts = null)
    {
        var schema = read.Schema;
        var index = new SchemaIndex(schema);
        var types = new Dictionary<string, SchemaType>(StringComparer.Ordinal);
        foreach (var type in schema.Types)
            types.TryAdd(type.Name, type);

        // The generator's own names for the client's methods and event records.
        var (spec, _) = SpecBuilder.BuildQapi(schema, ClientNamespace, client: true, new List<SchemaDiagnostic>());
        var client = spec.Stem + "Client";
        var commandSpecs = new Dictionary<string, CommandGenerationSpec>(StringComparer.Ordinal);
        foreach (var c in spec.Commands)
            commandSpecs.TryAdd(c.Name, c);
        var eventSpecs = new Dictionary<string, EventGenerationSpec>(StringComparer.Ordinal);
        foreach (var e in spec.Events)
            eventSpecs.TryAdd(e.Name, e);

        var files = read.Files.ToList();
        var documentOrder = DocumentOrder(files, texts);
        int FileIndex(string path)
        {
            var i = files.IndexOf(path);
            return i < 0 ? files.Count : i;
        }
        string? Link(string name) =>
            types.TryGetValue(name, out var t) && t is not SchemaObjectType { IsImplicit: true } ? TypeAnchorPrefix + name : null;

        var shownTypes = schema.Types.Where(t => t is not SchemaObjectType { IsImplicit: true })
            .GroupBy(t => t.Name, StringComparer.Ordinal).Select(g => g.First()).ToList();
        var commands = schema.Commands.GroupBy(c => c.Name, StringComparer.Ordinal).Select(g => g.First()).ToList();
        var events = schema.Events.GroupBy(e => e.Name, StringComparer.Ordinal).Select(g => g.First()).ToList();
        var definitions = new List<(string Anchor, SchemaLocation Location, SchemaDoc? Doc)>();
        definitions.AddRange(commands.Select(c => (c.Name, c.Location, c.Doc)));
        definitions.AddRange(events.Select(e => ("event-" + e.Name, e.Location, e.Doc)));
        definitions.AddRange(shownTypes.Select(t => (TypeAnchorPrefix + t.Name, t.Location, t.Doc)));
        var (byAnchor, other) = AttributeDiagnostics(schema, definitions, texts);
        IReadOnlyList<DocsDiagnostic> DiagnosticsOf(string anchor) => byAnchor.TryGetValue(anchor, out var list) ? list : [];

        // Sections: the last '= Heading' before an entity in its own file; the file itself when it has none before it.
        var headings = schema.Prose.Where(p => !string.IsNullOrWhiteSpace(p.Heading))
            .OrderBy(p => FileIndex(p.Location.Path)).ThenBy(p => p.Location.Start).ToList();
        var sections = new Dictionary<string, Section>(StringComparer.Ordinal);
        (string Key, SchemaProse? Heading) Find(SchemaLocation location, bool self)
        {
            var heading = headings.LastOrDefault(h => h.Location.Path == location.Path && (self ? h.Location.Start <= location.Start : h.Location.Start < location.Start));
            return (heading is null ? "file:" + location.Path : "heading:" + location.Path + ":" + heading.Location.Start, heading);
        }
        Section SectionOf(SchemaLocation location)
        {
            var (key, heading) = Find(location, self: false);
            if (!sections.TryGetValue(key, out var section))
            {
                var title = heading is null ? Path.GetFileNameWithoutExtension(FileName(location.Path)) : Clean(heading.Heading!);
                sections[key] = section = new Section(title, location.Path, (FileIndex(location.Path), heading?.Location.Start ?? -1));
            }
            return section;
        }

        var context = new QapiContext(types, index, Link);
        foreach (var c in commands.OrderBy(c => FileIndex(c.Location.Path)).ThenBy(c => c.Location.Start))
            SectionOf(c.Location).Commands.Add(QapiCommand(c, context, commandSpecs.GetValueOrDefault(c.Name), client, DiagnosticsOf(c.Name)));
        foreach (var e in events.OrderBy(e => FileIndex(e.Location.Path)).ThenBy(e => e.Location.Start))
            SectionOf(e.Location).Events.Add(QapiEvent(e, context, eventSpecs.GetValueOrDefault(e.Name), DiagnosticsOf("event-" + e.Name)));
        foreach (var t in shownTypes.OrderBy(t => FileIndex(t.Location.Path)).ThenBy(t => t.Location.Start))
            SectionOf(t.Location).Types.Add(QapiType(t, context, DiagnosticsOf(TypeAnchorPrefix + t.Name)));

        // Free-form text: under its section when that section has entries; otherwise (QEMU's
        // introduction in the top file) it opens the page.
        var prose = new List<DocsProse>();
        foreach (var p in schema.Prose.OrderBy(p => FileIndex(p.Location.Path)).ThenBy(p => p.Location.Start))
        {
            if (string.IsNullOrWhiteSpace(p.Text))
                continue;
            if (sections.TryGetValue(Find(p.Location, self: true).Key, out var section))
                section.Paragraphs.AddRange(QapiParagraphs(p.Text));
            else
                prose.Add(new DocsProse(string.IsNullOrWhiteSpace(p.Heading) ? "Introduction" : Clean(p.Heading), Sections(QapiText(p.Text))));
        }

        var areas = new List<DocsArea>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var section in sections.Values.OrderBy(s => Position(documentOrder, s.Path, s.Order.Start, s.Order.File), PositionComparer.Instance))
        {
            var id = Slug(section.Title);
            for (var n = 2; !ids.Add(id); n++)
                id = Slug(section.Title) + "-" + n;
            var counts = new List<string>();
            if (section.Commands.Count > 0)
                counts.Add(Count(section.Commands.Count, "command"));
            if (section.Events.Count > 0)
                counts.Add(Count(section.Events.Count, "event"));
            if (section.Types.Count > 0)
                counts.Add(Count(section.Types.Count, "type"));
            areas.Add(new DocsArea(id, section.Title, FileName(section.Path) + ": " + string.Join(", ", counts) + ".",
                [.. section.Commands, .. section.Events, .. section.Types]) { Paragraphs = section.Paragraphs });
        }

        return new DocsPage("QMP reference", FileName(topFile), commands.Count, events.Count, prose, areas, other)
        {
            Qapi = true,
            TypeCount = shownTypes.Count,
            FileCount = files.Count,
        };
    }

    /// <summary>
    /// Where each file's text goes in the document: the path of include offsets that leads to it from
    /// the top file (a file is read once, at its first include). Empty without the texts.
    /// </summary>
    private static Dictionary<string, List<int>> DocumentOrder(List<string> files, IReadOnlyDictionary<string, string>? texts)
    {
        var order = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        if (texts is null || files.Count == 0)
            return order;
        void Walk(string path, List<int> at)
        {
            if (!order.TryAdd(path, at) || !texts.TryGetValue(path, out var text))
                return;
            foreach (Match include in Include().Matches(text))
                Walk(IncludePath(path, include.Groups["file"].Value), [.. at, include.Index]);
        }
        Walk(files[0], []);
        return order;
    }

    /// <summary>The path of an included file as the QAPI reader names it: relative to the including file, '/'-separated, '.' and '..' folded.</summary>
    private static string IncludePath(string including, string include)
    {
        var slash = including.Replace('\\', '/').LastIndexOf('/');
        var joined = include.StartsWith('/') || slash < 0 ? include : including[..(slash + 1)] + include;
        var parts = new List<string>();
        foreach (var part in joined.Replace('\\', '/').Split('/'))
        {
            if (part == "." || (part.Length == 0 && parts.Count > 0))
                continue;
            if (part == ".." && parts.Count > 0 && parts[^1] != "..")
                parts.RemoveAt(parts.Count - 1);
            else
                parts.Add(part);
        }
        return string.Join('/', parts);
    }

    /// <summary>A position as a sortable path: the file's include path, then the offset in the file; files the walk did not reach go last, in reading order.</summary>
    private static List<int> Position(Dictionary<string, List<int>> order, string path, int start, int fileIndex) =>
        order.TryGetValue(path, out var at) ? [.. at, start] : [int.MaxValue, fileIndex, start];

    private sealed class PositionComparer : IComparer<List<int>>
    {
        public static readonly PositionComparer Instance = new();

        public int Compare(List<int>? x, List<int>? y)
        {
            for (var i = 0; i < Math.Min(x!.Count, y!.Count); i++)
            {
                if (x[i] != y[i])
                    return x[i].CompareTo(y[i]);
            }
            return x.Count.CompareTo(y.Count);
        }
    }

    /// <summary>
    /// Each diagnostic to the entity whose doc block holds it, else to the entity whose definition
    /// runs from its name to the next thing in the file (a definition, a doc block, an include or
    /// pragma); the rest (an include that cannot be read, a syntax error between definitions) apart.
    /// </summary>
    private static (Dictionary<string, List<DocsDiagnostic>> ByAnchor, List<DocsDiagnostic> Other) AttributeDiagnostics(
        QmpSchema schema, List<(string Anchor, SchemaLocation Location, SchemaDoc? Doc)> definitions, IReadOnlyDictionary<string, string>? texts)
    {
        var boundaries = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        void Boundary(string path, int at)
        {
            if (!boundaries.TryGetValue(path, out var list))
                boundaries[path] = list = [];
            list.Add(at);
        }
        foreach (var (_, location, doc) in definitions)
        {
            Boundary(location.Path, location.Start);
            if (doc is not null)
                Boundary(doc.Location.Path, doc.Location.Start);
        }
        foreach (var p in schema.Prose)
            Boundary(p.Location.Path, p.Location.Start);
        foreach (var (path, text) in texts ?? new Dictionary<string, string>())
        {
            foreach (Match directive in Directive().Matches(text))
                Boundary(path, directive.Index);
        }
        foreach (var list in boundaries.Values)
            list.Sort();
        var spans = new List<(string Anchor, string Path, int Start, int End)>();
        foreach (var (anchor, _, doc) in definitions)
        {
            if (doc is not null && doc.Location.Path.Length > 0)
                spans.Add((anchor, doc.Location.Path, doc.Location.Start, doc.Location.Start + Math.Max(doc.Location.Length, 1)));
        }
        foreach (var (anchor, location, _) in definitions)
        {
            if (location.Path.Length == 0)
                continue;
            var next = boundaries[location.Path].FirstOrDefault(b => b > location.Start, int.MaxValue);
            spans.Add((anchor, location.Path, location.Start, next));
        }
        var byAnchor = new Dictionary<string, List<DocsDiagnostic>>(StringComparer.Ordinal);
        var other = new List<DocsDiagnostic>();
        foreach (var d in schema.Diagnostics)
        {
            var view = new DocsDiagnostic(d.Id, d.Severity.ToString().ToLowerInvariant(), Where(d.Location), d.Message);
            var owner = spans.FirstOrDefault(s => s.Path == d.Location.Path && d.Location.Start >= s.Start && d.Location.Start < s.End);
            if (owner.Anchor is null)
                other.Add(view);
            else if (byAnchor.TryGetValue(owner.Anchor, out var list))
                list.Add(view);
            else
                byAnchor[owner.Anchor] = [view];
        }
        return (byAnchor, other);
    }

    private static string Count(int n, string noun) => n + " " + noun + (n == 1 ? "" : "s");

    private static string Slug(string title)
    {
        var slug = NotSlug().Replace(title.ToLowerInvariant(), "-").Trim('-');
        return slug.Length == 0 ? "section" : slug;
    }

    private sealed class Section(string title, string path, (int File, int Start) order)
    {
        public string Title { get; } = title;
        public string Path { get; } = path;
        public (int File, int Start) Order { get; } = order;
        public List<string> Paragraphs { get; } = [];
        public List<DocsEntry> Commands { get; } = [];
        public List<DocsEntry> Events { get; } = [];
        public List<DocsEntry> Types { get; } = [];
    }

    private sealed record QapiContext(Dictionary<string, SchemaType> Types, SchemaIndex Index, Func<string, string?> Link);

    private static DocsEntry QapiCommand(SchemaCommand command, QapiContext context, CommandGenerationSpec? spec, string client, IReadOnlyList<DocsDiagnostic> diagnostics)
    {
        var doc = command.Doc;
        var arguments = ObjectOf(command.Arguments, context.Types);
        var parts = Synopsis(arguments, context.Types);
        if (arguments is { IsUnion: true })
            parts.Add("...");
        var synopsis = Envelope("-> { \"execute\": " + Quote(command.Name), "\"arguments\"", parts);

        string signature = "", call = "";
        if (spec is not null)
        {
            List<string> declared, passed;
            if (spec.Boxed && spec.ArgumentsType is not null)
            {
                declared = [QapiShort(spec.ArgumentsType) + " arguments"];
                passed = ["arguments"];
            }
            else
            {
                var ordered = spec.Parameters.Where(p => !p.Optional).Concat(spec.Parameters.Where(p => p.Optional)).ToList();
                declared = ordered.Select(p => QapiShort(p.DeclaredType) + " " + p.ParameterName + (p.Optional ? " = null" : "")).ToList();
                passed = ordered.Select(p => p.ParameterName).ToList();
            }
            declared.Add("CancellationToken cancellationToken = default");
            passed.Add("cancellationToken");
            var result = spec.Result is null ? null : QapiShort(spec.Result.ClrType);
            signature = (result is null ? "Task" : "Task<" + result + ">") + " " + client + "." + spec.MethodName + "(" + string.Join(", ", declared) + ")";
            call = (result is null ? "" : "var result = ") + "await qemu." + spec.MethodName + "(" + string.Join(", ", passed) + ");";
        }

        // A named arguments type (or a boxed union) is linked; its members are still listed when it is a struct.
        var named = command.Arguments is { } a && context.Link(a.Name) is not null ? a : null;
        var returnsDescription = doc?.Section(SchemaDoc.Returns) is { } returnsText ? QapiParagraphs(returnsText) : [];
        var qapi = Facts("command", command.Features, command.Condition, doc) with
        {
            ArgumentsType = named?.ToString(),
            ArgumentsLink = named is null ? null : context.Link(named.Name),
            ReturnsLink = command.Returns is null ? null : context.Link(command.Returns.Name),
            Errors = doc?.Section(SchemaDoc.Errors) is { } errors ? QapiParagraphs(errors) : [],
            Examples = QapiExamples(doc),
            Flags = FlagSentences(command.Flags),
        };
        return new DocsEntry(
            "command", command.Name, command.Name, doc is not null,
            Description(doc), synopsis, "", null, false,
            arguments is null ? [] : MemberRows(arguments, context),
            returnsDescription, command.Returns?.ToString(), [], [],
            NotesOf(doc), diagnostics, signature, call)
        { Qapi = qapi };
    }

    private static DocsEntry QapiEvent(SchemaEvent e, QapiContext context, EventGenerationSpec? spec, IReadOnlyList<DocsDiagnostic> diagnostics)
    {
        var doc = e.Doc;
        var data = ObjectOf(e.Data, context.Types);
        var parts = Synopsis(data, context.Types);
        if (data is { IsUnion: true })
            parts.Add("...");
        var synopsis = Envelope("<- { \"event\": " + Quote(e.Name), "\"data\"", parts, ", \"timestamp\": { \"seconds\": int, \"microseconds\": int }");
        string signature = "", call = "";
        if (spec is not null)
        {
            var record = spec.Record;
            signature = "record " + record.Name + " { " + string.Concat(record.Properties.Select(p => QapiShort(p.DeclaredType) + " " + p.ClrName + "; ")) + "}";
            call = "await foreach (var e in qemu.ReadEventsAsync<" + record.Name + ">(cancellationToken))";
        }
        var named = e.Data is { } d && context.Link(d.Name) is not null ? d : null;
        var qapi = Facts("event", e.Features, e.Condition, doc) with
        {
            ArgumentsType = named?.ToString(),
            ArgumentsLink = named is null ? null : context.Link(named.Name),
            Examples = QapiExamples(doc),
        };
        return new DocsEntry(
            "event", e.Name, "event-" + e.Name, doc is not null,
            Description(doc), synopsis, "", null, false,
            data is null ? [] : MemberRows(data, context),
            [], null, [], [],
            NotesOf(doc), diagnostics, signature, call)
        { Qapi = qapi };
    }

    private static DocsEntry QapiType(SchemaType type, QapiContext context, IReadOnlyList<DocsDiagnostic> diagnostics)
    {
        var doc = type.Doc;
        var kind = type switch
        {
            SchemaObjectType { IsUnion: true } => "union",
            SchemaObjectType => "struct",
            SchemaEnumType => "enum",
            _ => "alternate",
        };
        var qapi = Facts(kind, type.Features, type.Condition, doc) with { Examples = QapiExamples(doc) };
        switch (type)
        {
            case SchemaObjectType o:
                var baseType = o.Base is { } b && context.Link(b) is { } baseLink ? b : null;
                qapi = qapi with
                {
                    Base = baseType,
                    BaseLink = baseType is null ? null : context.Link(baseType),
                    Members = MemberRows(o, context),
                    Discriminator = o.Variants?.Tag,
                    Branches = o.Variants is null ? [] : UnionBranches(o, context),
                };
                break;
            case SchemaEnumType en:
                qapi = qapi with
                {
                    Values = en.Values.Select(v => new DocsValue(v.Name, WithCondition(DocText(v.Doc, ""), v.Condition), Badges(v.Features), ConditionSentence(v.Condition))).ToList(),
                };
                break;
            case SchemaAlternateType alt:
                qapi = qapi with
                {
                    Branches = alt.Branches.Select(br => new DocsBranch(br.Name, br.Type.ToString(), context.Link(br.Type.Name), WithCondition(DocText(br.Doc), br.Condition), ConditionSentence(br.Condition))).ToList(),
                };
                break;
        }
        return new DocsEntry(
            kind, type.Name, TypeAnchorPrefix + type.Name, doc is not null,
            Description(doc), "", "", null, false,
            [], [], null, [], [],
            NotesOf(doc), diagnostics, "", "")
        { Qapi = qapi };
    }

    /// <summary>A union's branches in the order of its tag's enum, tag values without members of their own included.</summary>
    private static List<DocsBranch> UnionBranches(SchemaObjectType union, QapiContext context)
    {
        var written = union.Variants!.Branches.GroupBy(v => v.Case, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var tagEnum = context.Index.TagEnum(union);
        var order = tagEnum is null ? written.Keys.ToList() : tagEnum.Values.Select(v => v.Name).Concat(written.Keys).Distinct(StringComparer.Ordinal).ToList();
        var branches = new List<DocsBranch>();
        foreach (var value in order)
        {
            var valueDoc = tagEnum?.Values.FirstOrDefault(v => v.Name == value)?.Doc;
            if (written.TryGetValue(value, out var branch))
                branches.Add(new DocsBranch(value, branch.Type.ToString(), context.Link(branch.Type.Name), WithCondition(DocText(valueDoc, ""), branch.Condition), ConditionSentence(branch.Condition)));
            else
                branches.Add(new DocsBranch(value, "", null, DocText(valueDoc, ""), null));
        }
        return branches;
    }

    /// <summary>An object type's members, its bases' first (each marked with the base it comes from), each type linked.</summary>
    private static List<DocsRow> MemberRows(SchemaObjectType type, QapiContext context)
    {
        var rows = new List<DocsRow>();
        foreach (var owner in context.Index.BaseChain(type))
        {
            // An inline base (q_obj_NAME-base) has no section: its members read as the type's own.
            var from = ReferenceEquals(owner, type) || owner.IsImplicit ? null : owner.Name;
            foreach (var member in owner.Members)
            {
                rows.Add(new DocsRow(member.Name, 0, member.Type.ToString(), member.Optional, WithCondition(DocText(member.Doc), member.Condition))
                {
                    Link = context.Link(member.Type.Name),
                    Badges = Badges(member.Features),
                    From = from,
                });
            }
        }
        return rows;
    }

    /// <summary>What every QAPI entity has: kind, since, marks, condition, features; the rest empty, for the caller to fill.</summary>
    private static DocsQapi Facts(string kind, EquatableArray<SchemaFeature> features, SchemaCondition? condition, SchemaDoc? doc)
    {
        var since = doc?.SinceVersion is { } s && !string.IsNullOrWhiteSpace(s) ? Clean(QapiText(s)).TrimEnd('.') : null;
        var featureDocs = doc?.Features ?? EquatableArray<SchemaFeatureDoc>.Empty;
        var list = features.Select(f => new DocsFeature(
            f.Name,
            featureDocs.FirstOrDefault(fd => fd.Name == f.Name) is { } fd && !string.IsNullOrWhiteSpace(fd.Text) ? Clean(QapiText(fd.Text)) : "",
            f.Name is SchemaFeature.Deprecated or SchemaFeature.Unstable,
            ConditionSentence(f.Condition))).ToList();
        // Features the doc describes for members (QEMU documents a member's feature on its definition).
        foreach (var fd in featureDocs.Where(fd => !list.Exists(f => f.Name == fd.Name) && !string.IsNullOrWhiteSpace(fd.Text)))
            list.Add(new DocsFeature(fd.Name, Clean(QapiText(fd.Text)), fd.Name is SchemaFeature.Deprecated or SchemaFeature.Unstable, null));
        return new DocsQapi(kind, since, Badges(features), ConditionSentence(condition), list,
            null, null, null, [], null, null, [], null, [], [], []);
    }

    /// <summary>A command's QAPI flags that change what a client may do or gets back, as sentences.</summary>
    private static List<string> FlagSentences(SchemaCommandFlags flags)
    {
        var sentences = new List<string>();
        if (flags.AllowOob)
            sentences.Add("May be sent out-of-band (exec-oob), once the oob capability is on.");
        if (flags.AllowPreconfig)
            sentences.Add("Allowed before the machine is configured (--preconfig).");
        if (!flags.SuccessResponse)
            sentences.Add("QEMU sends no reply when it succeeds.");
        return sentences;
    }

    private static List<string> Badges(EquatableArray<SchemaFeature> features)
    {
        var badges = new List<string>();
        if (SchemaFeature.Has(features, SchemaFeature.Deprecated))
            badges.Add(SchemaFeature.Deprecated);
        if (SchemaFeature.Has(features, SchemaFeature.Unstable))
            badges.Add(SchemaFeature.Unstable);
        return badges;
    }

    /// <summary>A build condition in words: <c>Only in QEMU builds with CONFIG_A and not CONFIG_B.</c></summary>
    internal static string? ConditionSentence(SchemaCondition? condition) =>
        condition is null ? null : "Only in QEMU builds with " + Phrase(condition, top: true) + ".";

    private static string Phrase(SchemaCondition c, bool top) => c.Kind switch
    {
        ConditionKind.Config => c.Config!,
        ConditionKind.Not => "not " + Phrase(c.Operands[0], top: false),
        _ when c.Operands.Count == 1 => Phrase(c.Operands[0], top),
        _ => (top ? "" : "(") + string.Join(c.Kind == ConditionKind.All ? " and " : " or ", c.Operands.Select(o => Phrase(o, top: false))) + (top ? "" : ")"),
    };

    /// <summary>The body, then the text after the member descriptions (QAPI's untagged sections).</summary>
    private static List<string> Description(SchemaDoc? doc)
    {
        if (doc is null)
            return [];
        var paragraphs = QapiParagraphs(doc.Body);
        foreach (var section in doc.Sections.Where(s => s.Tag == SchemaDoc.Untagged))
            paragraphs.AddRange(QapiParagraphs(section.Text));
        return paragraphs;
    }

    private static List<string> NotesOf(SchemaDoc? doc) =>
        doc is null ? [] : doc.Sections.Where(s => s.Tag is SchemaDoc.Note or "Notes").SelectMany(s => QapiParagraphs(s.Text)).ToList();

    private static string DocText(string? text, string missing = "Not documented.") =>
        string.IsNullOrWhiteSpace(text) ? missing : Clean(QapiText(text));

    private static string WithCondition(string text, SchemaCondition? condition) =>
        ConditionSentence(condition) is not { } sentence ? text
        : text.Length == 0 ? sentence
        : text + (text[^1] is '.' or '!' or '?' or ':' ? " " : ". ") + sentence;

    /// <summary>QAPI prose as a reader reads it: <c>@name</c> (a reference to a member or definition) is just the name.</summary>
    private static string QapiText(string text) => AtReference().Replace(text, "");

    private static List<string> QapiParagraphs(string text) => Paragraphs(QapiText(text));

    private static List<DocsQapiExample> QapiExamples(SchemaDoc? doc)
    {
        if (doc is null)
            return [];
        return doc.Examples.Select(example =>
        {
            var messages = example.Messages
                .Select(m => new DocsMessage(m.Direction == ExampleDirection.ToServer ? "->" : "<-", Pretty(m.Json) ?? m.Text.Trim()))
                .ToList();
            var repairs = example.Messages.SelectMany(m => m.Repairs).Distinct(StringComparer.Ordinal).ToList();
            var status = example.Messages.Any(m => m.Json is null) ? "unreadable" : repairs.Count > 0 ? "repaired" : "checked";
            return new DocsQapiExample(example.Caption is null ? null : Clean(example.Caption), messages, status, repairs);
        }).ToList();
    }

    /// <summary>C# types as a reader writes them: the client's namespace and System's dropped.</summary>
    private static string QapiShort(string type) => Short(type.Replace("global::" + ClientNamespace + ".", "", StringComparison.Ordinal));

    [GeneratedRegex(@"(?<![\w@.])@(?=[A-Za-z_])")]
    private static partial Regex AtReference();

    /// <summary>An <c>include</c> or <c>pragma</c> directive at the start of a line: where a definition's text ends.</summary>
    [GeneratedRegex(@"^[ \t]*\{[ \t]*'(include|pragma)'", RegexOptions.Multiline)]
    private static partial Regex Directive();

    /// <summary>An <c>include</c> directive at the start of a line (comments start with '#', so they never match).</summary>
    [GeneratedRegex(@"^[ \t]*\{[ \t]*'include'[ \t]*:[ \t]*'(?<file>[^']*)'", RegexOptions.Multiline)]
    private static partial Regex Include();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotSlug();
}
