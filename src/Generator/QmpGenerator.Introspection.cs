using System;
using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Generation;

namespace Qmp.Codegen;

// A saved query-qmp-schema answer as a schema input of its own (qmp-codegen introspect's file, a
// reply {"return": [...]}, or the bare array). A .json QmpSchema item is such a file when its
// Format says Introspection, or, without a Format, when its text looks like one (see
// IntrospectionFile.LooksLikeIntrospection: JSON opens with '[' or '{"', QAPI never does; the rule
// is SchemaInput.KindOf, which the CLI applies too). The props apply the same rule, so such a
// file's folder is not added as QAPI includes. It is read by SchemaInput.Read and generates
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
            {
                list.Add(new QapiIncludeInput(source, own.Text, source));
            }
        }
        return list;
    }
}
