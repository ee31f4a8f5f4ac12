using System.Text.RegularExpressions;
using Qmp.Codegen.Docs;
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
    /// Each included file's sections stand where its <c>include</c> stands (the model's modules and
    /// includes), as QEMU's own manual does. <paramref name="texts"/> (the files' texts by the
    /// reader's paths) place diagnostics with the definitions whose text holds them.
    /// </summary>
    public static DocsPage BuildQapi(QapiReadResult read, string topFile, IReadOnlyDictionary<string, string>? texts = null, string? clientNamespace = null)
    {
        var schema = read.Schema;
        var index = SchemaIndex.Of(schema);
        var types = new ShownTypes(index);
        // A type whose bases lead back to it (QMP0222, which the page lists) renders nothing: no
        // section, no members where it is used, its name plain text, no client method that takes or returns it.
        var cyclic = schema.Types.Where(index.InBaseCycle).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);

        // The generator's own names for the client's methods and event records.
        var spec = SpecBuilder.Build(schema, ClientNamespace, client: true, server: false, new List<SchemaDiagnostic>());
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

        foreach (var c in schema.Commands.Where(c => cyclic.Contains(c.Arguments?.Name ?? "") || cyclic.Contains(c.Returns?.Name ?? "")))
        {
            commandSpecs.Remove(c.Name);
        }

        foreach (var e in schema.Events.Where(e => cyclic.Contains(e.Data?.Name ?? "")))
        {
            eventSpecs.Remove(e.Name);
        }

        var files = read.Files.ToList();
        var documentOrder = DocumentOrder(schema);
        int FileIndex(string path)
        {
            var i = files.IndexOf(path);
            return i < 0 ? files.Count : i;
        }
        string? Link(string name) =>
            types.Get(name) is { } t && t is not SchemaObjectType { IsImplicit: true } ? TypeAnchorPrefix + name : null;

        var shownTypes = schema.Types.Where(t => t is not SchemaObjectType { IsImplicit: true } && types.Get(t.Name) is not null)
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

        // Where a definition's name points from doc text (@name): its section.
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (anchor, name) in commands.Select(c => (c.Name, c.Name))
            .Concat(events.Select(e => ("event-" + e.Name, e.Name)))
            .Concat(shownTypes.Select(t => (TypeAnchorPrefix + t.Name, t.Name))))
        {
            named.TryAdd(name, anchor);
        }

        var context = new QapiContext(types, index, Link, new References(named), definitions.Select(d => d.Anchor).ToHashSet(StringComparer.Ordinal), t => CSharpTypes.Of(t, spec));
        foreach (var c in commands.OrderBy(c => FileIndex(c.Location.Path)).ThenBy(c => c.Location.Start))
        {
            SectionOf(c.Location).Commands.Add(QapiCommand(c, context, commandSpecs.GetValueOrDefault(c.Name), client, DiagnosticsOf(c.Name)));
        }

        foreach (var e in events.OrderBy(e => FileIndex(e.Location.Path)).ThenBy(e => e.Location.Start))
        {
            SectionOf(e.Location).Events.Add(QapiEvent(e, context, eventSpecs.GetValueOrDefault(e.Name), DiagnosticsOf("event-" + e.Name)));
        }

        foreach (var t in shownTypes.OrderBy(t => FileIndex(t.Location.Path)).ThenBy(t => t.Location.Start))
        {
            SectionOf(t.Location).Types.Add(QapiType(t, context, context.CSharp(t), DiagnosticsOf(TypeAnchorPrefix + t.Name)));
        }

        // Free-form text: under its section when that section has entries; otherwise (QEMU's
        // introduction in the top file) it opens the page.
        var prose = new List<DocsProse>();
        foreach (var p in schema.Prose.OrderBy(p => FileIndex(p.Location.Path)).ThenBy(p => p.Location.Start))
        {
            if (string.IsNullOrWhiteSpace(p.Text))
            {
                continue;
            }

            if (sections.TryGetValue(Find(p.Location, self: true).Key, out var section))
            {
                section.Paragraphs.AddRange(QapiParagraphs(p.Text, context.Refs));
            }
            else
            {
                // Read as rST by the one doc reader, as QEMU's manual reads it: literal blocks, lists and
                // paragraphs (the .hx page's folded prose needs Sections' own cutting; QAPI's does not).
                prose.Add(new DocsProse(string.IsNullOrWhiteSpace(p.Heading) ? "Introduction" : Clean(p.Heading), [new DocsProseSection(null, QapiParagraphs(p.Text, context.Refs))]));
            }
        }

        var areas = new List<DocsArea>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var section in sections.Values.OrderBy(s => Position(documentOrder, s.Path, s.Order.Start, s.Order.File), PositionComparer.Instance))
        {
            var id = Slug(section.Title);
            for (var n = 2; !ids.Add(id); n++)
            {
                id = Slug(section.Title) + "-" + n;
            }

            var counts = new List<string>();
            if (section.Commands.Count > 0)
            {
                counts.Add(Count(section.Commands.Count, "command"));
            }

            if (section.Events.Count > 0)
            {
                counts.Add(Count(section.Events.Count, "event"));
            }

            if (section.Types.Count > 0)
            {
                counts.Add(Count(section.Types.Count, "type"));
            }

            areas.Add(new DocsArea(id, section.Title, FileName(section.Path) + ": " + string.Join(", ", counts) + ".",
                [.. section.Commands, .. section.Events, .. section.Types])
            { Paragraphs = section.Paragraphs });
        }

        return new DocsPage("QMP reference", FileName(topFile), commands.Count, events.Count, prose, areas, other)
        {
            Qapi = true,
            TypeCount = shownTypes.Count,
            FileCount = files.Count,
            ClientClass = client,
            ClientNamespace = clientNamespace ?? ClientNamespace,
        };
    }

    /// <summary>
    /// Where each file's text goes in the document: the path of include offsets that leads to it from
    /// the top file (a file is read once, at its first include), from the model's modules and includes.
    /// </summary>
    private static Dictionary<string, List<int>> DocumentOrder(QmpSchema schema)
    {
        var order = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var modules = new Dictionary<string, SchemaModule>(StringComparer.Ordinal);
        foreach (var module in schema.Modules)
        {
            modules.TryAdd(module.Path, module);
        }

        void Walk(string path, List<int> at)
        {
            if (!order.TryAdd(path, at) || !modules.TryGetValue(path, out var module))
            {
                return;
            }

            foreach (var include in module.Includes)
            {
                Walk(include.Path, [.. at, include.Location.Start]);
            }
        }
        if (schema.Modules.Count > 0)
        {
            Walk(schema.Modules[0].Path, []);
        }

        return order;
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
                {
                    return x[i].CompareTo(y[i]);
                }
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
            {
                boundaries[path] = list = [];
            }

            list.Add(at);
        }
        foreach (var (_, location, doc) in definitions)
        {
            Boundary(location.Path, location.Start);
            if (doc is not null)
            {
                Boundary(doc.Location.Path, doc.Location.Start);
            }
        }
        foreach (var p in schema.Prose)
        {
            Boundary(p.Location.Path, p.Location.Start);
        }

        foreach (var (path, text) in texts ?? new Dictionary<string, string>())
        {
            foreach (Match directive in Directive().Matches(text))
            {
                Boundary(path, directive.Index);
            }
        }
        foreach (var list in boundaries.Values)
        {
            list.Sort();
        }

        var spans = new List<(string Anchor, string Path, int Start, int End)>();
        foreach (var (anchor, _, doc) in definitions)
        {
            if (doc is not null && doc.Location.Path.Length > 0)
            {
                spans.Add((anchor, doc.Location.Path, doc.Location.Start, doc.Location.Start + Math.Max(doc.Location.Length, 1)));
            }
        }
        foreach (var (anchor, location, _) in definitions)
        {
            if (location.Path.Length == 0)
            {
                continue;
            }

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
            {
                other.Add(view);
            }
            else if (byAnchor.TryGetValue(owner.Anchor, out var list))
            {
                list.Add(view);
            }
            else
            {
                byAnchor[owner.Anchor] = [view];
            }
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

    /// <summary>
    /// What the entity builders share. <see cref="Refs"/> resolves @name to definitions only;
    /// <see cref="Ids"/> holds every anchor given out so far, so a member's anchor never takes one twice.
    /// </summary>
    private sealed record QapiContext(ShownTypes Types, SchemaIndex Index, Func<string, string?> Link, References Refs, HashSet<string> Ids, Func<SchemaType, CSharpTypes.Shape?> CSharp)
    {
        private readonly Dictionary<(string Union, string Value), string?> _branchAnchors = [];

        /// <summary>
        /// The anchor of a union branch's row (<c>type-UNION.TAG.VALUE</c>; a member name holds no dot,
        /// so it takes no member's), the same for the union's section and every command that takes the
        /// union, whichever asks first; null when taken.
        /// </summary>
        public string? BranchAnchor(SchemaObjectType union, string value)
        {
            if (!_branchAnchors.TryGetValue((union.Name, value), out var anchor))
            {
                anchor = TypeAnchorPrefix + union.Name + "." + union.Variants!.Tag + "." + value;
                _branchAnchors[(union.Name, value)] = anchor = Ids.Add(anchor) ? anchor : null;
            }
            return anchor;
        }

        /// <summary>
        /// The anchors of an entity's member rows (<c>ANCHOR.member</c>, each name once, none that is
        /// taken), and the references of its doc text: its own members first, then definitions.
        /// </summary>
        public (References Refs, Dictionary<string, string> Anchors) Scope(string entryAnchor, IEnumerable<string> names)
        {
            var anchors = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var name in names)
            {
                if (!anchors.ContainsKey(name) && Ids.Add(entryAnchor + "." + name))
                {
                    anchors[name] = entryAnchor + "." + name;
                }
            }
            return (Refs.With(anchors), anchors);
        }
    }

    /// <summary>What an <c>@name</c> in doc text points to: a member of the entity described (its row), else a definition (its section), else nothing (shown as code).</summary>
    private sealed class References(IReadOnlyDictionary<string, string> definitions, IReadOnlyDictionary<string, string>? members = null)
    {
        public References With(IReadOnlyDictionary<string, string> rows) => new(definitions, rows);

        public string? Anchor(string name) =>
            members is not null && members.TryGetValue(name, out var row) ? row : definitions.GetValueOrDefault(name);
    }

    private static DocsEntry QapiCommand(SchemaCommand command, QapiContext context, CommandGenerationSpec? spec, string client, IReadOnlyList<DocsDiagnostic> diagnostics)
    {
        var doc = command.Doc;
        var arguments = ObjectOf(command.Arguments, context.Types);
        var (refs, anchors) = context.Scope(command.Name, arguments is null ? [] : context.Index.AllMembers(arguments).Select(m => m.Name));
        var parts = Synopsis(arguments, context.Types);
        if (arguments is { IsUnion: true })
        {
            parts.Add("...");
        }

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
                if (spec.AcceptsAnyKey)
                {
                    declared.Add("JsonObject? additionalProperties = null");
                    passed.Add("additionalProperties");
                }
            }
            declared.Add("CancellationToken cancellationToken = default");
            passed.Add("cancellationToken");
            var result = spec.Result is null ? null : QapiShort(spec.Result.ClrType);
            signature = (result is null ? "Task" : "Task<" + result + ">") + " " + client + "." + spec.MethodName + "(" + string.Join(", ", declared) + ")";
            call = (result is null ? "" : "var result = ") + "await qemu." + spec.MethodName + "(" + string.Join(", ", passed) + ");";
        }

        // A named arguments type (or a boxed union) is linked; its members are still listed when it is a struct.
        var named = command.Arguments is { } a && context.Link(a.Name) is not null ? a : null;
        // What is returned and, apart from it, the error cases QEMU 7.2 lists under Returns; QEMU 8+'s Errors after them.
        var (returned, errorCases) = DocReader.Returns(doc?.Section(SchemaDoc.Returns) is { } returnsText ? QapiText(returnsText, refs) : null);
        var returnsDescription = returned.Select(DocSourceWriter.Instance.Write).ToList();
        var errors = errorCases.Concat(DocReader.Errors(doc?.Section(SchemaDoc.Errors) is { } errorsText ? QapiText(errorsText, refs) : null))
            .Select(e => DocSourceWriter.Instance.Write(e.When) + (e.ErrorClass is null ? "" : ": ``" + e.ErrorClass + "``")).ToList();
        var qapi = Facts("command", command.Features, command.Condition, doc, refs) with
        {
            ArgumentsType = named?.ToString(),
            ArgumentsLink = named is null ? null : context.Link(named.Name),
            ReturnsLink = command.Returns is null ? null : context.Link(command.Returns.Name),
            Errors = errors,
            Examples = QapiExamples(doc, refs, (arguments, arguments is not null && context.Index.IsOpen(arguments), context.Index)),
            Flags = FlagSentences(command.Flags),
        };
        if (arguments is { Variants: { } variants })
        {
            // The synopsis ends in "...": the branches say what comes, each linked to its row in the union's section and its type's.
            qapi = qapi with
            {
                Discriminator = variants.Tag,
                Branches = UnionBranches(arguments, context, refs, context.CSharp(arguments))
                    .Select(b => b with { Anchor = null, ValueLink = b.Anchor }).ToList(),
            };
        }
        return new DocsEntry(
            "command", command.Name, command.Name, doc is not null,
            Description(doc, refs), synopsis, "", null, false,
            arguments is null ? [] : [.. MemberRows(arguments, context, refs, anchors), .. context.Index.IsOpen(arguments) ? [s_openRow] : Array.Empty<DocsRow>()],
            returnsDescription, command.Returns?.ToString(), [], [],
            NotesOf(doc, refs), diagnostics, signature, call)
        { Qapi = qapi };
    }

    private static DocsEntry QapiEvent(SchemaEvent e, QapiContext context, EventGenerationSpec? spec, IReadOnlyList<DocsDiagnostic> diagnostics)
    {
        var doc = e.Doc;
        var data = ObjectOf(e.Data, context.Types);
        var (refs, anchors) = context.Scope("event-" + e.Name, data is null ? [] : context.Index.AllMembers(data).Select(m => m.Name));
        var parts = Synopsis(data, context.Types);
        if (data is { IsUnion: true })
        {
            parts.Add("...");
        }

        var synopsis = Envelope("<- { \"event\": " + Quote(e.Name), "\"data\"", parts, ", \"timestamp\": { \"seconds\": int, \"microseconds\": int }");
        string signature = "", call = "";
        if (spec is not null)
        {
            var record = spec.Record;
            signature = "record " + record.Name + " { " + string.Concat(record.Properties.Select(p => QapiShort(p.DeclaredType) + " " + p.ClrName + "; ")) + "}";
            call = "await foreach (var e in qemu.ReadEventsAsync<" + record.Name + ">(cancellationToken))";
        }
        var named = e.Data is { } d && context.Link(d.Name) is not null ? d : null;
        var qapi = Facts("event", e.Features, e.Condition, doc, refs) with
        {
            ArgumentsType = named?.ToString(),
            ArgumentsLink = named is null ? null : context.Link(named.Name),
            Examples = QapiExamples(doc, refs),
        };
        return new DocsEntry(
            "event", e.Name, "event-" + e.Name, doc is not null,
            Description(doc, refs), synopsis, "", null, false,
            data is null ? [] : MemberRows(data, context, refs, anchors),
            [], null, [], [],
            NotesOf(doc, refs), diagnostics, signature, call)
        { Qapi = qapi };
    }

    private static DocsEntry QapiType(SchemaType type, QapiContext context, CSharpTypes.Shape? csharp, IReadOnlyList<DocsDiagnostic> diagnostics)
    {
        var doc = type.Doc;
        var kind = type switch
        {
            SchemaObjectType { IsUnion: true } => "union",
            SchemaObjectType => "struct",
            SchemaEnumType => "enum",
            _ => "alternate",
        };
        var names = type switch
        {
            SchemaObjectType o => context.Index.AllMembers(o).Select(m => m.Name),
            SchemaEnumType en => en.Values.Select(v => v.Name),
            SchemaAlternateType alt => alt.Branches.Select(b => b.Name),
            _ => [],
        };
        var (refs, anchors) = context.Scope(TypeAnchorPrefix + type.Name, names);
        var qapi = Facts(kind, type.Features, type.Condition, doc, refs) with { Examples = QapiExamples(doc, refs) };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        switch (type)
        {
            case SchemaObjectType o:
                var baseType = o.Base is { } b && context.Link(b) is { } baseLink ? b : null;
                qapi = qapi with
                {
                    Base = baseType,
                    BaseLink = baseType is null ? null : context.Link(baseType),
                    Members = MemberRows(o, context, refs, anchors),
                    Discriminator = o.Variants?.Tag,
                    Branches = o.Variants is null ? [] : UnionBranches(o, context, refs, csharp),
                };
                break;
            case SchemaEnumType en:
                qapi = qapi with
                {
                    Values = en.Values.Select(v => new DocsValue(v.Name, WithCondition(DocText(v.Doc, refs, ""), v.Condition), Badges(v.Features), ConditionSentence(v.Condition))
                    {
                        Anchor = RowAnchor(anchors, v.Name, seen),
                    }).ToList(),
                };
                break;
            case SchemaAlternateType alt:
                qapi = qapi with
                {
                    Branches = alt.Branches.Select(br => new DocsBranch(br.Name, br.Type.ToString(), context.Link(br.Type.Name), WithCondition(DocText(br.Doc, refs), br.Condition), ConditionSentence(br.Condition))
                    {
                        Anchor = RowAnchor(anchors, br.Name, seen),
                    }).ToList(),
                };
                break;
        }
        return new DocsEntry(
            kind, type.Name, TypeAnchorPrefix + type.Name, doc is not null,
            Description(doc, refs), "", "", null, false,
            [], [], null, [], [],
            NotesOf(doc, refs), diagnostics, csharp?.Declaration ?? "", csharp?.Usage ?? "")
        { Qapi = qapi };
    }

    /// <summary>A union's branches in the order of its tag's enum, tag values without members of their own included.</summary>
    private static List<DocsBranch> UnionBranches(SchemaObjectType union, QapiContext context, References refs, CSharpTypes.Shape? csharp)
    {
        var written = union.Variants!.Branches.GroupBy(v => v.Case, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var tagEnum = context.Index.TagEnum(union);
        var order = tagEnum is null ? written.Keys.ToList() : tagEnum.Values.Select(v => v.Name).Concat(written.Keys).Distinct(StringComparer.Ordinal).ToList();
        var branches = new List<DocsBranch>();
        foreach (var value in order)
        {
            var valueDoc = tagEnum?.Values.FirstOrDefault(v => v.Name == value)?.Doc;
            if (written.TryGetValue(value, out var branch))
            {
                branches.Add(new DocsBranch(value, branch.Type.ToString(), context.Link(branch.Type.Name), WithCondition(DocText(valueDoc, refs, ""), branch.Condition), ConditionSentence(branch.Condition))
                {
                    ClrName = csharp?.Branches.GetValueOrDefault(value),
                    Anchor = context.BranchAnchor(union, value),
                });
            }
            else
            {
                branches.Add(new DocsBranch(value, "", null, DocText(valueDoc, refs, ""), null) { ClrName = csharp?.Branches.GetValueOrDefault(value), Anchor = context.BranchAnchor(union, value) });
            }
        }
        return branches;
    }

    /// <summary>An object type's members, its bases' first (each marked with the base it comes from), each type linked.</summary>
    private static List<DocsRow> MemberRows(SchemaObjectType type, QapiContext context, References refs, Dictionary<string, string> anchors)
    {
        var rows = new List<DocsRow>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var owner in context.Index.BaseChain(type))
        {
            // An inline base (q_obj_NAME-base) has no section: its members read as the type's own.
            var from = ReferenceEquals(owner, type) || owner.IsImplicit ? null : owner.Name;
            foreach (var member in owner.Members)
            {
                rows.Add(new DocsRow(member.Name, 0, member.Type.ToString(), member.Optional, WithCondition(DocText(member.Doc, refs), member.Condition))
                {
                    Anchor = RowAnchor(anchors, member.Name, seen),
                    Link = context.Link(member.Type.Name),
                    Badges = Badges(member.Features),
                    From = from,
                });
            }
        }
        return rows;
    }

    /// <summary>The anchor of a member's row, for the first row of that name only (a schema with errors may repeat a name).</summary>
    private static string? RowAnchor(Dictionary<string, string> anchors, string name, HashSet<string> seen) =>
        anchors.TryGetValue(name, out var anchor) && seen.Add(name) ? anchor : null;

    /// <summary>What every QAPI entity has: kind, since, marks, condition, features; the rest empty, for the caller to fill.</summary>
    private static DocsQapi Facts(string kind, EquatableArray<SchemaFeature> features, SchemaCondition? condition, SchemaDoc? doc, References refs)
    {
        // Since is a version, rendered as plain text: a reference there is just its name.
        var since = doc?.SinceVersion is { } s && !string.IsNullOrWhiteSpace(s) ? Clean(AtReference().Replace(s, "${name}")).TrimEnd('.') : null;
        var featureDocs = doc?.Features ?? EquatableArray<SchemaFeatureDoc>.Empty;
        var list = features.Select(f => new DocsFeature(
            f.Name,
            featureDocs.FirstOrDefault(fd => fd.Name == f.Name) is { } fd && !string.IsNullOrWhiteSpace(fd.Text) ? Clean(QapiText(fd.Text, refs)) : "",
            f.Name is SchemaFeature.Deprecated or SchemaFeature.Unstable,
            ConditionSentence(f.Condition))).ToList();
        // Features the doc describes for members (QEMU documents a member's feature on its definition).
        foreach (var fd in featureDocs.Where(fd => !list.Exists(f => f.Name == fd.Name) && !string.IsNullOrWhiteSpace(fd.Text)))
        {
            list.Add(new DocsFeature(fd.Name, Clean(QapiText(fd.Text, refs)), fd.Name is SchemaFeature.Deprecated or SchemaFeature.Unstable, null));
        }

        return new DocsQapi(kind, since, Badges(features), ConditionSentence(condition), list,
            null, null, null, [], null, null, [], null, [], [], []);
    }

    /// <summary>A command's QAPI flags that change what a client may do or gets back, as sentences.</summary>
    private static List<string> FlagSentences(SchemaCommandFlags flags)
    {
        var sentences = new List<string>();
        if (flags.AllowOob)
        {
            sentences.Add("May be sent out-of-band (exec-oob), once the oob capability is on.");
        }

        if (flags.AllowPreconfig)
        {
            sentences.Add("Allowed before the machine is configured (--preconfig).");
        }

        if (!flags.SuccessResponse)
        {
            sentences.Add("QEMU sends no reply when it succeeds.");
        }

        return sentences;
    }

    private static List<string> Badges(EquatableArray<SchemaFeature> features)
    {
        var badges = new List<string>();
        if (SchemaFeature.Has(features, SchemaFeature.Deprecated))
        {
            badges.Add(SchemaFeature.Deprecated);
        }

        if (SchemaFeature.Has(features, SchemaFeature.Unstable))
        {
            badges.Add(SchemaFeature.Unstable);
        }

        return badges;
    }

    /// <summary>A build condition in words, as the XML docs word it: <c>Only in QEMU builds with CONFIG_A and without CONFIG_B.</c></summary>
    internal static string? ConditionSentence(SchemaCondition? condition) =>
        condition is null ? null : DocReader.ConditionSentence(condition);

    /// <summary>The body, then the text after the member descriptions (QAPI's untagged sections).</summary>
    private static List<string> Description(SchemaDoc? doc, References refs)
    {
        if (doc is null)
        {
            return [];
        }

        var paragraphs = QapiParagraphs(doc.Body, refs);
        foreach (var section in doc.Sections.Where(s => s.Tag == SchemaDoc.Untagged))
        {
            paragraphs.AddRange(QapiParagraphs(section.Text, refs));
        }

        return paragraphs;
    }

    private static List<string> NotesOf(SchemaDoc? doc, References refs) =>
        doc is null ? [] : doc.Sections.Where(s => s.Tag is SchemaDoc.Note or "Notes").SelectMany(s => QapiParagraphs(s.Text, refs)).ToList();

    private static string DocText(string? text, References refs, string missing = "Not documented.") =>
        string.IsNullOrWhiteSpace(text) ? missing : Clean(QapiText(text, refs));

    private static string WithCondition(string text, SchemaCondition? condition) =>
        ConditionSentence(condition) is not { } sentence ? text
        : text.Length == 0 ? sentence
        : text + (text[^1] is '.' or '!' or '?' or ':' ? " " : ". ") + sentence;

    /// <summary>
    /// QAPI prose as a reader reads it: each <c>@name</c> a reference (<see cref="DocsText"/>) to the
    /// member's row or the definition's section when the page has one, else to nothing (code); the
    /// rST directives the reader leaves in the text (QEMU 10's caution, admonition, table) as plain
    /// labelled text.
    /// </summary>
    private static string QapiText(string text, References refs) =>
        AtReference().Replace(Directives(DocsText.WithoutMarkers(text)), m => DocsText.Reference(m.Groups["name"].Value, refs.Anchor(m.Groups["name"].Value)));

    /// <summary>QAPI prose as its blocks (<see cref="DocReader"/>: paragraphs, lists, literal blocks), each in the text form the templates' writers read back.</summary>
    private static List<string> QapiParagraphs(string text, References refs) =>
        DocReader.Blocks(QapiText(text, refs)).Select(DocSourceWriter.Instance.Write).ToList();

    /// <summary>
    /// rST directives in doc text: an admonition becomes its title as a label (<c>.. caution:: X</c>
    /// reads <c>Caution: X</c>, <c>.. admonition:: Notes</c> reads <c>Notes:</c>), any other directive
    /// its argument; a directive's option lines (<c>:widths: auto</c>) go, and a simple table (a run
    /// of lines between '=' rules) reads a paragraph per row, its cells joined by commas.
    /// QEMU's reader already made examples and notes of <c>qmp-example</c> and <c>note</c>.
    /// </summary>
    private static string Directives(string text)
    {
        if (!text.Contains(".. ", StringComparison.Ordinal))
        {
            return text;
        }

        text = DirectiveLine().Replace(text, m =>
        {
            var name = m.Groups["name"].Value;
            var argument = m.Groups["argument"].Value.Trim();
            var label = name switch
            {
                "admonition" => argument.Length == 0 ? "" : argument.TrimEnd(':') + ":",
                "caution" or "warning" or "important" or "attention" or "danger" or "error" or "hint" or "tip" or "note" or "seealso"
                    => (name == "seealso" ? "See also" : char.ToUpperInvariant(name[0]) + name[1..]) + ":" + (argument.Length == 0 ? "" : " " + argument),
                _ => argument.Length == 0 ? "" : argument.TrimEnd(':') + ":",
            };
            return m.Groups["indent"].Value + label;
        });
        return SimpleTable().Replace(text, table => string.Join("\n\n", table.Value.Split('\n')
            .Where(line => !TableRule().IsMatch(line))
            .Select(line => string.Join(", ", TableCellGap().Split(line.Trim())))));
    }

    /// <summary>
    /// The examples, pretty-printed and badged. <paramref name="request"/> (a command's): its arguments'
    /// type, whether they are open, and the index, to check that the typed client keeps every member
    /// an example sends (<see cref="DocsExampleCheck"/>).
    /// </summary>
    private static List<DocsQapiExample> QapiExamples(SchemaDoc? doc, References refs, (SchemaObjectType? Arguments, bool Open, SchemaIndex Index)? request = null)
    {
        if (doc is null)
        {
            return [];
        }

        return doc.Examples.Select(example =>
        {
            var messages = example.Messages
                .Select(m => new DocsMessage(m.Direction == ExampleDirection.ToServer ? "->" : "<-", Pretty(m.Json) ?? m.Text.Trim()))
                .ToList();
            var repairs = example.Messages.SelectMany(m => m.Repairs).Distinct(StringComparer.Ordinal).ToList();
            var dropped = request is { } r
                ? example.Messages.Where(m => m.Direction == ExampleDirection.ToServer).SelectMany(m => DocsExampleCheck.Dropped(m.Json, r.Arguments, r.Open, r.Index)).Distinct(StringComparer.Ordinal).ToList()
                : [];
            var status = example.Messages.Any(m => m.Json is null) ? "unreadable" : repairs.Count > 0 ? "repaired" : dropped.Count > 0 ? "dropped" : "checked";
            return new DocsQapiExample(example.Caption is null ? null : Caption(QapiText(example.Caption, refs)), messages, status, repairs) { Dropped = dropped };
        }).ToList();
    }

    /// <summary>C# types as a reader writes them: the client's namespace and System's dropped.</summary>
    private static string QapiShort(string type) => Short(type.Replace("global::" + ClientNamespace + ".", "", StringComparison.Ordinal));

    /// <summary>QAPI's <c>@name</c> (QEMU's own docs read <c>@([\w-]+)</c>); not inside an address (<c>a@b</c>), never ending in '-'.</summary>
    [GeneratedRegex(@"(?<![\w@.])@(?<name>[A-Za-z_](?:[\w-]*\w)?)")]
    private static partial Regex AtReference();

    /// <summary>An rST directive line, <c>.. name:: argument</c>, with the option lines (<c>:key: value</c>) right after it.</summary>
    [GeneratedRegex(@"^(?<indent>[ \t]*)\.\.[ \t]+(?<name>[a-z][a-z-]*)::(?<argument>[^\n]*)(?:\n[ \t]+:[a-z-]+:[^\n]*)*", RegexOptions.Multiline)]
    private static partial Regex DirectiveLine();

    /// <summary>A rule of an rST simple table: '=' runs (two or more columns) and spaces.</summary>
    [GeneratedRegex(@"^[ \t]*=+(?:[ \t]+=+)+[ \t]*$")]
    private static partial Regex TableRule();

    /// <summary>An rST simple table: lines without a blank one, from a rule to a rule.</summary>
    [GeneratedRegex(@"^[ \t]*=+(?:[ \t]+=+)+[ \t]*\n(?:[ \t]*\S[^\n]*\n)*[ \t]*=+(?:[ \t]+=+)+[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex SimpleTable();

    /// <summary>What separates the cells of a simple table's row: two spaces or more.</summary>
    [GeneratedRegex(@"[ \t]{2,}")]
    private static partial Regex TableCellGap();

    /// <summary>An <c>include</c> or <c>pragma</c> directive at the start of a line: where a definition's text ends.</summary>
    [GeneratedRegex(@"^[ \t]*\{[ \t]*'(include|pragma)'", RegexOptions.Multiline)]
    private static partial Regex Directive();


    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotSlug();
}
