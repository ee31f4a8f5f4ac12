using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Qmp.Codegen.Generation;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Introspection;
using Qmp.Codegen.Model;

namespace Qmp.Codegen;

// A saved query-qmp-schema answer as a schema input of its own (qmp-codegen introspect's file, a
// reply {"return": [...]}, or the bare array). A .json QmpSchema item is such a file when its
// Format says Introspection, or, without a Format, when its text looks like one (see
// IntrospectionFile.LooksLikeIntrospection: JSON opens with '[' or '{"', QAPI never does). The
// props apply the same rule, so such a file's folder is not added as QAPI includes. It generates
// like a QAPI schema (the same spec builder and emitters) from the doc-less model the
// introspection reader builds: types named from their use, every integer a long.
public sealed partial class QmpGenerator
{
    public const string FormatMetadata = "build_metadata.AdditionalFiles.QmpFormat";

    /// <summary>A saved answer's QAPI source: the full path of its top file (the props resolve the item's <c>QapiSource</c>).</summary>
    public const string QapiSourceMetadata = "build_metadata.AdditionalFiles.QmpQapiSource";

    /// <summary>
    /// The top file of a QAPI source named by a saved answer: the props add its folder's .json files
    /// with QmpQapiTop naming it and no namespace (they generate nothing of their own), so the top
    /// file itself is one of the texts the answer's group carries.
    /// </summary>
    private static bool IsSchemaSourceTop(string path, Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions options) =>
        IsJson(path) && options.TryGetValue(QapiTopMetadata, out var top) && !string.IsNullOrWhiteSpace(top)
        && string.Equals(NormalizedPath(top), NormalizedPath(path), StringComparison.Ordinal)
        && !(options.TryGetValue(NamespaceMetadata, out var ns) && !string.IsNullOrWhiteSpace(ns));

    /// <summary>A QAPI source that is a QmpSchema item of its own is a schema file, not an include: its text comes from there.</summary>
    private static List<QapiIncludeInput> WithQapiSourceItems(SchemaGroup group, System.Collections.Immutable.ImmutableArray<SchemaFileInput> files, IEnumerable<QapiIncludeInput> includes)
    {
        var list = includes.ToList();
        foreach (var source in group.Files.Where(f => f.QapiSource is not null).Select(f => NormalizedPath(f.QapiSource!)).Distinct(StringComparer.Ordinal))
        {
            if (!list.Any(i => string.Equals(i.Path, source, StringComparison.Ordinal))
                && files.FirstOrDefault(f => string.Equals(NormalizedPath(f.Path), source, StringComparison.Ordinal)) is { } own)
                list.Add(new QapiIncludeInput(source, own.Text, source));
        }
        return list;
    }

    private static bool IsIntrospection(SchemaFileInput file)
    {
        if (!IsJson(file.Path))
            return false;
        var format = file.Format?.Trim() ?? string.Empty;
        if (format.Equals("Introspection", StringComparison.OrdinalIgnoreCase))
            return true;
        if (format.Equals("Qapi", StringComparison.OrdinalIgnoreCase))
            return false;
        return IntrospectionFile.LooksLikeIntrospection(file.Text);
    }

    private static bool IsKnownFormat(string? format) =>
        string.IsNullOrWhiteSpace(format)
        || format!.Trim().Equals("Qapi", StringComparison.OrdinalIgnoreCase)
        || format.Trim().Equals("Introspection", StringComparison.OrdinalIgnoreCase);

    /// <summary>A <c>Format</c> that is neither <c>Qapi</c> nor <c>Introspection</c>: the file is read as its content says, with a warning (QMP0120) on the file.</summary>
    private static ParsedSchema WithFormatProblems(SchemaGroup group, ParsedSchema parsed)
    {
        var problems = group.Files.Where(f => !IsKnownFormat(f.Format))
            .Select(f => GeneratorDiagnostics.UnknownFormatValue.Report(new SchemaLocation(f.Path, 0, 0, 1, 1, 1, 1), f.Format!.Trim(),
                IsIntrospection(f) ? "a saved query-qmp-schema answer" : IsJson(f.Path) ? "QAPI" : "an .hx file"))
            .ToList();
        return problems.Count == 0 ? parsed : parsed with { Diagnostics = problems.Concat(parsed.Diagnostics).ToEquatableArray() };
    }

    /// <summary>A group with a saved introspection file: read it, name its types from their use, then the QAPI spec builder.</summary>
    private static ParsedSchema ParseIntrospection(SchemaGroup group, CancellationToken ct)
    {
        var problems = new List<SchemaDiagnostic>();
        var live = group.Files.First(IsIntrospection);
        if (!CheckGeneratesAlone(group, live, problems))
            return new ParsedSchema(null, problems.ToEquatableArray());
        var read = IntrospectionFile.Read(live.Text, live.Path);
        ct.ThrowIfCancellationRequested();
        var source = live.QapiSource is null ? null : ReadQapiSource(live.QapiSource, group, problems);
        var schema = Filter(read.ToSchema(source), new[] { live }, problems);
        ct.ThrowIfCancellationRequested();
        var naming = new List<SchemaDiagnostic>();
        // One module: the answer is one file (its entries carry no module of their own).
        var (spec, modules) = SpecBuilder.BuildQapiModules(schema, group.Namespace, group.Client, naming, live.Path, group.Internal);
        var clientSchema = group.Client ? new ClientSchemaSpec(group.Namespace, spec.Stem, DescribeEntries(schema)) : null;
        return new ParsedSchema(spec, problems.Concat(schema.Diagnostics).Concat(naming).ToEquatableArray(), clientSchema, modules);
    }

    /// <summary>
    /// The QAPI source of a saved answer, read from the group's include texts; its errors are
    /// reported in its files and make it unused (a schema QEMU's own generator would refuse is no
    /// guide to names). Its warnings are the QAPI schema's own business and are not repeated here.
    /// </summary>
    private static Qmp.Codegen.Schema.QmpSchema? ReadQapiSource(string top, SchemaGroup group, List<SchemaDiagnostic> problems)
    {
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var include in group.Includes)
            texts[include.Path] = include.Text;
        var read = Qmp.Codegen.Qapi.QapiReader.ReadDetailed(top, path => texts.TryGetValue(NormalizedPath(path), out var text) ? text : null);
        var errors = read.Schema.Diagnostics.Where(d => d.Severity == SchemaSeverity.Error).ToList();
        problems.AddRange(errors);
        return errors.Count == 0 ? read.Schema : null;
    }
}
