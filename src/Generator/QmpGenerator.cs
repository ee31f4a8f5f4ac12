using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Qmp.Codegen.Emit;
using Qmp.Codegen.Generation;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;

namespace Qmp.Codegen;

/// <summary>
/// The incremental generator. A project names its schema with
/// <c>&lt;QmpSchema Include="..." Namespace="..." Generate="Client;Server" /&gt;</c>; the package's
/// props turn that into an <c>AdditionalFiles</c> item with <c>QmpNamespace</c>/<c>QmpGenerate</c>
/// metadata, which is all this generator looks at. It never reads the Compilation, so editing C#
/// code leaves every step cached.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class QmpGenerator : IIncrementalGenerator
{
    public const string NamespaceMetadata = "build_metadata.AdditionalFiles.QmpNamespace";
    public const string GenerateMetadata = "build_metadata.AdditionalFiles.QmpGenerate";
    public const string AccessMetadata = "build_metadata.AdditionalFiles.QmpAccess";
    public const string DiagnosticsMetadata = "build_metadata.AdditionalFiles.QmpDiagnostics";

    /// <summary>The build configuration a QAPI server's <c>query-qmp-schema</c> answers for (see <see cref="Schema.SchemaBuildConfig"/>).</summary>
    public const string QemuConfigMetadata = "build_metadata.AdditionalFiles.QmpQemuConfig";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Step 1: the .hx files that carry our metadata, as plain values (path, text, namespace,
        // what to generate). An .hx file without a namespace is not ours.
        var files = context.AdditionalTextsProvider
            .Where(static text => text.Path.EndsWith(".hx", StringComparison.OrdinalIgnoreCase) || IsJson(text.Path))
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, ct) => ReadFile(pair.Left, pair.Right.GetOptions(pair.Left), ct))
            .Where(static file => file is not null)
            .Select(static (file, _) => file!)
            .WithTrackingName(TrackingNames.SchemaFiles);

        // Step 2: several files (commands, extra docs, events) generate into one namespace together.
        var groups = files
            .Collect()
            .Combine(QapiIncludes(context))
            .SelectMany(static (pair, _) => Group(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.SchemaGroups);

        // Step 3: parse and build the generation spec. The expensive step; it reruns only when a
        // schema file or its metadata changes.
        var parsed = groups
            .Select(static (group, ct) => Parse(group, ct))
            .WithTrackingName(TrackingNames.ParsedSchemas);

        var specs = parsed.Select(static (p, _) => p.Spec).Where(static s => s is not null).Select(static (s, _) => s!).WithTrackingName(TrackingNames.GenerationSpecs);

        // Diagnostics are their own output: a changed message does not regenerate source. Their
        // severities come from each file's Diagnostics metadata and the project's .editorconfig
        // files (see DiagnosticSeverities), which likewise change no generated source.
        var diagnostics = parsed.Select(static (p, _) => p.Diagnostics).WithTrackingName(TrackingNames.Diagnostics);
        var editorConfigs = context.AdditionalTextsProvider
            .Where(static text => string.Equals(System.IO.Path.GetFileName(text.Path), ".editorconfig", StringComparison.Ordinal))
            .Select(static (text, ct) => new EditorConfigInput(text.Path, text.GetText(ct)?.ToString() ?? string.Empty))
            .Collect();
        var severities = files
            .Select(static (file, _) => new DiagnosticsSetting(file.Path, file.Diagnostics))
            .Collect()
            .Combine(editorConfigs)
            .Select(static (pair, _) => new DiagnosticSeverities(pair.Left.ToEquatableArray(), pair.Right.ToEquatableArray()));
        context.RegisterSourceOutput(diagnostics.Combine(severities), static (spc, pair) =>
        {
            foreach (var diagnostic in pair.Right.Apply(pair.Left))
            {
                spc.ReportDiagnostic(diagnostic);
            }
        });

        // Step 4: one spec per generated file, so a schema edit regenerates only the files it changes.
        var client = specs.Select(static (s, _) => s.ClientOutput).Where(static s => s is not null).WithTrackingName(TrackingNames.ClientOutput);
        context.RegisterSourceOutput(client, static (spc, s) =>
        {
            spc.AddSource(s!.Namespace + ".Client.g.cs", SourceText.From(ClientEmitter.Emit(s), System.Text.Encoding.UTF8));
            spc.AddSource(s.Namespace + ".Client.Interface.g.cs", SourceText.From(ClientEmitter.EmitInterface(s), System.Text.Encoding.UTF8));
        });

        // The client's own schema, for CheckSchemaAsync: its own output, so only a schema change re-emits it.
        var clientSchema = parsed.Select(static (p, _) => p.ClientSchema).Where(static s => s is not null).WithTrackingName(TrackingNames.ClientSchemaOutput);
        context.RegisterSourceOutput(clientSchema, static (spc, s) => spc.AddSource(s!.Namespace + ".ClientSchema.g.cs", SourceText.From(ClientSchemaEmitter.Emit(s), System.Text.Encoding.UTF8)));

        var server = specs.Select(static (s, _) => s.ServerOutput).Where(static s => s is not null).WithTrackingName(TrackingNames.ServerOutput);
        context.RegisterSourceOutput(server, static (spc, s) =>
        {
            spc.AddSource(s!.Namespace + ".Server.g.cs", SourceText.From(ServerEmitter.Emit(s), System.Text.Encoding.UTF8));
            spc.AddSource(s.Namespace + ".Server.Handlers.g.cs", SourceText.From(ServerEmitter.EmitHandlers(s), System.Text.Encoding.UTF8));
        });

        // The types, commands and events, one spec per module (a schema file), so an edit regenerates only its module's files.
        var modules = specs.SelectMany(static (s, _) => s.Modules.AsImmutableArray()).WithTrackingName(TrackingNames.ModulesOutput);
        context.RegisterSourceOutput(modules, static (spc, s) =>
        {
            foreach (var (kind, text) in ModuleEmitter.EmitFiles(s))
            {
                spc.AddSource(s.Namespace + "." + s.Name + "." + kind + ".g.cs", SourceText.From(text, System.Text.Encoding.UTF8));
            }
        });

        var events = specs.Select(static (s, _) => s.EventsOutput).Where(static s => !s.Events.IsEmpty).WithTrackingName(TrackingNames.EventsOutput);
        context.RegisterSourceOutput(events, static (spc, s) => spc.AddSource(s.Namespace + ".Events.g.cs", SourceText.From(EventsEmitter.Emit(s), System.Text.Encoding.UTF8)));
    }

    private static SchemaFileInput? ReadFile(AdditionalText text, AnalyzerConfigOptions options, CancellationToken ct)
    {
        if (!options.TryGetValue(NamespaceMetadata, out var ns) || string.IsNullOrWhiteSpace(ns) || IsSchemaInclude(text.Path, options))
        {
            return null;
        }

        options.TryGetValue(GenerateMetadata, out var generate);
        options.TryGetValue(AccessMetadata, out var access);
        options.TryGetValue(DiagnosticsMetadata, out var diagnostics);
        options.TryGetValue(CommandsMetadata, out var commands);
        options.TryGetValue(EventsMetadata, out var events);
        options.TryGetValue(FormatMetadata, out var format);
        options.TryGetValue(QapiSourceMetadata, out var qapiSource);
        options.TryGetValue(QemuConfigMetadata, out var qemuConfig);
        var (client, server) = ParseGenerate(generate);
        var content = text.GetText(ct)?.ToString();
        if (content is null)
        {
            return null;
        }

        return new SchemaFileInput(text.Path, content, ns.Trim(), generate, client, server, access, diagnostics)
        {
            Commands = commands,
            Events = events,
            Format = format,
            QapiSource = string.IsNullOrWhiteSpace(qapiSource) ? null : qapiSource!.Trim(),
            QemuConfig = string.IsNullOrWhiteSpace(qemuConfig) ? null : qemuConfig!.Trim(),
        };
    }

    /// <summary><c>Public</c> (the default when empty) or <c>Internal</c>, as Grpc.Tools spells its Access switch; null when neither.</summary>
    public static bool? ParseInternal(string? access) =>
        string.IsNullOrWhiteSpace(access) || access!.Trim().Equals("Public", StringComparison.OrdinalIgnoreCase) ? false
        : access.Trim().Equals("Internal", StringComparison.OrdinalIgnoreCase) ? true
        : null;

    private static readonly string[] s_knownGenerateValues = { "Client", "Server", "Types" };

    /// <summary>Dotted C# identifiers (letters, digits, underscores; not starting with a digit; no keywords).</summary>
    public static bool IsValidNamespace(string ns) =>
        ns.Split('.').All(part => part.Length > 0
            && (char.IsLetter(part[0]) || part[0] == '_')
            && part.All(c => char.IsLetterOrDigit(c) || c == '_')
            && SyntaxFacts.GetKeywordKind(part) == Microsoft.CodeAnalysis.CSharp.SyntaxKind.None);

    private static readonly char[] s_generateSeparators = { ';', ',' };

    /// <summary><c>Client;Server</c> (the default when empty), <c>Client</c>, <c>Server</c>, or <c>Types</c> for neither.</summary>
    public static (bool Client, bool Server) ParseGenerate(string? generate)
    {
        if (string.IsNullOrWhiteSpace(generate))
        {
            return (true, true);
        }

        var parts = generate!.Split(s_generateSeparators, StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim()).ToList();
        return (parts.Any(p => p.Equals("Client", StringComparison.OrdinalIgnoreCase)),
            parts.Any(p => p.Equals("Server", StringComparison.OrdinalIgnoreCase)));
    }

    private static IEnumerable<SchemaGroup> Group(ImmutableArray<SchemaFileInput> files) =>
        files
            .GroupBy(f => f.Namespace, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new SchemaGroup(
                g.Key,
                g.Any(f => f.Client),
                g.Any(f => f.Server),
                g.OrderBy(f => f.Path, StringComparer.Ordinal).ToEquatableArray())
            {
                // One Internal file makes the namespace's types internal: they are one set of types.
                Internal = g.Any(f => ParseInternal(f.Access) == true),
            });

    /// <summary>QMP0101 for the values of a file's Generate that are not Client, Server or Types; null when all are known.</summary>
    private static SchemaDiagnostic? UnknownGenerate(SchemaFileInput file)
    {
        var unknown = (file.Generate ?? string.Empty).Split(s_generateSeparators, StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Trim()).Where(p => !s_knownGenerateValues.Contains(p, StringComparer.OrdinalIgnoreCase)).ToList();
        return unknown.Count == 0 ? null : GeneratorDiagnostics.UnknownGenerateValue.Report(StartOf(file.Path), string.Join(",", unknown));
    }

    /// <summary>
    /// The item metadata of every file in the group, checked once whatever the file holds: Format
    /// (QMP0120), Generate (QMP0101), Access (QMP0104), Diagnostics (QMP0105); and, when a QAPI top
    /// file or a saved answer is read (<paramref name="main"/>), QMP0111 on every other file, since
    /// such a schema generates alone.
    /// </summary>
    private static List<SchemaDiagnostic> CheckMetadata(SchemaGroup group, SchemaFileInput? main)
    {
        var problems = group.Files.Where(f => !SchemaInput.IsKnownFormat(f.Format))
            .Select(f => GeneratorDiagnostics.UnknownFormatValue.Report(StartOf(f.Path), f.Format!.Trim(),
                SchemaInput.KindOf(f.Path, f.Text, f.Format) switch
                {
                    SchemaInputKind.Introspection => "a saved query-qmp-schema answer",
                    SchemaInputKind.Qapi => "QAPI",
                    _ => "an .hx file",
                }))
            .ToList();
        foreach (var file in group.Files)
        {
            var at = StartOf(file.Path);
            if (UnknownGenerate(file) is { } unknown)
            {
                problems.Add(unknown);
            }

            if (ParseInternal(file.Access) is null)
            {
                problems.Add(GeneratorDiagnostics.UnknownAccessValue.Report(at, file.Access!.Trim(), group.Internal ? "internal" : "public"));
            }

            if (!string.IsNullOrWhiteSpace(file.Diagnostics) && !file.Diagnostics!.Trim().Equals("all", StringComparison.OrdinalIgnoreCase) && !file.Diagnostics.Trim().Equals("default", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add(GeneratorDiagnostics.UnknownDiagnosticsValue.Report(at, file.Diagnostics.Trim()));
            }

            if (main is not null && !ReferenceEquals(file, main))
            {
                problems.Add(GeneratorDiagnostics.QapiNotAlone.Report(at, file.Path, group.Namespace, main.Path));
            }
        }
        return problems;
    }

    /// <summary>
    /// A group through the one parse step every input takes (<see cref="SchemaInput.Read"/>): .hx
    /// files read together, or a QAPI top file or saved answer alone, its includes and QAPI source
    /// from the group's include texts. Then the filter and the one spec builder.
    /// </summary>
    private static ParsedSchema Parse(SchemaGroup group, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var inputs = group.Files.Select(f => new SchemaInputFile(f.Path, f.Text, f.Format)).ToList();
        var mainInput = SchemaInput.MainFile(inputs);
        var main = mainInput is null ? null : group.Files[inputs.IndexOf(mainInput)];
        var problems = CheckMetadata(group, main);
        if (!IsValidNamespace(group.Namespace))
        {
            problems.Add(GeneratorDiagnostics.InvalidNamespace.Report(StartOf((main ?? group.Files[0]).Path), group.Namespace));
            return new ParsedSchema(null, problems.ToEquatableArray());
        }
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var include in group.Includes)
        {
            texts[include.Path] = include.Text;
        }

        var read = SchemaInput.Read(
            mainInput is null ? inputs : new[] { mainInput },
            path => texts.TryGetValue(NormalizedPath(path), out var text) ? text : null,
            main?.QapiSource);
        ct.ThrowIfCancellationRequested();
        var schema = Filter(read.Schema, main is null ? group.Files : new[] { main }, problems);
        var naming = new List<SchemaDiagnostic>();
        var spec = SpecBuilder.Build(schema, group.Namespace, group.Client, group.Server, naming, group.Internal);
        // A QAPI schema's or saved answer's server checks arguments as QEMU 7.2 does, against its types' shapes.
        if (main is not null && group.Server)
        {
            spec = spec with { QapiShapes = QapiShapeLines.Of(schema), ServerIntrospection = ServerIntrospectionOf(schema, read, main) };
        }

        var clientSchema = group.Client ? new ClientSchemaSpec(group.Namespace, spec.Stem, DescribeEntries(schema)) : null;
        return new ParsedSchema(spec, problems.Concat(read.Diagnostics).Concat(naming).ToEquatableArray(), clientSchema);
    }

    /// <summary>The model as <c>query-qmp-schema</c> entries, each entry's JSON on its own.</summary>
    private static EquatableArray<string> DescribeEntries(Qmp.Codegen.Schema.QmpSchema schema)
    {
        var info = Qmp.Codegen.Introspection.SchemaInfoBuilder.Build(schema);
        return info.Entries.Select(e => e.ToJson()).ToEquatableArray();
    }

    private static readonly ConcurrentDictionary<(string, DiagnosticSeverity), DiagnosticDescriptor> s_descriptors = new();

    private static readonly Lazy<Dictionary<string, string>> s_titles = new(() =>
        DiagnosticCatalogue.All.ToDictionary(d => d.Id, d => d.Title));

    /// <summary>Where a diagnostic is explained: its row of the diagnostics table in docs/diagnostics.md.</summary>
    public static string HelpLinkOf(string id) => SchemaDiagnosticDescriptor.HelpLinkBase + id.ToLowerInvariant();

    /// <summary>Turns a value-type schema diagnostic into a Roslyn one located in the .hx file, with the severity it has by default.</summary>
    public static Diagnostic ToDiagnostic(SchemaDiagnostic diagnostic) =>
        ToDiagnostic(diagnostic, diagnostic.Severity switch
        {
            SchemaSeverity.Error => DiagnosticSeverity.Error,
            SchemaSeverity.Warning => DiagnosticSeverity.Warning,
            _ => DiagnosticSeverity.Info,
        });

    /// <summary>Turns a value-type schema diagnostic into a Roslyn one located in the .hx file, with <paramref name="severity"/>.</summary>
    public static Diagnostic ToDiagnostic(SchemaDiagnostic diagnostic, DiagnosticSeverity severity)
    {
        var descriptor = s_descriptors.GetOrAdd((diagnostic.Id, severity), static key =>
            new DiagnosticDescriptor(
                key.Item1,
                s_titles.Value.TryGetValue(key.Item1, out var title) ? title : key.Item1,
                "{0}",
                "QmpSchema",
                key.Item2,
                isEnabledByDefault: true,
                helpLinkUri: HelpLinkOf(key.Item1)));
        var l = diagnostic.Location;
        var location = string.IsNullOrEmpty(l.Path)
            ? Location.None
            : Location.Create(l.Path, new TextSpan(l.Start, l.Length),
                new LinePositionSpan(new LinePosition(Math.Max(0, l.Line - 1), Math.Max(0, l.Column - 1)), new LinePosition(Math.Max(0, l.EndLine - 1), Math.Max(0, l.EndColumn - 1))));
        return Diagnostic.Create(descriptor, location, diagnostic.Message);
    }
}
