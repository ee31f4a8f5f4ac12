using System;
using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Model;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen.Qapi;

/// <summary>What reading a QAPI schema gave: the model, the files it read, and how many doc blocks it found.</summary>
/// <param name="Files">Every file read, the top one first: what a build must watch to know when to read again.</param>
/// <param name="DocBlocks">Doc comments as QEMU's parser counts them (a 7.2-style free-form block split at each heading counts once per part).</param>
/// <param name="Schema">The model, with every diagnostic.</param>
public sealed record QapiReadResult(QmpSchema Schema, EquatableArray<string> Files, int DocBlocks);

/// <summary>
/// Reads QEMU's QAPI schema (<c>qapi/qapi-schema.json</c> and the files it includes) into the
/// <see cref="QmpSchema"/> model: parser (<see cref="QapiParser"/>, text to expressions), doc parser,
/// then <see cref="QapiSchemaBuilder"/> (expression checks and the model), as QEMU's scripts/qapi
/// split it. It does no I/O: <c>readFile</c> returns the text of a path (paths are the top file's
/// path joined with each include, <c>/</c>-separated, <c>.</c> and <c>..</c> folded), or null when
/// there is no such file. It never throws: whatever is wrong in the text is a diagnostic.
/// </summary>
public static class QapiReader
{
    public static QmpSchema Read(string path, Func<string, string?> readFile) => ReadDetailed(path, readFile).Schema;

    /// <summary>Reads from texts keyed by path (any spelling: keys are normalized as include paths are, <c>\\</c> read as <c>/</c>).</summary>
    public static QmpSchema Read(string path, IReadOnlyDictionary<string, string> files)
    {
        var normalized = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            normalized[QapiParser.NormalizePath(file.Key)] = file.Value;
        }

        return Read(path, p => normalized.TryGetValue(p, out var text) ? text : null);
    }

    public static QapiReadResult ReadDetailed(string path, Func<string, string?> readFile)
    {
        try
        {
            var parsed = QapiParser.Parse(path, readFile);
            var schema = QapiSchemaBuilder.Build(parsed);
            return new QapiReadResult(schema, parsed.Files.Select(f => f.Path).ToEquatableArray(), parsed.Docs.Count);
        }
        catch (Exception e)
        {
            // A safety net, not a path: every error in the text is reported where it is found.
            // Reaching this is a bug of the reader, said so rather than crashing the compiler.
            var diagnostic = QapiDiagnostics.Make(QapiDiagnostics.Syntax, new SchemaLocation(path, 0, 0, 1, 1, 1, 1),
                "internal error of the QAPI reader: " + e.GetType().Name + ": " + e.Message);
            return new QapiReadResult(QmpSchema.Empty with { Diagnostics = new[] { diagnostic }.ToEquatableArray() },
                new[] { path }.ToEquatableArray(), 0);
        }
    }
}
