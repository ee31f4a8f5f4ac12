using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;

namespace Qmp.Codegen.Hx;

/// <summary>
/// Reads one or more .hx schema files into a <see cref="SchemaModel"/>. A pure function of the
/// texts: no I/O, never throws on bad input; every problem becomes a located diagnostic.
/// Documentation blocks are matched to table entries by name across all files, so a second file
/// may document commands the first one declares.
/// </summary>
public static class SchemaParser
{
    public static SchemaModel Parse(string path, string text) => Parse(new[] { new SchemaSource(path, text) });

    public static SchemaModel Parse(IEnumerable<SchemaSource> sources) => Parse(sources, null);

    /// <summary>
    /// Reads the files into the QMP schema model: <see cref="Parse(IEnumerable{SchemaSource})"/>, then
    /// <see cref="HxSchemaBuilder"/> on the example values as the lenient reader read them (no second parse).
    /// </summary>
    public static QmpSchemaResult Read(IEnumerable<SchemaSource> sources)
    {
        var examples = new HxExampleValues();
        var model = Parse(sources, examples);
        return new QmpSchemaResult(model, HxSchemaBuilder.Build(model, examples));
    }

    private static string Number(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static SchemaModel Parse(IEnumerable<SchemaSource> sources, HxExampleValues? examples)
    {
        var diagnostics = new List<SchemaDiagnostic>();
        var commands = new List<CommandBuilder>();
        var events = new List<CommandBuilder>();
        var docs = new List<(SchemaSource Source, RawDoc Doc)>();
        var prose = new List<ProseBlock>();

        foreach (var source in sources)
        {
            var scanner = new HxScanner(source, diagnostics);
            scanner.Scan();
            foreach (var entry in scanner.Entries)
            {
                var built = ReadEntry(source, entry, diagnostics);
                if (built is not null)
                {
                    (built.IsEvent ? events : commands).Add(built);
                }
            }
            var reader = new DocBlockReader(source, diagnostics);
            foreach (var doc in reader.ReadAll(scanner.DocBlocks, scanner))
            {
                docs.Add((source, doc));
            }

            prose.AddRange(reader.Prose);
        }

        var byName = new Dictionary<string, CommandBuilder>();
        foreach (var entry in commands.Concat(events))
        {
            if (byName.TryGetValue(entry.Name, out var first))
            {
                entry.Duplicate = true;
                diagnostics.Add(SchemaDiagnostics.DuplicateCommand.Report(entry.NameLocation, entry.IsEvent ? "event" : "command", entry.Name,
                    first.NameLocation.Path, Number(first.NameLocation.Line), Number(first.NameLocation.Column)));
                continue;
            }
            byName.Add(entry.Name, entry);
        }

        foreach (var (source, doc) in docs)
        {
            Attach(source, doc, byName, diagnostics, examples);
        }

        foreach (var entry in commands.Concat(events).Where(e => !e.Duplicate))
        {
            if (entry.Condition is not null && !entry.IsEvent)
            {
                diagnostics.Add(SchemaDiagnostics.ConditionalCommand.Report(entry.NameLocation, entry.Name, entry.Condition!));
            }
            if (entry.Doc is null)
            {
                diagnostics.Add(SchemaDiagnostics.CommandWithoutDoc.Report(entry.NameLocation, entry.IsEvent ? "event" : "command", entry.Name));
            }
        }

        var commandSpecs = commands.Where(c => !c.Duplicate).Select(c => c.ToCommand()).ToEquatableArray();
        var eventSpecs = events.Where(c => !c.Duplicate).Select(c => c.ToEvent()).ToEquatableArray();
        var ordered = diagnostics
            .OrderBy(d => d.Location.Path, System.StringComparer.Ordinal)
            .ThenBy(d => d.Location.Start)
            .ThenBy(d => d.Id, System.StringComparer.Ordinal)
            .ToEquatableArray();
        return new SchemaModel(commandSpecs, eventSpecs, prose.ToEquatableArray(), ordered);
    }

    private sealed class CommandBuilder
    {
        public string Name = string.Empty;
        public bool IsEvent;
        public bool Duplicate;
        public string ArgsType = string.Empty;
        public List<ArgumentSpec> Arguments = new();
        public string Handler = string.Empty;
        public bool Async;
        public string? Params;
        public string? Help;
        public string? Flags;
        public string? Condition;
        public DocBlock? Doc;
        public SchemaLocation Location;
        public SchemaLocation NameLocation;

        public CommandSpec ToCommand() => new(Name, ArgsType, Arguments.ToEquatableArray(), Handler, Async, Params, Help, Flags, Condition, Doc, Location);

        public EventSpec ToEvent() => new(Name, ArgsType, Arguments.ToEquatableArray(), Condition, Doc, Location);
    }

    private static readonly HashSet<string> s_knownFields = new()
    {
        "name", "event", "args_type", "params", "help", "user_print", "mhandler.cmd_new", "mhandler.cmd_async", "flags",
    };

    private static CommandBuilder? ReadEntry(SchemaSource source, HxTableEntry entry, List<SchemaDiagnostic> diagnostics)
    {
        var location = source.Locate(entry.Start, entry.End);
        foreach (var field in entry.FieldOffsets)
        {
            if (!s_knownFields.Contains(field.Key))
            {
                diagnostics.Add(SchemaDiagnostics.UnknownTableField.Report(source.Locate(field.Value, field.Value + field.Key.Length + 1), field.Key));
            }
        }
        var isEvent = entry.Strings.ContainsKey("event");
        if (!entry.Strings.TryGetValue(isEvent ? "event" : "name", out var name) || name.Value.Length == 0)
        {
            diagnostics.Add(SchemaDiagnostics.MalformedTableEntry.Report(source.Locate(entry.Start, entry.Start + 1), 0));
            return null;
        }
        if (!HxText.IsQmpName(name.Value))
        {
            diagnostics.Add(SchemaDiagnostics.InvalidName.Report(source.Locate(name.OffsetOf(0), name.OffsetOf(name.Value.Length - 1) + 1), 0,
                isEvent ? "event" : "command", HxText.Printable(name.Value)));
            return null;
        }
        var builder = new CommandBuilder
        {
            Name = name.Value,
            IsEvent = isEvent,
            Condition = entry.Condition,
            Location = location,
            NameLocation = source.Locate(name.OffsetOf(0), name.OffsetOf(name.Value.Length - 1) + 1),
        };
        if (entry.Strings.TryGetValue("args_type", out var argsType))
        {
            builder.ArgsType = argsType.Value;
            builder.Arguments = ArgsTypeParser.Parse(argsType, source, diagnostics);
            if (argsType.LiteralCount > 1)
            {
                diagnostics.Add(SchemaDiagnostics.StringConcatenation.Report(source.Locate(argsType.Start, argsType.OffsetOf(argsType.Value.Length - 1) + 2),
                    builder.Name, Number(argsType.LiteralCount), argsType.Value));
            }
        }
        else
        {
            diagnostics.Add(SchemaDiagnostics.MalformedTableEntry.Report(builder.NameLocation, 1, builder.Name));
        }
        if (!isEvent)
        {
            if (entry.Expressions.TryGetValue("mhandler.cmd_new", out var handler))
            {
                builder.Handler = handler.Value;
            }
            else if (entry.Expressions.TryGetValue("mhandler.cmd_async", out var asyncHandler))
            {
                builder.Handler = asyncHandler.Value;
                builder.Async = true;
            }
            else
            {
                diagnostics.Add(SchemaDiagnostics.MalformedTableEntry.Report(builder.NameLocation, 2, builder.Name));
            }
            builder.Params = entry.Strings.TryGetValue("params", out var p) ? p.Value : null;
            builder.Help = entry.Strings.TryGetValue("help", out var h) ? h.Value : null;
            builder.Flags = entry.Expressions.TryGetValue("flags", out var f) ? f.Value : null;
        }
        return builder;
    }

    private static void Attach(SchemaSource source, RawDoc doc, Dictionary<string, CommandBuilder> byName, List<SchemaDiagnostic> diagnostics, HxExampleValues? examples)
    {
        var title = doc.Title.StartsWith("@", System.StringComparison.Ordinal) ? doc.Title.Substring(1) : doc.Title;
        var titleLocation = source.Locate(doc.TitleStart, doc.TitleEnd);
        if (!byName.TryGetValue(title, out var target))
        {
            // "dump" documents dump-guest-memory: trust what its examples execute, then a unique prefix.
            var executed = doc.Examples.Select(e => e.Request?.Value?["execute"]).FirstOrDefault(v => v is { Kind: LenientJsonKind.String })?.Text;
            CommandBuilder? alias = null;
            if (executed is not null && byName.TryGetValue(executed, out var byExample) && byExample.Doc is null)
            {
                alias = byExample;
            }

            if (alias is null)
            {
                var candidates = byName.Values.Where(c => c.Doc is null && !c.IsEvent && (c.Name.StartsWith(title + "-", System.StringComparison.Ordinal) || c.Name.StartsWith(title + "_", System.StringComparison.Ordinal))).ToList();
                if (candidates.Count == 1)
                {
                    alias = candidates[0];
                }
            }
            if (alias is null)
            {
                diagnostics.Add(SchemaDiagnostics.DocTitleMatchesNoCommand.Report(titleLocation, doc.Title));
                return;
            }
            diagnostics.Add(SchemaDiagnostics.DocTitleAlias.Report(titleLocation, doc.Title, alias.Name));
            target = alias;
        }
        if (target.Doc is not null)
        {
            diagnostics.Add(SchemaDiagnostics.DuplicateDocBlock.Report(titleLocation, target.Name));
            return;
        }
        target.Doc = DocModelBuilder.Build(source, doc, target.Name, target.IsEvent, target.Arguments, diagnostics, examples);
    }
}

/// <summary>What <see cref="SchemaParser.Read"/> gives: the .hx-level model and the QMP schema model built from it.</summary>
public sealed record QmpSchemaResult(SchemaModel Hx, Schema.QmpSchema Schema);

/// <summary>
/// The example messages as the lenient reader read them, by the <see cref="DocExample"/> they
/// belong to, so the schema builder infers types from them without parsing their text again.
/// </summary>
public sealed class HxExampleValues
{
    private readonly Dictionary<DocExample, (LenientJsonValue? Request, LenientJsonValue? Reply)> _values = new(new ByReference());

    internal void Add(DocExample example, LenientJsonValue? request, LenientJsonValue? reply) => _values[example] = (request, reply);

    internal bool TryGet(DocExample example, out (LenientJsonValue? Request, LenientJsonValue? Reply) values) => _values.TryGetValue(example, out values);

    private sealed class ByReference : IEqualityComparer<DocExample>
    {
        public bool Equals(DocExample? x, DocExample? y) => ReferenceEquals(x, y);

        public int GetHashCode(DocExample obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }
}
