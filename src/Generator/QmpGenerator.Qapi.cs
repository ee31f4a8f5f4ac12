using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Qmp.Codegen.Generation;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Qapi;

namespace Qmp.Codegen;

// The QAPI front end in the pipeline. A QmpSchema item naming a .json file is a QAPI top file
// (qapi-schema.json); the package's props add every .json file of its folder as AdditionalFiles
// with QmpQapiTop metadata naming the top file, since the generator may do no I/O and MSBuild
// cannot know which files the top file includes. The top file's group carries those texts, so an
// edit to any of them reruns the group's parse; C# edits still rerun nothing.
public sealed partial class QmpGenerator
{
    public const string QapiTopMetadata = "build_metadata.AdditionalFiles.QmpQapiTop";

    private static bool IsJson(string path) => path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    private static string NormalizedPath(string path) => QapiParser.NormalizePath(path);

    /// <summary>A .json file that comes with a QAPI top file and is not that file itself.</summary>
    private static bool IsSchemaInclude(string path, Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions options) =>
        IsJson(path) && options.TryGetValue(QapiTopMetadata, out var top) && !string.IsNullOrWhiteSpace(top)
        && !string.Equals(NormalizedPath(top), NormalizedPath(path), StringComparison.Ordinal);

    /// <summary>The texts of the .json files that come with QAPI top files, for the reader's includes.</summary>
    private static IncrementalValueProvider<ImmutableArray<QapiIncludeInput>> QapiIncludes(IncrementalGeneratorInitializationContext context) =>
        context.AdditionalTextsProvider
            .Where(static text => IsJson(text.Path))
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, ct) =>
            {
                var options = pair.Right.GetOptions(pair.Left);
                if (!(IsSchemaInclude(pair.Left.Path, options) || IsSchemaSourceTop(pair.Left.Path, options)) || !options.TryGetValue(QapiTopMetadata, out var top))
                {
                    return null;
                }

                var text = pair.Left.GetText(ct)?.ToString();
                return text is null ? null : new QapiIncludeInput(NormalizedPath(pair.Left.Path), text, NormalizedPath(top));
            })
            .Where(static include => include is not null)
            .Select(static (include, _) => include!)
            .WithTrackingName(TrackingNames.QapiIncludes)
            .Collect();

    private static IEnumerable<SchemaGroup> Group(ImmutableArray<SchemaFileInput> files, ImmutableArray<QapiIncludeInput> includes)
    {
        foreach (var group in Group(files))
        {
            var tops = group.Files.Where(f => IsJson(f.Path)).Select(f => NormalizedPath(f.Path))
                .Concat(group.Files.Where(f => f.QapiSource is not null).Select(f => NormalizedPath(f.QapiSource!))).ToList();
            if (tops.Count == 0)
            {
                yield return group;
                continue;
            }
            yield return group with
            {
                Includes = WithQapiSourceItems(group, files, includes.Where(i => tops.Contains(i.TopFile, StringComparer.Ordinal)))
                    .OrderBy(i => i.Path, StringComparer.Ordinal).ToEquatableArray(),
            };
        }
    }
}
