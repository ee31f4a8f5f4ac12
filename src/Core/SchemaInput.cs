using System;
using System.Collections.Generic;
using System.Linq;
using Qmp.Codegen.Helpers;
using Qmp.Codegen.Hx;
using Qmp.Codegen.Introspection;
using Qmp.Codegen.Model;
using Qmp.Codegen.Qapi;
using Qmp.Codegen.Schema;

namespace Qmp.Codegen;

/// <summary>The three kinds of schema text the toolchain reads.</summary>
public enum SchemaInputKind
{
    /// <summary>QEMU 2.1's <c>qmp-commands.hx</c> tables (several files read together).</summary>
    Hx,

    /// <summary>A QAPI top file (<c>qapi-schema.json</c>) with its includes.</summary>
    Qapi,

    /// <summary>A saved <c>query-qmp-schema</c> answer.</summary>
    Introspection,
}

/// <summary>One file given as the schema: its path, its text, and the <c>Format</c> its item names (null: recognised by its content).</summary>
public sealed record SchemaInputFile(string Path, string Text, string? Format = null);

/// <summary>
/// What <see cref="SchemaInput.Read"/> gives: which kind was read, the QMP schema model with every
/// diagnostic of the text (<see cref="QmpSchema.Diagnostics"/>), the files read (a QAPI top file's
/// includes too), and for <c>.hx</c> input the table records the model was built from
/// (<c>qmp-codegen model</c> prints their <c>args_type</c> codes and doc blocks).
/// </summary>
public sealed record SchemaReadResult(SchemaInputKind Kind, QmpSchema Schema, SchemaModel? Hx, EquatableArray<string> Files)
{
    public EquatableArray<SchemaDiagnostic> Diagnostics => Schema.Diagnostics;

    /// <summary>A saved answer as read (its entries as saved, its <c>query-version</c>): what a server generated from it answers. Null for other inputs.</summary>
    internal IntrospectionFile? Introspection { get; init; }
}

/// <summary>
/// The one parse step for every schema input, shared by the generator and the CLI: text in, model
/// and diagnostics out. It does no I/O: the caller gives the files' texts and a function that
/// returns the text of a QAPI include (paths as <see cref="QapiReader"/> spells them), or null when
/// there is no such file. What the caller adds around it (the generator's item metadata, the CLI's
/// reading from disk) is its own.
/// </summary>
public static class SchemaInput
{
    /// <summary>
    /// The kind of one file: <c>.hx</c> by its extension; a <c>.json</c> file by its
    /// <paramref name="format"/> when that is <c>Qapi</c> or <c>Introspection</c>, otherwise by its
    /// content (<see cref="IntrospectionFile.LooksLikeIntrospection"/>: QAPI never opens with
    /// <c>[</c> or <c>{"</c>). Any other extension reads as <c>.hx</c>, as the generator always has.
    /// </summary>
    public static SchemaInputKind KindOf(string path, string text, string? format = null)
    {
        if (!path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            return SchemaInputKind.Hx;
        }

        var trimmed = format?.Trim() ?? string.Empty;
        if (trimmed.Equals("Introspection", StringComparison.OrdinalIgnoreCase))
        {
            return SchemaInputKind.Introspection;
        }

        if (trimmed.Equals("Qapi", StringComparison.OrdinalIgnoreCase))
        {
            return SchemaInputKind.Qapi;
        }

        return IntrospectionFile.LooksLikeIntrospection(text) ? SchemaInputKind.Introspection : SchemaInputKind.Qapi;
    }

    /// <summary>True when <paramref name="format"/> is empty, <c>Qapi</c> or <c>Introspection</c>.</summary>
    public static bool IsKnownFormat(string? format) =>
        string.IsNullOrWhiteSpace(format)
        || format!.Trim().Equals("Qapi", StringComparison.OrdinalIgnoreCase)
        || format.Trim().Equals("Introspection", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The file that is read when <paramref name="files"/> are given together: the first saved
    /// answer, else the first QAPI top file (each is read alone), else null: the <c>.hx</c> files
    /// are read together.
    /// </summary>
    public static SchemaInputFile? MainFile(IReadOnlyList<SchemaInputFile> files) =>
        files.FirstOrDefault(f => KindOf(f.Path, f.Text, f.Format) == SchemaInputKind.Introspection)
        ?? files.FirstOrDefault(f => KindOf(f.Path, f.Text, f.Format) == SchemaInputKind.Qapi);

    /// <summary>
    /// Reads <paramref name="files"/>: a saved answer or a QAPI top file alone (the first one, see
    /// <see cref="MainFile"/>), or all <c>.hx</c> files together. <paramref name="qapiSource"/>, for a
    /// saved answer, names the QAPI top file its names and docs come from (read with
    /// <paramref name="readInclude"/>); its errors are reported and make it unused, since a schema
    /// QEMU's own generator would refuse is no guide to names.
    /// </summary>
    public static SchemaReadResult Read(IReadOnlyList<SchemaInputFile> files, Func<string, string?> readInclude, string? qapiSource = null)
    {
        var main = MainFile(files);
        if (main is null)
        {
            var read = SchemaParser.Read(files.Select(f => new SchemaSource(f.Path, f.Text)));
            return new SchemaReadResult(SchemaInputKind.Hx, read.Schema, read.Hx, files.Select(f => f.Path).ToEquatableArray());
        }
        if (KindOf(main.Path, main.Text, main.Format) == SchemaInputKind.Qapi)
        {
            // The top file's own text wins over an include of the same path.
            var top = QapiParser.NormalizePath(main.Path);
            var qapi = QapiReader.ReadDetailed(main.Path, path => QapiParser.NormalizePath(path) == top ? main.Text : readInclude(path));
            return new SchemaReadResult(SchemaInputKind.Qapi, qapi.Schema, null, qapi.Files);
        }
        var problems = new List<SchemaDiagnostic>();
        QmpSchema? source = null;
        if (qapiSource is not null)
        {
            source = QapiReader.ReadDetailed(qapiSource, readInclude).Schema;
            // Its warnings are the QAPI schema's own business and are not repeated here.
            problems.AddRange(source.Diagnostics.Where(d => d.Severity == SchemaSeverity.Error));
            if (problems.Count > 0)
            {
                source = null;
            }
        }
        var file = IntrospectionFile.Read(main.Text, main.Path);
        var schema = file.ToSchema(source);
        if (problems.Count > 0)
        {
            schema = schema with { Diagnostics = problems.Concat(schema.Diagnostics).ToEquatableArray() };
        }

        return new SchemaReadResult(SchemaInputKind.Introspection, schema, null, new[] { main.Path }.ToEquatableArray()) { Introspection = file };
    }
}
